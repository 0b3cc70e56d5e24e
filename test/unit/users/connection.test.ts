import { describe, expect, it } from 'vitest';
import type { EnvFile } from '../../../src/secrets/env-file.js';
import { mysqlError, mysqlSettings, poolOptions } from '../../../src/users/connection.js';
import type { Inventory } from '../../../src/inventory/schema.js';

const inventory = { fleet: { domain: 'example.org', names: { entry: 'go', subscription: 'podpiska', management: 'mngmt', mysql: 'db' }, mysql: { port: 3306, database: 'marzban' } }, servers: [] } as unknown as Inventory;
const env = (values: Record<string, string>): EnvFile => ({ path: '/x/.env', exists: true, values });

describe('MySQL settings', () => {
  it('default host is <names.mysql>.<domain>; .env gives the admin account', () => {
    expect(mysqlSettings(inventory, env({ MYSQL_ADMIN_USER: 'admin', MYSQL_ADMIN_PASSWORD: 'pw' }), {})).toEqual({ host: 'db.example.org', port: 3306, database: 'marzban', user: 'admin', password: 'pw', tls: 'off' });
  });
  it('the environment wins over .env (MYSQL_HOST points tests at the test MariaDB)', () => {
    const s = mysqlSettings(inventory, env({ MYSQL_ADMIN_USER: 'admin', MYSQL_ADMIN_PASSWORD: 'pw', MYSQL_HOST: 'from-env-file' }), { MYSQL_HOST: '127.0.0.10', MYSQL_DATABASE: 'other' });
    expect([s.host, s.database]).toEqual(['127.0.0.10', 'other']);
  });
  it('names what is missing, never a value', () => {
    expect(() => mysqlSettings(inventory, env({}), {})).toThrow('MYSQL_ADMIN_USER and MYSQL_ADMIN_PASSWORD not set: put them in /x/.env');
    expect(() => mysqlSettings(inventory, env({ MYSQL_ADMIN_USER: 'a', MYSQL_ADMIN_PASSWORD: 'b', MYSQL_TLS: 'maybe' }), {})).toThrow(/off, required or verify/);
    expect(() => mysqlSettings(inventory, env({ MYSQL_ADMIN_USER: 'a', MYSQL_ADMIN_PASSWORD: 'b', MYSQL_DATABASE: 'x; DROP' }), {})).toThrow(/plain database name/);
  });
  it('TLS: required → encrypted without a CA check; verify → checked', () => {
    const base = { host: 'h', port: 1, database: 'd', user: 'u', password: 'p' };
    expect(poolOptions({ ...base, tls: 'off' }).ssl).toBeUndefined();
    expect(poolOptions({ ...base, tls: 'required' }).ssl).toMatchObject({ rejectUnauthorized: false });
    expect(poolOptions({ ...base, tls: 'verify' }).ssl).toMatchObject({ rejectUnauthorized: true });
    expect(poolOptions({ ...base, tls: 'off' })).toMatchObject({ timezone: 'Z', multipleStatements: false });
  });
  it('turns driver errors into one line without the password', () => {
    const where = { host: 'db.example.org', port: 3306, user: 'admin', database: 'marzban' };
    expect(mysqlError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), where).message).toBe('cannot reach MySQL at db.example.org:3306: connection refused (is MySQL running? check fleet.mysql or MYSQL_HOST)');
    const denied = mysqlError(Object.assign(new Error("Access denied for user 'admin'@'x' (using password: YES)"), { code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 }), where);
    expect(denied.message).toMatch(/refused user 'admin': wrong MYSQL_ADMIN_USER or MYSQL_ADMIN_PASSWORD/);
  });
});
