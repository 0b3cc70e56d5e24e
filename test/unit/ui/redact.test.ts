import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redact, redactValue, registerSecret } from '../../../src/ui/redact.js';

// The registry is process-wide: every test uses values no other test registers.
let n = 0;
const unique = (stem: string) => `${stem}-${++n}-${Math.random().toString(36).slice(2, 10)}`;

describe('redact', () => {
  it('replaces every occurrence of a registered secret', () => {
    const secret = unique('tok');
    registerSecret(secret);
    expect(redact(`a ${secret} b ${secret}${secret}`)).toBe('a [REDACTED] b [REDACTED][REDACTED]');
  });

  it('leaves text without secrets alone', () => {
    const text = `nothing secret here ${unique('plain')}`;
    expect(redact(text)).toBe(text);
  });

  it('ignores empty, undefined and very short values (they would redact ordinary words)', () => {
    registerSecret(undefined);
    registerSecret('');
    registerSecret('abc');
    expect(redact('abc abcd')).toBe('abc abcd');
  });

  it('registers values of 4 characters and more', () => {
    const secret = `Q${String(++n).padStart(3, '0')}`.slice(0, 4);
    registerSecret(secret);
    expect(redact(`x${secret}x`)).toBe('x[REDACTED]x');
  });

  it('replaces a longer secret whole when it contains a shorter one', () => {
    const short = unique('inner');
    const long = `${short}-and-more`;
    registerSecret(short);
    registerSecret(long);
    expect(redact(`${long} / ${short}`)).toBe('[REDACTED] / [REDACTED]');
    expect(redact(long)).not.toContain('-and-more');
  });

  it('treats regex characters in a secret literally', () => {
    const secret = `${unique('x')}.*+?^$()[]{}|\\`;
    registerSecret(secret);
    expect(redact(`<${secret}>`)).toBe('<[REDACTED]>');
    expect(redact(`${unique('x')}aaaa`)).not.toContain('[REDACTED]');
  });

  it('redacts the password of URL credentials, even unregistered', () => {
    expect(redact('mysql://admin:hunter22@db.weclick.tech:3306/marzban')).toBe('mysql://admin:[REDACTED]@db.weclick.tech:3306/marzban');
    expect(redact('see https://user:p%40ss@example.net/x and more')).toBe('see https://user:[REDACTED]@example.net/x and more');
    expect(redact('redis://:only-a-password@cache:6379')).toBe('redis://:[REDACTED]@cache:6379');
    expect(redact('HTTPS://U:P4ss@host')).toBe('HTTPS://U:[REDACTED]@host');
  });

  it('leaves URLs without credentials and e-mail addresses alone', () => {
    for (const text of ['https://example.net/a:b@c', 'https://go.weclick.tech:443/sub', 'mail ops@weclick.tech', 'ssh root@203.0.113.10']) {
      expect(redact(text)).toBe(text);
    }
  });

  it('never lets a registered secret through, whatever surrounds it', () => {
    const secret = unique('prop');
    registerSecret(secret);
    fc.assert(
      fc.property(fc.string(), fc.string(), (before, after) => {
        expect(redact(`${before}${secret}${after}`)).not.toContain(secret);
      }),
      { numRuns: 200 },
    );
  });
});

describe('redactValue', () => {
  it('redacts strings deep inside objects and arrays, keeping the shape', () => {
    const secret = unique('deep');
    registerSecret(secret);
    const value = { a: secret, list: [1, `x ${secret} y`, { b: [secret] }], n: 3, t: true, z: null };
    expect(redactValue(value)).toEqual({ a: '[REDACTED]', list: [1, 'x [REDACTED] y', { b: ['[REDACTED]'] }], n: 3, t: true, z: null });
    // The input is not modified.
    expect(value.a).toBe(secret);
  });

  it('redacts a secret that JSON escapes (quotes, backslashes, newlines)', () => {
    const secret = `${unique('q')}"with\\odd\nchars`;
    registerSecret(secret);
    const out = redactValue({ message: `failed: ${secret}` });
    expect(out.message).toBe('failed: [REDACTED]');
    expect(JSON.stringify(out)).not.toContain(JSON.stringify(secret).slice(1, -1));
  });

  it('stays valid when a secret looks like JSON syntax or a number', () => {
    const digits = String(900_000 + (++n % 1000)).repeat(2);
    registerSecret(digits);
    registerSecret('true');
    registerSecret('null,');
    const value = { port: Number(digits), flag: true, list: [null, 1], text: `pin ${digits}` };
    const out = redactValue(value);
    expect(out.text).toBe('pin [REDACTED]');
    expect(out.flag).toBe(true);
    expect(out.list).toEqual([null, 1]);
  });

  it('redacts object keys too', () => {
    const secret = unique('key');
    registerSecret(secret);
    expect(Object.keys(redactValue({ [secret]: 1 }))).toEqual(['[REDACTED]']);
  });

  it('passes undefined, numbers and plain strings through', () => {
    expect(redactValue(undefined)).toBeNull();
    expect(redactValue(42)).toBe(42);
    expect(redactValue('plain')).toBe('plain');
  });
});
