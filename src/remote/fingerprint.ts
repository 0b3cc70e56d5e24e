import { createHash } from 'node:crypto';

// SSH public keys travel as a "blob": a sequence of length-prefixed strings
// (RFC 4251 §5), the first of which names the key type.

/** Fingerprint exactly as `ssh-keygen -l` prints it: SHA256:<unpadded base64>. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a blob, e.g. "ssh-ed25519". Throws on a malformed blob. */
export function keyTypeOfBlob(blob: Buffer): string {
  const type = readSshString(blob, 0).value.toString('latin1');
  if (!/^[\x21-\x7e]+$/.test(type)) throw new Error('key blob does not start with a key type');
  return type;
}

export interface PublicKeyLine {
  type: string;
  blob: Buffer;
  comment: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Parse "ssh-ed25519 AAAA... comment" (a .pub file or the key part of a known_hosts line). */
export function parsePublicKeyLine(line: string): PublicKeyLine {
  const match = /^[ \t]*(\S+)[ \t]+(\S+)(?:[ \t]+(.*?))?[ \t]*$/.exec(line.replace(/\r?\n$/, ''));
  const [, type, base64, comment = ''] = match ?? [];
  if (type === undefined || base64 === undefined) throw new Error('expected "<key type> <base64 key> [comment]"');
  if (!BASE64.test(base64) || base64.replace(/=+$/, '').length % 4 === 1) {
    throw new Error('key is not valid base64');
  }
  const blob = Buffer.from(base64, 'base64');
  const inner = keyTypeOfBlob(blob);
  // OpenSSH rejects a line whose declared type disagrees with the blob.
  if (inner !== type) throw new Error(`key type "${type}" does not match the key's own type "${inner}"`);
  if (!type.includes('-cert-')) assertOnlyStrings(blob);
  return { type, blob, comment };
}

function readSshString(blob: Buffer, offset: number): { value: Buffer; next: number } {
  if (offset + 4 > blob.length) throw new Error('key blob is truncated');
  const next = offset + 4 + blob.readUInt32BE(offset);
  if (next > blob.length) throw new Error('key blob is truncated');
  return { value: blob.subarray(offset + 4, next), next };
}

// Every plain (non-certificate) key type is a run of strings and mpints, so bytes
// left over or missing mean the blob is corrupt; OpenSSH would refuse it too.
function assertOnlyStrings(blob: Buffer): void {
  let offset = 0;
  while (offset < blob.length) offset = readSshString(blob, offset).next;
}
