import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomically } from '../fs/atomic-write.js';
import { fingerprintSha256, keyTypeOfBlob } from './fingerprint.js';
import { checkHostKey, knownHostsLine, parseKnownHosts, type HostKeyVerdict, type KnownHostEntry } from './known-hosts.js';
import type { HostTarget } from './target.js';

/** weclick's own known_hosts lives beside the inventory; the user's ~/.ssh/known_hosts is read too. */
export function fleetKnownHostsFile(inventoryFile: string): string {
  return join(dirname(inventoryFile), 'known_hosts');
}

export interface KnownHosts {
  entries: KnownHostEntry[];
  files: string[];
}

export async function loadKnownHosts(files: string[]): Promise<KnownHosts> {
  const entries: KnownHostEntry[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    entries.push(...parseKnownHosts(text, file).entries);
  }
  return { entries, files };
}

export function defaultKnownHostsFiles(inventoryFile: string, home = homedir()): string[] {
  return [fleetKnownHostsFile(inventoryFile), join(home, '.ssh', 'known_hosts')];
}

/**
 * The verdict for a key presented by a host we reach by address: a key known under either the
 * address or the hostname is trusted; a different key known under either is a change.
 */
export function verifyPresentedKey(known: KnownHosts, target: HostTarget, keyBlob: Buffer): HostKeyVerdict {
  const type = keyTypeOfBlob(keyBlob);
  const verdicts = [target.address, target.hostname].map((name) => checkHostKey(known.entries, name, target.port, type, keyBlob));
  return verdicts.find((v) => v.kind === 'revoked') ?? verdicts.find((v) => v.kind === 'changed') ?? verdicts.find((v) => v.kind === 'trusted') ?? { kind: 'unknown' };
}

/** Why a connection was refused, in words an operator can act on (with the command that fixes it). */
export function describeRefusal(verdict: HostKeyVerdict, target: HostTarget, keyBlob: Buffer, knownHostsFile: string): string {
  const presented = `${keyTypeOfBlob(keyBlob)} ${fingerprintSha256(keyBlob)}`;
  switch (verdict.kind) {
    case 'unknown':
      return `host key of ${target.name} (${target.address}) is not known: ${presented}. Check it out of band, then run: weclick hosts trust ${target.name}`;
    case 'changed':
      return `HOST KEY OF ${target.name} (${target.address}) HAS CHANGED: it presented ${presented}, but ${verdict.known
        .map((k) => `${k.keyType} ${k.fingerprint} (${k.file}:${k.line})`)
        .join(', ')} is known. Nothing was run. If the server was really reinstalled, remove the old line from ${knownHostsFile} and run: weclick hosts trust ${target.name}`;
    case 'revoked':
      return `host key of ${target.name} (${target.address}) is revoked (${verdict.entry.file}:${verdict.entry.line}): ${presented}`;
    default:
      return '';
  }
}

/** Appends a host's key under its hostname and address, atomically (never duplicates a line). */
export async function trustHostKey(file: string, target: HostTarget, keyBlob: Buffer): Promise<boolean> {
  const existing = await readFile(file, 'utf8').catch(() => '');
  const type = keyTypeOfBlob(keyBlob);
  const known = parseKnownHosts(existing, file).entries;
  if (checkHostKey(known, target.address, target.port, type, keyBlob).kind === 'trusted' && checkHostKey(known, target.hostname, target.port, type, keyBlob).kind === 'trusted') return false;
  const names = [target.hostname, target.address].map((n) => (target.port === 22 ? n : `[${n}]:${target.port}`)).join(',');
  const line = knownHostsLine(target.address, target.port, type, keyBlob, { comment: `weclick ${target.name}` }).replace(/^\S+/, names);
  const text = `${existing}${existing && !existing.endsWith('\n') ? '\n' : ''}${line}\n`;
  await writeFileAtomically(file, text, 0o644);
  return true;
}
