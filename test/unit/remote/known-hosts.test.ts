import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintSha256, parsePublicKeyLine, type PublicKeyLine } from '../../../src/remote/fingerprint.js';
import {
  checkHostKey,
  hostPatternMatches,
  knownHostsLine,
  knownHostsName,
  parseKnownHosts,
  type KnownHostEntry,
} from '../../../src/remote/known-hosts.js';

let dir: string;
const keys: Record<string, PublicKeyLine & { text: string }> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'weclick-kh-'));
  const specs = { ed: ['-t', 'ed25519'], ed2: ['-t', 'ed25519'], rsa: ['-t', 'rsa', '-b', '2048'], ecdsa: ['-t', 'ecdsa'] };
  for (const [name, args] of Object.entries(specs)) {
    const file = join(dir, name);
    execFileSync('ssh-keygen', ['-q', ...args, '-N', '', '-C', '', '-f', file]);
    const text = readFileSync(`${file}.pub`, 'utf8').trim();
    keys[name] = { ...parsePublicKeyLine(text), text };
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function key(name: string): PublicKeyLine & { text: string } {
  const found = keys[name];
  if (found === undefined) throw new Error(`no test key ${name}`);
  return found;
}

function writeKnownHosts(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function parseFile(file: string): KnownHostEntry[] {
  const { entries, problems } = parseKnownHosts(readFileSync(file, 'utf8'), file);
  expect(problems).toEqual([]);
  return entries;
}

// Line numbers that `ssh-keygen -l -F name` reports (-l makes it parse the keys too).
function sshKeygenMatches(file: string, name: string): number[] {
  const out = spawnSync('ssh-keygen', ['-l', '-F', name, '-f', file], { encoding: 'utf8' }).stdout;
  return [...out.matchAll(/^# Host .* found: line (\d+)/gm)].map((m) => Number(m[1]));
}

function ourMatches(entries: KnownHostEntry[], host: string, port: number): number[] {
  return entries.filter((e) => hostPatternMatches(e, host, port)).map((e) => e.line);
}

describe('knownHostsName', () => {
  it('writes port 22 bare and other ports bracketed, lowercased', () => {
    expect(knownHostsName('Web1.Example.com', 22)).toBe('web1.example.com');
    expect(knownHostsName('192.0.2.1', 2222)).toBe('[192.0.2.1]:2222');
    expect(knownHostsName('::1', 2222)).toBe('[::1]:2222');
  });
});

describe('host matching agrees with ssh-keygen -F', () => {
  const queries: Array<[string, number]> = [
    ['web1.example.com', 22], ['192.0.2.1', 22], ['192.0.2.1', 2222], ['web2.example.com', 2222],
    ['web2.example.com', 22], ['bad.example.com', 22], ['web3.example.com', 22], ['web9.example.com', 2222],
    ['db1.corp', 22], ['db12.corp', 22], ['x.corp', 22], ['web4', 22], ['nothing.test', 22], ['192.0.2.12', 22],
  ];

  it('on plain, wildcard, negated, bracketed and marker lines', () => {
    const ed = key('ed').text;
    const rsa = key('rsa').text;
    const file = writeKnownHosts('agree', [
      '# a comment, then a blank line',
      '',
      `web1.example.com,192.0.2.1 ${ed}`,
      `[web2.example.com]:2222,[192.0.2.1]:2222 ${rsa} rsa comment`,
      `*.example.com,!bad.example.com ${key('ecdsa').text}`,
      `[*.example.com]:2222 ${ed}`,
      `db?.corp ${ed}`,
      `Web3.Example.COM ${rsa}`,
      `@revoked 192.0.2.* ${rsa}`,
      `@cert-authority *.corp ${ed}`,
      `  \tweb4\t${ed}`,
    ]);
    const entries = parseFile(file);
    expect(entries).toHaveLength(9);
    for (const [host, port] of queries) {
      expect(ourMatches(entries, host, port), `${host}:${port}`).toEqual(sshKeygenMatches(file, knownHostsName(host, port)));
    }
  });

  it('on a file hashed by ssh-keygen -H', () => {
    const names = ['web1.example.com', '192.0.2.1', '[web2.example.com]:2222', '[192.0.2.1]:2222', 'db1.corp'];
    const file = writeKnownHosts('hashed', [
      `web1.example.com,192.0.2.1 ${key('ed').text}`,
      `web1.example.com ${key('rsa').text}`,
      `[web2.example.com]:2222,[192.0.2.1]:2222 ${key('ecdsa').text}`,
      `db1.corp ${key('ed2').text}`,
    ]);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
    const entries = parseFile(file);
    // ssh-keygen -H writes one hashed line per name.
    expect(entries).toHaveLength(6);
    expect(entries.every((e) => e.names.kind === 'hashed')).toBe(true);
    for (const [host, port] of queries) {
      expect(ourMatches(entries, host, port), `${host}:${port}`).toEqual(sshKeygenMatches(file, knownHostsName(host, port)));
    }
    for (const name of names) {
      expect(sshKeygenMatches(file, name).length).toBeGreaterThan(0);
    }
    // Both keys of web1 are found although each sits on its own hashed line.
    expect(checkHostKey(entries, 'web1.example.com', 22, 'ssh-rsa', key('rsa').blob).kind).toBe('trusted');
    expect(checkHostKey(entries, 'WEB1.example.com', 22, 'ssh-ed25519', key('ed').blob).kind).toBe('trusted');
    expect(checkHostKey(entries, '192.0.2.1', 2222, 'ecdsa-sha2-nistp256', key('ecdsa').blob).kind).toBe('trusted');
  });
});

describe('parseKnownHosts', () => {
  it('reads markers, comments, patterns and fingerprints', () => {
    const text = [
      `@revoked * ${key('rsa').text}`,
      '# comment',
      `web1,!web1.bad,[h]:2200 ${key('ed').text} my host key`,
    ].join('\r\n');
    const { entries, problems } = parseKnownHosts(text, 'kh');
    expect(problems).toEqual([]);
    const [revoked, web1] = entries;
    expect(revoked).toMatchObject({ file: 'kh', line: 1, marker: 'revoked', keyType: 'ssh-rsa' });
    expect(web1).toMatchObject({
      line: 3,
      marker: null,
      keyType: 'ssh-ed25519',
      comment: 'my host key',
      fingerprint: fingerprintSha256(key('ed').blob),
      names: {
        kind: 'patterns',
        patterns: [
          { pattern: 'web1', negated: false },
          { pattern: 'web1.bad', negated: true },
          { pattern: '[h]:2200', negated: false },
        ],
      },
    });
  });

  it('reports garbage lines with their numbers and keeps the good ones', () => {
    const ed = key('ed').text;
    const [type = '', base64 = ''] = ed.split(' ');
    const text = [
      `good1 ${ed}`,
      'garbage line here',
      `@bogus host ${ed}`,
      `@revoked @revoked host ${ed}`,
      'lonely-host',
      'host # no key',
      `host ${type}`,
      `host ${type} not!base64`,
      `host ssh-rsa ${base64}`,
      `host ${type} ${base64.slice(0, 40)}`,
      `|1|abc|def ${ed}`,
      'host 2048 65537 12345678901234567890',
      `good2 ${ed}`,
    ].join('\n');
    const { entries, problems } = parseKnownHosts(text, '/tmp/kh');
    expect(entries.map((e) => e.line)).toEqual([1, 13]);
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(problems.every((p) => p.file === '/tmp/kh' && p.problem.length > 0)).toBe(true);
    expect(problems.find((p) => p.line === 3)?.problem).toMatch(/unknown marker/);
    expect(problems.find((p) => p.line === 9)?.problem).toMatch(/does not match/);
    expect(problems.find((p) => p.line === 11)?.problem).toMatch(/hashed/);
    expect(problems.find((p) => p.line === 12)?.problem).toMatch(/RSA1/);
  });
});

describe('checkHostKey', () => {
  function entriesOf(lines: string[]): KnownHostEntry[] {
    const { entries, problems } = parseKnownHosts(lines.join('\n'), 'kh');
    expect(problems).toEqual([]);
    return entries;
  }

  it('trusts a key found on any matching line, hashed or not', () => {
    const hashed = knownHostsLine('web1', 22, 'ssh-ed25519', key('ed').blob, { hash: true });
    const entries = entriesOf([`web1 ${key('rsa').text}`, `other ${key('ecdsa').text}`, hashed]);
    const verdict = checkHostKey(entries, 'web1', 22, 'ssh-ed25519', key('ed').blob);
    expect(verdict).toMatchObject({ kind: 'trusted', entry: { line: 3 } });
    expect(checkHostKey(entries, 'web1', 22, 'rsa-sha2-512', key('rsa').blob)).toMatchObject({ kind: 'trusted' });
  });

  it('is unknown for a host without lines, or on another port', () => {
    const entries = entriesOf([`web1 ${key('ed').text}`, `@cert-authority web2 ${key('ed').text}`]);
    expect(checkHostKey(entries, 'web2', 22, 'ssh-ed25519', key('ed').blob)).toEqual({ kind: 'unknown' });
    expect(checkHostKey(entries, 'web1', 2222, 'ssh-ed25519', key('ed').blob)).toEqual({ kind: 'unknown' });
    expect(checkHostKey([], 'web1', 22, 'ssh-ed25519', key('ed').blob)).toEqual({ kind: 'unknown' });
  });

  it('reports a different key of the same type as changed, listing every known key', () => {
    const entries = entriesOf([`web1 ${key('ed').text}`, `*.x,web1 ${key('rsa').text}`]);
    const verdict = checkHostKey(entries, 'web1', 22, 'ssh-ed25519', key('ed2').blob);
    expect(verdict).toEqual({
      kind: 'changed',
      presented: fingerprintSha256(key('ed2').blob),
      presentedType: 'ssh-ed25519',
      sameType: true,
      known: [
        { fingerprint: fingerprintSha256(key('ed').blob), keyType: 'ssh-ed25519', file: 'kh', line: 1 },
        { fingerprint: fingerprintSha256(key('rsa').blob), keyType: 'ssh-rsa', file: 'kh', line: 2 },
      ],
    });
  });

  it('treats a host known only by other key types as changed, like OpenSSH', () => {
    // OpenSSH 9.2 prints "REMOTE HOST IDENTIFICATION HAS CHANGED" here; calling it
    // unknown would let a man in the middle pass accept-new by offering another type.
    const entries = entriesOf([`web1 ${key('rsa').text}`]);
    const verdict = checkHostKey(entries, 'web1', 22, 'ssh-ed25519', key('ed').blob);
    expect(verdict).toMatchObject({ kind: 'changed', sameType: false, known: [{ keyType: 'ssh-rsa', line: 1 }] });
  });

  it('lets @revoked win even over a trusting line', () => {
    const entries = entriesOf([`web1 ${key('ed').text}`, `@revoked * ${key('ed').text}`]);
    expect(checkHostKey(entries, 'web1', 22, 'ssh-ed25519', key('ed').blob)).toMatchObject({
      kind: 'revoked',
      entry: { line: 2, marker: 'revoked' },
    });
    // A revocation only applies to the hosts it names.
    const scoped = entriesOf([`web1 ${key('ed').text}`, `@revoked web2 ${key('ed').text}`]);
    expect(checkHostKey(scoped, 'web1', 22, 'ssh-ed25519', key('ed').blob).kind).toBe('trusted');
  });

  it('does not trust a raw key because it is listed as a @cert-authority', () => {
    const entries = entriesOf([`@cert-authority web1 ${key('ed').text}`]);
    expect(checkHostKey(entries, 'web1', 22, 'ssh-ed25519', key('ed').blob)).toEqual({ kind: 'unknown' });
  });

  it('honours wildcards and negation', () => {
    const entries = entriesOf([`*.example.com,!bad.example.com ${key('ed').text}`]);
    expect(checkHostKey(entries, 'a.example.com', 22, 'ssh-ed25519', key('ed').blob).kind).toBe('trusted');
    expect(checkHostKey(entries, 'bad.example.com', 22, 'ssh-ed25519', key('ed').blob).kind).toBe('unknown');
    expect(checkHostKey(entries, 'example.com', 22, 'ssh-ed25519', key('ed').blob).kind).toBe('unknown');
    expect(checkHostKey(entries, 'a.example.com', 2222, 'ssh-ed25519', key('ed').blob).kind).toBe('unknown');
  });
});

describe('knownHostsLine', () => {
  it('writes lines that ssh-keygen finds, hashed and plain, on any port', () => {
    const lines = [
      knownHostsLine('Web1.Example.com', 22, 'ssh-ed25519', key('ed').blob, { comment: 'added by weclick' }),
      knownHostsLine('192.0.2.7', 2222, 'ssh-rsa', key('rsa').blob, { hash: true }),
      knownHostsLine('web5', 22, 'ecdsa-sha2-nistp256', key('ecdsa').blob, { hash: true, comment: 'c' }),
    ];
    expect(lines[0]).toBe(`web1.example.com ${key('ed').text} added by weclick`);
    expect(lines[1]).toMatch(/^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-rsa AAAA/);
    const file = writeKnownHosts('written', lines);
    expect(sshKeygenMatches(file, 'web1.example.com')).toEqual([1]);
    expect(sshKeygenMatches(file, '[192.0.2.7]:2222')).toEqual([2]);
    expect(sshKeygenMatches(file, '192.0.2.7')).toEqual([]);
    expect(sshKeygenMatches(file, 'web5')).toEqual([3]);
    const entries = parseFile(file);
    expect(checkHostKey(entries, '192.0.2.7', 2222, 'ssh-rsa', key('rsa').blob).kind).toBe('trusted');
  });

  it('uses a fresh salt for every hashed line', () => {
    const a = knownHostsLine('web1', 22, 'ssh-ed25519', key('ed').blob, { hash: true });
    const b = knownHostsLine('web1', 22, 'ssh-ed25519', key('ed').blob, { hash: true });
    expect(a).not.toBe(b);
  });

  it('rejects input that would produce a broken line', () => {
    const blob = key('ed').blob;
    expect(() => knownHostsLine('web 1', 22, 'ssh-ed25519', blob)).toThrow(/host/);
    expect(() => knownHostsLine('*.example.com', 22, 'ssh-ed25519', blob)).toThrow(/host/);
    expect(() => knownHostsLine('web1', 0, 'ssh-ed25519', blob)).toThrow(/port/);
    expect(() => knownHostsLine('web1', 22, 'ssh-rsa', blob)).toThrow(/does not match/);
    expect(() => knownHostsLine('web1', 22, 'ssh-ed25519', blob, { comment: 'a\nb' })).toThrow(/one line/);
  });
});
