import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/users/units.js';
import { checkUsername, newProxySettings, parseProtocols, userSpec } from '../../../src/users/user-spec.js';

const NOW = Date.UTC(2026, 0, 1) / 1000;

describe('usernames: ^[a-z0-9_]{3,32}$', () => {
  it.each(['abc', 'user_1', '123', '_ab', 'x'.repeat(32)])('accepts %j', (name) => expect(checkUsername(name)).toBe(name));
  // Marzban itself accepts user-1, user@mail.com and abc.def (and, through its lookahead quirk, 'abc-' + 60 letters).
  it.each(['ab', 'x'.repeat(33), 'Alice', 'user-1', 'user@mail.com', 'abc.def', 'a b c', 'юзер', '', "a'; DROP TABLE users; --", 'abc\n', `abc-${'x'.repeat(60)}`])('refuses %j', (name) =>
    expect(() => checkUsername(name)).toThrow(InputError),
  );
  it('escapes control characters when quoting a bad name', () => expect(() => checkUsername('ab\u0007c')).toThrow(/ab\\u0007c/));
});

describe('protocols', () => {
  it('maps API names to the enum names Marzban stores, without duplicates', () => expect(parseProtocols('vless, VMESS,vless,shadowsocks')).toEqual(['VLESS', 'VMess', 'Shadowsocks']));
  it('refuses unknown ones and empty lists', () => {
    expect(() => parseProtocols('wireguard')).toThrow(/unknown protocol/);
    expect(() => parseProtocols(',')).toThrow(/at least one/);
  });
  it('generates settings shaped as Marzban stores them', () => {
    expect(newProxySettings('VMess')).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(newProxySettings('VLESS')).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), flow: '' });
    expect(newProxySettings('Trojan')).toEqual({ password: expect.stringMatching(/^[\w-]{22}$/), flow: '' });
    expect(newProxySettings('Shadowsocks')).toEqual({ password: expect.stringMatching(/^[\w-]{22}$/), method: 'chacha20-ietf-poly1305' });
  });
});

describe('userSpec', () => {
  it('defaults: all four protocols, no limit, never expires, no_reset', () => {
    expect(userSpec({ username: 'alice' }, NOW)).toEqual({ username: 'alice', dataLimit: null, expire: null, protocols: ['VMess', 'VLESS', 'Trojan', 'Shadowsocks'], reset: 'no_reset', onHold: null, note: null, admin: null });
  });
  it('reports every problem of a row at once', () => {
    try {
      userSpec({ username: 'A', dataLimit: 'lots', expire: '2020-01-01', reset: 'hourly' }, NOW);
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      for (const part of ['username', 'not a size', 'in the past', 'reset']) expect(message).toContain(part);
    }
  });
  it('on-hold excludes an expiry; notes are capped at 500 characters', () => {
    expect(() => userSpec({ username: 'alice', onHold: '30d', expire: '30d' }, NOW)).toThrow(/exclude each other/);
    expect(() => userSpec({ username: 'alice', note: 'n'.repeat(501) }, NOW)).toThrow(/500/);
    expect(userSpec({ username: 'alice', onHold: '30d' }, NOW).onHold).toBe(30 * 86400);
  });
});
