import { createHmac, randomBytes } from 'node:crypto';
import { fingerprintSha256, keyTypeOfBlob, parsePublicKeyLine } from './fingerprint.js';

// OpenSSH known_hosts, following hostfile.c and match.c (OpenSSH 9.x):
//   [@cert-authority|@revoked] <hosts> <key type> <base64 key> [comment]
// where <hosts> is either one hashed name |1|<salt>|<hmac-sha1(salt, name)> or a
// comma-separated list of glob patterns (* and ?), each optionally negated with !.
// A name is "host" on port 22 and "[host]:port" on any other port.

export type KnownHostMarker = 'cert-authority' | 'revoked';

export interface HostPattern {
  pattern: string;
  negated: boolean;
}

export type KnownHostNames =
  | { kind: 'hashed'; salt: Buffer; hash: Buffer }
  | { kind: 'patterns'; patterns: HostPattern[] };

export interface KnownHostEntry {
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  marker: KnownHostMarker | null;
  names: KnownHostNames;
  keyType: string;
  keyBlob: Buffer;
  fingerprint: string;
  comment: string;
}

export interface KnownHostsProblem {
  file: string;
  line: number;
  problem: string;
}

export interface KnownKey {
  fingerprint: string;
  keyType: string;
  file: string;
  line: number;
}

export type HostKeyVerdict =
  | { kind: 'trusted'; entry: KnownHostEntry }
  | { kind: 'unknown' }
  | {
      kind: 'changed';
      presented: string;
      presentedType: string;
      /** False when the host only has known keys of other types (OpenSSH still calls that "changed"). */
      sameType: boolean;
      known: KnownKey[];
    }
  | { kind: 'revoked'; entry: KnownHostEntry };

const MARKERS: Record<string, KnownHostMarker> = { '@cert-authority': 'cert-authority', '@revoked': 'revoked' };
const HASHED = /^\|1\|([A-Za-z0-9+/]+=*)\|([A-Za-z0-9+/]+=*)$/;
const SHA1_BYTES = 20;

/** Parse a known_hosts file. Bad lines become problems; they never throw. */
export function parseKnownHosts(
  text: string,
  file: string,
): { entries: KnownHostEntry[]; problems: KnownHostsProblem[] } {
  const entries: KnownHostEntry[] = [];
  const problems: KnownHostsProblem[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const result = parseLine(raw.replace(/\r$/, ''));
    if (result === null) return;
    if (typeof result === 'string') problems.push({ file, line, problem: result });
    else entries.push({ file, line, ...result });
  });
  return { entries, problems };
}

type ParsedLine = Omit<KnownHostEntry, 'file' | 'line'>;

// null for blank and comment lines, a string describing the problem for bad lines.
function parseLine(text: string): ParsedLine | string | null {
  let rest = text.replace(/^[ \t]+/, '');
  if (rest === '' || rest.startsWith('#')) return null;

  let marker: KnownHostMarker | null = null;
  if (rest.startsWith('@')) {
    const [word = ''] = rest.split(/[ \t]/, 1);
    const known = MARKERS[word];
    if (known === undefined) return `unknown marker "${word}"`;
    marker = known;
    rest = rest.slice(word.length).replace(/^[ \t]+/, '');
    if (rest.startsWith('@')) return 'only one marker is allowed';
  }

  const [hostField = ''] = rest.split(/[ \t]/, 1);
  const keyPart = rest.slice(hostField.length).replace(/^[ \t]+/, '');
  if (hostField === '') return 'missing host names';
  if (keyPart === '' || keyPart.startsWith('#')) return 'missing key';

  const names = parseNames(hostField);
  if (typeof names === 'string') return names;
  if (/^\d+[ \t]/.test(keyPart)) return 'SSH protocol 1 (RSA1) keys are not supported';
  try {
    const { type, blob, comment } = parsePublicKeyLine(keyPart);
    return { marker, names, keyType: type, keyBlob: blob, fingerprint: fingerprintSha256(blob), comment };
  } catch (error) {
    return (error as Error).message;
  }
}

function parseNames(field: string): KnownHostNames | string {
  if (!field.startsWith('|')) {
    const patterns = field.split(',').map((p) =>
      p.startsWith('!') ? { pattern: p.slice(1).toLowerCase(), negated: true } : { pattern: p.toLowerCase(), negated: false },
    );
    return { kind: 'patterns', patterns };
  }
  const match = HASHED.exec(field);
  const salt = Buffer.from(match?.[1] ?? '', 'base64');
  const hash = Buffer.from(match?.[2] ?? '', 'base64');
  // OpenSSH compares the whole re-encoded string, so a non-canonical hash can never match.
  if (match === null || salt.length !== SHA1_BYTES || hash.length !== SHA1_BYTES || hashedField(salt, hash) !== field) {
    return 'bad hashed host name (expected |1|<base64 20-byte salt>|<base64 20-byte hash>)';
  }
  return { kind: 'hashed', salt, hash };
}

/** The name OpenSSH looks up: "host" on port 22, "[host]:port" otherwise; lowercased. */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** Does this entry's host field match host:port? (Markers are not considered.) */
export function hostPatternMatches(entry: KnownHostEntry, host: string, port: number): boolean {
  return namesMatch(entry.names, knownHostsName(host, port));
}

function namesMatch(names: KnownHostNames, name: string): boolean {
  if (names.kind === 'hashed') return hmacSha1(names.salt, name).equals(names.hash);
  let positive = false;
  for (const { pattern, negated } of names.patterns) {
    if (!globMatch(name, pattern)) continue;
    if (negated) return false; // a matching negation vetoes the whole line
    positive = true;
  }
  return positive;
}

// OpenSSH's match_pattern: '*' is any run of characters, '?' exactly one, nothing else is special.
// Iterative with single-star backtracking, so hostile patterns cannot blow up.
function globMatch(text: string, pattern: string): boolean {
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '*') {
      starP = p++;
      starT = t;
    } else if (c !== undefined && (c === '?' || c === text[t])) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * Verdict for the key a server presented, checking every matching line:
 * revoked beats everything; any plain line with the same key means trusted;
 * otherwise any plain line for the host means changed (even a key of another
 * type, which is what OpenSSH does, so switching key type cannot slip past
 * accept-new); no plain line at all means unknown. @cert-authority lines are
 * ignored: they vouch for certificates, not raw keys.
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const matching = entries.filter((e) => namesMatch(e.names, name));
  const isPresented = (e: KnownHostEntry): boolean => e.keyBlob.equals(keyBlob);

  const revoked = matching.find((e) => e.marker === 'revoked' && isPresented(e));
  if (revoked) return { kind: 'revoked', entry: revoked };

  const plain = matching.filter((e) => e.marker === null);
  const trusted = plain.find(isPresented);
  if (trusted) return { kind: 'trusted', entry: trusted };
  if (plain.length === 0) return { kind: 'unknown' };

  const presentedType = normalizeKeyType(keyType);
  return {
    kind: 'changed',
    presented: fingerprintSha256(keyBlob),
    presentedType,
    sameType: plain.some((e) => e.keyType === presentedType),
    known: plain.map(({ fingerprint, keyType: type, file, line }) => ({ fingerprint, keyType: type, file, line })),
  };
}

/** A known_hosts line (no newline) for host:port, hashed with a fresh random salt if asked. */
export function knownHostsLine(
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
  opts: { hash?: boolean; comment?: string } = {},
): string {
  if (!/^[A-Za-z0-9._:%-]+$/.test(host)) throw new Error(`not a host name or address: "${host}"`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port: ${port}`);
  const type = normalizeKeyType(keyType);
  if (keyTypeOfBlob(keyBlob) !== type) throw new Error(`key type "${keyType}" does not match the key blob`);
  if (opts.comment !== undefined && /[\r\n]/.test(opts.comment)) throw new Error('comment must be one line');

  const name = knownHostsName(host, port);
  const salt = randomBytes(SHA1_BYTES);
  const names = opts.hash ? hashedField(salt, hmacSha1(salt, name)) : name;
  const comment = opts.comment ? ` ${opts.comment}` : '';
  return `${names} ${type} ${keyBlob.toString('base64')}${comment}`;
}

// Servers sign with rsa-sha2-256/512, but the key itself is always "ssh-rsa".
function normalizeKeyType(type: string): string {
  return type === 'rsa-sha2-256' || type === 'rsa-sha2-512' ? 'ssh-rsa' : type;
}

function hmacSha1(salt: Buffer, name: string): Buffer {
  return createHmac('sha1', salt).update(name).digest();
}

function hashedField(salt: Buffer, hash: Buffer): string {
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}
