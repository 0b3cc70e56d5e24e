import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintSha256, keyTypeOfBlob, parsePublicKeyLine } from '../../../src/remote/fingerprint.js';

let dir: string;

// Key files made by the real ssh-keygen, one per type we expect to meet.
const KEYS = [
  { name: 'ed25519', args: ['-t', 'ed25519'], type: 'ssh-ed25519' },
  { name: 'rsa', args: ['-t', 'rsa', '-b', '2048'], type: 'ssh-rsa' },
  { name: 'ecdsa', args: ['-t', 'ecdsa'], type: 'ecdsa-sha2-nistp256' },
  { name: 'ecdsa384', args: ['-t', 'ecdsa', '-b', '384'], type: 'ecdsa-sha2-nistp384' },
  { name: 'ecdsa521', args: ['-t', 'ecdsa', '-b', '521'], type: 'ecdsa-sha2-nistp521' },
] as const;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'weclick-fp-'));
  for (const key of KEYS) {
    const file = join(dir, key.name);
    execFileSync('ssh-keygen', ['-q', ...key.args, '-N', '', '-C', `${key.name} test  key`, '-f', file]);
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function pubLine(name: string): string {
  return readFileSync(join(dir, `${name}.pub`), 'utf8');
}

// `ssh-keygen -lf` prints "<bits> SHA256:<fp> <comment> (<TYPE>)".
function sshKeygenFingerprint(name: string): string {
  const out = execFileSync('ssh-keygen', ['-E', 'sha256', '-lf', join(dir, `${name}.pub`)], { encoding: 'utf8' });
  const fp = out.split(' ')[1];
  if (fp === undefined) throw new Error(`unexpected ssh-keygen output: ${out}`);
  return fp;
}

describe.each(KEYS)('$name key from ssh-keygen', (key) => {
  it('parses the .pub line', () => {
    const parsed = parsePublicKeyLine(pubLine(key.name));
    expect(parsed.type).toBe(key.type);
    expect(parsed.comment).toBe(`${key.name} test  key`);
    expect(keyTypeOfBlob(parsed.blob)).toBe(key.type);
  });

  it('fingerprints exactly like ssh-keygen -lf', () => {
    const { blob } = parsePublicKeyLine(pubLine(key.name));
    const fp = fingerprintSha256(blob);
    expect(fp).toBe(sshKeygenFingerprint(key.name));
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('parsePublicKeyLine', () => {
  it('accepts a line without a comment and with extra whitespace', () => {
    const [type, base64] = pubLine('ed25519').split(' ');
    const parsed = parsePublicKeyLine(`  ${type}\t${base64}  \n`);
    expect(parsed.comment).toBe('');
    expect(parsed.blob.toString('base64')).toBe(base64);
  });

  it('rejects malformed lines', () => {
    const [type = '', base64 = ''] = pubLine('ed25519').split(' ');
    expect(() => parsePublicKeyLine('')).toThrow(/expected/);
    expect(() => parsePublicKeyLine(type)).toThrow(/expected/);
    expect(() => parsePublicKeyLine(`${type} not*base64`)).toThrow(/base64/);
    expect(() => parsePublicKeyLine(`ssh-rsa ${base64}`)).toThrow(/does not match/);
    // Drop the last 8 bytes of the key: the length prefix no longer fits.
    const truncated = Buffer.from(base64, 'base64').subarray(0, -8).toString('base64');
    expect(() => parsePublicKeyLine(`${type} ${truncated}`)).toThrow(/truncated/);
  });
});

describe('keyTypeOfBlob', () => {
  it('reads the first SSH string', () => {
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from('ssh-foo'), Buffer.from([0, 0, 0, 0])]);
    expect(keyTypeOfBlob(blob)).toBe('ssh-foo');
  });

  it('throws on an empty or truncated blob', () => {
    expect(() => keyTypeOfBlob(Buffer.alloc(0))).toThrow(/truncated/);
    expect(() => keyTypeOfBlob(Buffer.from([0, 0, 0, 9, 0x61]))).toThrow(/truncated/);
    expect(() => keyTypeOfBlob(Buffer.from([0, 0, 0, 0]))).toThrow(/key type/);
  });
});

describe('fingerprintSha256', () => {
  it('matches a known vector', () => {
    // sha256("") in unpadded base64.
    expect(fingerprintSha256(Buffer.alloc(0))).toBe('SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU');
  });
});
