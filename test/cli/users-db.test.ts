import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { createConnection } from 'mysql2/promise';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet } from '../fleet/harness.js';
import { usersTestSetup, type UsersTestSetup } from '../standins/marzban-api/test-database.js';

// Account names are server-wide in MariaDB: random worker names keep parallel runs apart.
const W1 = `w${randomBytes(3).toString('hex')}`;
const W2 = `w${randomBytes(3).toString('hex')}`;
let setup: UsersTestSetup;
const secretsFile = () => join(setup.dir, 'weclick.secrets.yaml');
const stored = () => parse(readFileSync(secretsFile(), 'utf8')).mysql.accounts as Record<string, { user: string; host: string; password: string }>;

/**
 * Connects as a worker account from a chosen source address (the test hosts share one network namespace, so the
 * server sees 127.0.0.1 unless the client binds one). mysql2 3.24 accepts but ignores `localAddress`: bind the
 * socket ourselves.
 */
const connectAs = (user: string, password: string, localAddress: string, database?: string) =>
  createConnection({
    user,
    password,
    ...(database ? { database } : {}),
    connectTimeout: 3000,
    stream: () => connect({ host: fleet().mysql.host, port: fleet().mysql.port, localAddress }),
  });

beforeAll(async () => {
  setup = await usersTestSetup([{ name: W1, address: '127.0.0.21' } as never, { name: W2, address: '127.0.0.22' } as never]);
});
afterAll(async () => {
  for (const w of [W1, W2]) await setup.pool.query('DROP USER IF EXISTS ?@?', [`mz_${w}`, w === W1 ? '127.0.0.21' : '127.0.0.22']).catch(() => undefined);
  await setup?.drop();
});

describe('per-worker MySQL accounts', () => {
  it('grant: account from the worker address only, DML on the Marzban database only, password only in the 0600 secrets file', async () => {
    const r = await setup.run(['db', 'grant', W1]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(secretsFile()).mode & 0o777).toBe(0o600);
    const account = stored()[W1]!;
    expect(account).toMatchObject({ user: `mz_${W1}`, host: '127.0.0.21', password: expect.stringMatching(/^[\w-]{32}$/) });
    expect(r.stdout + r.stderr).not.toContain(account.password);

    const conn = await connectAs(account.user, account.password, '127.0.0.21', setup.database);
    try {
      await conn.query("INSERT INTO users (username, status) VALUES ('grant_probe', 'active')");
      expect((await conn.query('SELECT username FROM users'))[0]).toEqual([{ username: 'grant_probe' }]);
      await conn.query("DELETE FROM users WHERE username = 'grant_probe'");
      await expect(conn.query('CREATE TABLE evil (id INT)')).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
      await expect(conn.query('DROP TABLE users')).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
      await expect(conn.query('SELECT * FROM mysql.user')).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
      await expect(conn.query("CREATE USER 'x'@'%'")).rejects.toMatchObject({ code: 'ER_SPECIFIC_ACCESS_DENIED_ERROR' });
      expect(((await conn.query('SHOW DATABASES'))[0] as Array<{ Database: string }>).map((d) => d.Database).sort()).toEqual(['information_schema', setup.database].sort());
    } finally {
      await conn.end();
    }
    // From any other address (another worker's, or loopback) the same password is refused.
    for (const from of ['127.0.0.22', '127.0.0.1']) await expect(connectAs(account.user, account.password, from)).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
  });

  it('accounts: shows which workers have a correct account and a stored password (exit 1 while one is missing)', async () => {
    const missing = await setup.run(['db', 'accounts', '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).accounts).toEqual([
      { server: W1, user: `mz_${W1}`, host: '127.0.0.21', exists: true, grants: 'ok', passwordStored: true, setAt: expect.any(String) },
      { server: W2, user: `mz_${W2}`, host: '127.0.0.22', exists: false, grants: 'missing', passwordStored: false, setAt: null },
    ]);
    expect((await setup.run(['db', 'grant', W2, '--migrations'])).code).toBe(0);
    const all = await setup.run(['db', 'accounts']);
    expect(all.code, all.stdout).toBe(0);
    expect(all.stdout).toMatch(new RegExp(`${W2}\\s+mz_${W2}\\s+127\\.0\\.0\\.22\\s+ok \\(\\+migrations\\)\\s+stored`));
  });

  it('grant again keeps the password and resets the grants', async () => {
    const before = stored()[W1]!.password;
    await setup.pool.query(`GRANT ALL PRIVILEGES ON \`${setup.database}\`.* TO ?@?`, [`mz_${W1}`, '127.0.0.21']);
    expect(JSON.parse((await setup.run(['db', 'accounts', '--json'])).stdout).accounts[0].grants).toBe('WRONG');
    const r = await setup.run(['db', 'grant', W1, '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ created: false });
    expect(stored()[W1]!.password).toBe(before);
    expect(JSON.parse((await setup.run(['db', 'accounts', '--json'])).stdout).accounts[0].grants).toBe('ok');
  });

  it('rotate: the old password stops working, the new one (stored only in the file) works', async () => {
    const old = stored()[W1]!.password;
    const r = await setup.run(['db', 'rotate', W1]);
    expect(r.code, r.stderr).toBe(0);
    const fresh = stored()[W1]!.password;
    expect(fresh).not.toBe(old);
    expect(r.stdout + r.stderr).not.toContain(fresh);
    await expect(connectAs(`mz_${W1}`, old, '127.0.0.21')).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
    await (await connectAs(`mz_${W1}`, fresh, '127.0.0.21')).end();
  });

  it('a secrets file readable by group or others is refused, naming the chmod that fixes it', async () => {
    chmodSync(secretsFile(), 0o640);
    const r = await setup.run(['db', 'rotate', W1]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`run chmod 600 ${secretsFile()}`);
    chmodSync(secretsFile(), 0o600);
  });

  it('revoke asks first, then drops the account and forgets its password', async () => {
    expect((await setup.run(['db', 'revoke', W2])).code).toBe(4);
    const r = await setup.run(['db', 'revoke', W2, '--yes', '--json']);
    expect(JSON.parse(r.stdout).dropped).toEqual([{ user: `mz_${W2}`, host: '127.0.0.22' }]);
    expect(stored()[W2]).toBeUndefined();
    expect(await setup.pool.query('SELECT User FROM mysql.user WHERE User = ?', [`mz_${W2}`]).then(([rows]) => rows)).toEqual([]);
    expect(existsSync(secretsFile())).toBe(true);
  });

  it('grant for a server not in the inventory: exit 3', async () => {
    const r = await setup.run(['db', 'grant', 'nosuch']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no server named 'nosuch'/);
  });
});
