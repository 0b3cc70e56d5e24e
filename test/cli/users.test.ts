import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSubscriptionToken } from '../../src/users/token.js';
import { usersTestSetup, type UsersTestSetup } from '../standins/marzban-api/test-database.js';
import { fleet } from '../fleet/harness.js';

let setup: UsersTestSetup;
const rows = async (sql: string, values: unknown[] = []) => (await setup.pool.query<RowDataPacket[]>(sql, values))[0];
const userCount = async () => Number((await rows('SELECT COUNT(*) AS n FROM users'))[0]!.n);

beforeAll(async () => {
  // mngmt holds no marzban role: these tests cover the database side; propagation is in test/fleet/users-propagation.
  setup = await usersTestSetup(['mngmt']);
});
afterAll(async () => setup?.drop());

describe('the migration creates the Marzban v0.8.4 schema', () => {
  it('has every table, enum names as Marzban stores them, the alembic head, a jwt secret and the weclick admin', async () => {
    const tables = (await rows('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()')).map((r) => String(r.t)).sort();
    expect(tables).toEqual(['admin_usage_logs', 'admins', 'alembic_version', 'exclude_inbounds_association', 'hosts', 'inbounds', 'jwt', 'next_plans', 'node_usages', 'node_user_usages', 'nodes', 'notification_reminders', 'proxies', 'system', 'template_inbounds_association', 'tls', 'user_templates', 'user_usage_logs', 'users', 'weclick_pending']);
    const column = async (table: string, name: string) => (await rows('SELECT column_type AS type, is_nullable AS nullable, collation_name AS coll, column_default AS def FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?', [table, name]))[0]!;
    expect(await column('users', 'status')).toMatchObject({ type: "enum('on_hold','active','limited','expired','disabled')", nullable: 'NO' });
    expect(await column('users', 'data_limit_reset_strategy')).toMatchObject({ type: "enum('no_reset','day','week','month','year')", def: "'no_reset'" });
    expect(await column('users', 'username')).toMatchObject({ type: 'varchar(34)', coll: 'utf8mb4_bin' });
    expect(await column('users', 'expire')).toMatchObject({ type: 'int(11)' });
    expect(await column('users', 'sub_last_user_agent')).toMatchObject({ type: 'varchar(512)' });
    expect(await column('proxies', 'type')).toMatchObject({ type: "enum('VMess','VLESS','Trojan','Shadowsocks')", nullable: 'NO' });
    expect(await column('hosts', 'alpn')).toMatchObject({ type: "enum('h3','h3,h2','h3,h2,http/1.1','none','h2','http/1.1','h2,http/1.1')", def: null });
    expect(await column('nodes', 'usage_coefficient')).toMatchObject({ type: 'float', def: '1' });
    const indexes = (await rows("SELECT index_name AS i, non_unique AS nu FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'users' AND column_name = 'username'"));
    expect(indexes).toEqual([{ i: 'ix_users_username', nu: 0 }]);
    expect(await rows('SELECT version_num FROM alembic_version')).toEqual([{ version_num: '2b231de97dc3' }]);
    expect((await rows('SELECT id, secret_key FROM jwt'))[0]).toMatchObject({ id: 1, secret_key: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await rows('SELECT id, uplink, downlink FROM system')).toEqual([{ id: 1, uplink: 0, downlink: 0 }]);
    expect((await rows("SELECT is_sudo, hashed_password FROM admins WHERE username = 'weclick'"))[0]).toMatchObject({ is_sudo: 1, hashed_password: expect.stringMatching(/^\$2b\$12\$[./A-Za-z0-9]{53}$/) });
  });

  it('is strict about enum values: anything outside the list is rejected (error 1265), as on a real Marzban MySQL', async () => {
    await expect(setup.pool.query("INSERT INTO proxies (user_id, type, settings) VALUES (NULL, 'WireGuard', '{}')")).rejects.toMatchObject({ errno: 1265 });
    await expect(setup.pool.query("INSERT INTO users (username, status) VALUES ('enum_probe', 'paused')")).rejects.toMatchObject({ errno: 1265 });
  });

  it('running it again changes nothing', async () => {
    const r = await setup.run(['db', 'migrate', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ created: [], alembicVersion: '2b231de97dc3', versionMismatch: false });
  });
});

describe('users add', () => {
  it('writes the user and one proxy per protocol in Marzban form, and prints a subscription URL Marzban accepts', async () => {
    const note = `'); DROP TABLE users; -- "quoted" \\ and ${'`'}backticks${'`'}`;
    const r = await setup.run(['users', 'add', 'alice', '--data-limit', '50GB', '--expire', '2030-06-30', '--protocols', 'vless,shadowsocks', '--reset', 'month', '--note', note, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const [user] = await rows('SELECT * FROM users WHERE username = ?', ['alice']);
    expect(user).toMatchObject({ status: 'active', data_limit: 50 * 1024 ** 3, expire: Date.UTC(2030, 5, 30, 23, 59, 59) / 1000, data_limit_reset_strategy: 'month', note, used_traffic: 0, admin_id: null });
    const proxies = await rows('SELECT type, settings FROM proxies WHERE user_id = ? ORDER BY id', [user!.id]);
    expect(proxies.map((p) => p.type)).toEqual(['VLESS', 'Shadowsocks']);
    const settings = proxies.map((p) => (typeof p.settings === 'string' ? JSON.parse(p.settings) : p.settings));
    expect(settings[0]).toEqual({ id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4/), flow: '' });
    expect(settings[1]).toEqual({ password: expect.any(String), method: 'chacha20-ietf-poly1305' });
    const url = out.subscriptionUrl as string;
    expect(url).toMatch(/^https:\/\/podpiska\.weclick\.test\/sub\/[\w-]+$/);
    const [jwt] = await rows('SELECT secret_key FROM jwt');
    const payload = readSubscriptionToken(url.split('/').pop()!, jwt!.secret_key);
    expect(payload?.username).toBe('alice');
    expect(payload!.issuedAt).toBeGreaterThanOrEqual((user!.created_at as Date).getTime() / 1000);
    expect(await rows("SHOW TABLES LIKE 'users'")).toHaveLength(1);
  });

  it('on hold: status on_hold with the hold duration and no expiry', async () => {
    const r = await setup.run(['users', 'add', 'holder', '--on-hold', '30d']);
    expect(r.code, r.stderr).toBe(0);
    expect((await rows('SELECT status, expire, on_hold_expire_duration AS d FROM users WHERE username = ?', ['holder']))[0]).toEqual({ status: 'on_hold', expire: null, d: 30 * 86400 });
  });

  it.each([
    [['users', 'add', 'ab'], /3-32 characters/],
    [['users', 'add', 'x'.repeat(33)], /3-32 characters/],
    [['users', 'add', 'Alice'], /a-z, 0-9 and _/],
    [['users', 'add', 'user-1'], /a-z, 0-9 and _/],
    [['users', 'add', 'a@b.cd'], /a-z, 0-9 and _/],
    [['users', 'add', "x'; DROP TABLE users; --"], /a-z, 0-9 and _/],
    [['users', 'add', 'alice'], /user 'alice' already exists/],
    [['users', 'add', 'newbie', '--data-limit', 'lots'], /'lots' is not a size/],
    [['users', 'add', 'newbie', '--data-limit', '50XB'], /not a size/],
    [['users', 'add', 'newbie', '--expire', '30 days'], /not an expiry/],
    [['users', 'add', 'newbie', '--on-hold', '30m'], /not a duration/],
    [['users', 'add', 'newbie', '--expire', '2020-01-01'], /in the past/],
    [['users', 'add', 'newbie', '--expire', '2026-02-30'], /not a real calendar date/],
    [['users', 'add', 'newbie', '--expire', '30d', '--on-hold', '7d'], /exclude each other/],
    [['users', 'add', 'newbie', '--protocols', 'wireguard'], /unknown protocol/],
    [['users', 'add', 'newbie', '--reset', 'hourly'], /must be one of/],
    [['users', 'add', 'newbie', '--admin', 'nobody'], /no Marzban admin named 'nobody'/],
  ])('refuses %j (exit 3, nothing written)', async (args, message) => {
    const before = await userCount();
    const r = await setup.run(args);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await userCount()).toBe(before);
  });
});

describe('MySQL down or refusing', () => {
  it('down: one clear line, exit 1, no stack', async () => {
    const r = await setup.run(['users', 'list'], { env: { MYSQL_PORT: '3399' } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`error: cannot reach MySQL at ${fleet().mysql.host}:3399: connection refused (is MySQL running? check fleet.mysql or MYSQL_HOST)`);
  });

  it('wrong credentials: one line naming the user, never the password', async () => {
    const r = await setup.run(['users', 'add', 'nobody_here'], { env: { MYSQL_ADMIN_PASSWORD: 'Wrong-Secret-Password-42' } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^error: MySQL at .+ refused user 'weclick_admin': wrong MYSQL_ADMIN_USER or MYSQL_ADMIN_PASSWORD/);
    expect(r.stderr).not.toContain('Wrong-Secret-Password-42');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('TLS asked of a server without it: refused before anything is sent', async () => {
    const r = await setup.run(['users', 'list'], { env: { MYSQL_TLS: 'required' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not offer TLS|TLS to MySQL .* failed/);
  });

  it('an empty environment variable does not hide the .env value (the environment wins only when set)', async () => {
    const r = await setup.run(['users', 'list'], { env: { MYSQL_ADMIN_USER: '', MYSQL_ADMIN_PASSWORD: '' } });
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('import, list, show and changes', () => {
  it('imports a CSV of 120 users in one go', async () => {
    const file = join(setup.dir, 'users.csv');
    const lines = Array.from({ length: 120 }, (_, i) => `u${String(i).padStart(3, '0')},${i + 1}GB,${i < 10 ? '3d' : '60d'},vless,no_reset,,note ${i},`);
    writeFileSync(file, `username,data_limit,expire,protocols,reset,on_hold,note,admin\n${lines.join('\n')}\n`);
    const r = await setup.run(['users', 'import', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).imported).toBe(120);
    expect(Number((await rows("SELECT COUNT(*) AS n FROM users WHERE username LIKE 'u%'"))[0]!.n)).toBe(120);
  });

  it('a CSV with bad rows: every bad row with its line, nothing imported', async () => {
    const file = join(setup.dir, 'bad.csv');
    writeFileSync(file, ['username,data_limit,expire', 'good_one,1GB,30d', 'BAD,1GB,30d', 'good_two,huge,30d', 'good_three,1GB,2001-01-01', 'good_one,1GB,', 'alice,,', 'x;drop,,', 'too,many,fields,here'].join('\n'));
    const before = await userCount();
    const r = await setup.run(['users', 'import', file]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('7 bad row(s); nothing was imported');
    for (const line of [3, 4, 5, 6, 7, 8, 9]) expect(r.stderr).toContain(`line ${line}: `);
    expect(r.stderr).not.toContain('line 2:');
    expect(r.stderr).toContain("line 6: duplicate username 'good_one' (first on line 2)");
    expect(r.stderr).toContain("line 7: user 'alice' already exists");
    expect(await userCount()).toBe(before);
  });

  it('a JSON import with SQL metacharacters in every text field stores them verbatim', async () => {
    const file = join(setup.dir, 'users.json');
    const note = "Robert'); DROP TABLE users;-- \" \\ %_";
    writeFileSync(file, JSON.stringify([{ username: 'bobby_tables', data_limit: 1024, note, protocols: ['trojan'] }], null, 2));
    const r = await setup.run(['users', 'import', file]);
    expect(r.code, r.stderr).toBe(0);
    expect((await rows('SELECT note, data_limit FROM users WHERE username = ?', ['bobby_tables']))[0]).toEqual({ note, data_limit: 1024 });
    const list = await setup.run(['users', 'list', '--prefix', 'bobby_%', '--json']);
    expect(JSON.parse(list.stdout).users).toEqual([]);
  });

  it('lists by cursor: pages of 50 cover everyone exactly once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    do {
      const r = await setup.run(['users', 'list', '--limit', '50', '--json', ...(after ? ['--after', after] : [])]);
      expect(r.code, r.stderr).toBe(0);
      const page = JSON.parse(r.stdout) as { users: Array<{ username: string }>; total: number; next: string | null };
      seen.push(...page.users.map((u) => u.username));
      total = page.total;
      after = page.next;
    } while (after);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(seen).toEqual([...seen].sort());
  });

  it('filters: expiring, above a usage percentage, status, admin; sorts by usage', async () => {
    await setup.pool.query("UPDATE users SET used_traffic = data_limit * 0.95 WHERE username IN ('u005', 'u050')");
    const expiring = JSON.parse((await setup.run(['users', 'list', '--expiring', '7', '--json'])).stdout);
    expect(expiring.users.map((u: { username: string }) => u.username)).toEqual(Array.from({ length: 10 }, (_, i) => `u00${i}`));
    const heavy = JSON.parse((await setup.run(['users', 'list', '--above', '90', '--sort', 'usage', '--desc', '--json'])).stdout);
    expect(heavy.users.map((u: { username: string }) => u.username)).toEqual(['u050', 'u005']);
    expect(JSON.parse((await setup.run(['users', 'list', '--status', 'on_hold', '--json'])).stdout).users.map((u: { username: string }) => u.username)).toEqual(['holder']);
    expect(JSON.parse((await setup.run(['users', 'list', '--admin', 'weclick', '--json'])).stdout).total).toBe(0);
    const text = await setup.run(['users', 'list', '--prefix', 'u05', '--limit', '3']);
    expect(text.stdout).toMatch(/^USERNAME\s+STATUS\s+USED\s+LIMIT\s+%\s+EXPIRES\s+ADMIN\n/);
    expect(text.stdout).toMatch(/u050\s+active\s+48\.\d GB\s+51\.0 GB\s+95%/);
    expect(text.stdout).toMatch(/3 shown of 10; next page: weclick users list --after \S+/);
  });

  it('show prints the details, the URL and a QR code with --qr', async () => {
    const r = await setup.run(['users', 'show', 'alice', '--qr']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/data limit\s+50\.0 GB/);
    expect(r.stdout).toMatch(/subscription\s+https:\/\/podpiska\.weclick\.test\/sub\//);
    expect(r.stdout).toMatch(/[▀▄█]/);
    expect((await setup.run(['users', 'show', 'alice'])).stdout).not.toMatch(/[▀▄█]/);
    expect((await setup.run(['users', 'show', 'ghost'])).code).toBe(3);
  });

  it('disable, enable, extend and set keep Marzban status rules', async () => {
    expect((await setup.run(['users', 'disable', 'u001'])).code).toBe(0);
    expect((await rows('SELECT status FROM users WHERE username = ?', ['u001']))[0]!.status).toBe('disabled');
    await setup.pool.query("UPDATE users SET expire = UNIX_TIMESTAMP() - 60 WHERE username = 'u001'");
    const enabled = JSON.parse((await setup.run(['users', 'enable', 'u001', '--json'])).stdout);
    expect(enabled.user.status).toBe('expired');
    const extended = JSON.parse((await setup.run(['users', 'extend', 'u001', '--days', '30', '--json'])).stdout);
    expect(extended.user.status).toBe('active');
    expect(extended.user.expire).toBeGreaterThan(Date.now() / 1000 + 29 * 86400);
    const limited = JSON.parse((await setup.run(['users', 'set', 'u050', '--data-limit', '1GB', '--json'])).stdout);
    expect(limited.user.status).toBe('limited');
    const lifted = JSON.parse((await setup.run(['users', 'set', 'u050', '--data-limit', 'unlimited', '--expire', 'never', '--note', '', '--json'])).stdout);
    expect(lifted.user).toMatchObject({ status: 'active', dataLimit: null, expire: null, note: null });
    expect((await setup.run(['users', 'extend', 'u050', '--days', '5'])).stderr).toMatch(/never expires/);
    expect((await setup.run(['users', 'set', 'u050'])).code).toBe(2);
  });

  it('reset-usage logs the usage in user_usage_logs, as Marzban does', async () => {
    await setup.pool.query("UPDATE users SET used_traffic = 12345, status = 'limited' WHERE username = 'u002'");
    const r = await setup.run(['users', 'reset-usage', 'u002', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ loggedTraffic: 12345, user: { usedTraffic: 0, status: 'active', lifetimeTraffic: 12345 } });
    expect(await rows('SELECT l.used_traffic_at_reset AS t FROM user_usage_logs l JOIN users u ON u.id = l.user_id WHERE u.username = ?', ['u002'])).toEqual([{ t: 12345 }]);
  });

  it('revoke-sub sets sub_revoked_at, replaces credentials, and the new URL is still valid', async () => {
    const before = await rows("SELECT p.settings FROM proxies p JOIN users u ON u.id = p.user_id WHERE u.username = 'alice' ORDER BY p.id");
    const r = await setup.run(['users', 'revoke-sub', 'alice', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [user] = await rows("SELECT sub_revoked_at FROM users WHERE username = 'alice'");
    expect(user!.sub_revoked_at).toBeInstanceOf(Date);
    const after = await rows("SELECT p.settings FROM proxies p JOIN users u ON u.id = p.user_id WHERE u.username = 'alice' ORDER BY p.id");
    expect(after).toHaveLength(before.length);
    after.forEach((row, i) => expect(row.settings).not.toEqual(before[i]!.settings));
    const [jwt] = await rows('SELECT secret_key FROM jwt');
    const token = JSON.parse(r.stdout).subscriptionUrl.split('/').pop();
    expect(readSubscriptionToken(token, jwt!.secret_key)!.issuedAt).toBeGreaterThanOrEqual((user!.sub_revoked_at as Date).getTime() / 1000);
  });

  it('usage lists top users with lifetime traffic and the per-node split', async () => {
    await setup.pool.query("INSERT INTO node_user_usages (created_at, user_id, node_id, used_traffic) SELECT UTC_TIMESTAMP(), id, NULL, 777 FROM users WHERE username = 'u005'");
    const r = await setup.run(['users', 'usage', '--limit', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const top = JSON.parse(r.stdout).users;
    expect(top.map((u: { username: string }) => u.username)).toEqual(['u050', 'u005']);
    expect(top.find((u: { username: string }) => u.username === 'u005').byNode).toEqual({ '(local core)': 777 });
    expect((await setup.run(['users', 'usage', '--since', 'soon'])).code).toBe(3);
  });

  it('export writes CSV and JSON that import back', async () => {
    const csv = await setup.run(['users', 'export']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split('\n')[0]).toBe('username,status,data_limit,used_traffic,expire,protocols,reset,on_hold,note,admin,created_at');
    expect(csv.stdout).toContain('\nalice,active,53687091200,0,2030-06-30T23:59:59.000Z,"vless,shadowsocks",month,,');
    const file = join(setup.dir, 'export.json');
    expect((await setup.run(['users', 'export', '--format', 'json', '--output', file])).code).toBe(0);
    const dry = await setup.run(['users', 'import', file, '--dry-run']);
    // Every name already exists here, so every row is reported; an import into another database takes them all.
    expect(dry.code).toBe(3);
    expect(dry.stderr).toMatch(/line \d+: user 'alice' already exists/);
  });

  it('delete asks first: without a terminal and --yes nothing happens (exit 4)', async () => {
    const r = await setup.run(['users', 'delete', 'u003']);
    expect(r.code).toBe(4);
    expect(await rows("SELECT username FROM users WHERE username = 'u003'")).toHaveLength(1);
    const yes = await setup.run(['users', 'delete', 'u003', '--yes', '--json']);
    expect(JSON.parse(yes.stdout)).toMatchObject({ username: 'u003', deleted: true });
    expect(await rows("SELECT username FROM users WHERE username = 'u003'")).toHaveLength(0);
  });
});

describe('a connection lost mid-import', () => {
  it('rolls the whole transaction back: nothing half-imported', async () => {
    const file = join(setup.dir, 'big.csv');
    writeFileSync(file, `username\n${Array.from({ length: 40000 }, (_, i) => `big_${i}`).join('\n')}\n`);
    const before = await userCount();
    const importing = setup.run(['users', 'import', file], { timeoutMs: 120_000 });
    let killed = false;
    for (let i = 0; i < 600 && !killed; i++) {
      const busy = await rows("SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE 'INSERT INTO %' AND id <> CONNECTION_ID()", [setup.database]);
      if (busy[0]) {
        await setup.pool.query(`KILL CONNECTION ${Number(busy[0].id)}`);
        killed = true;
      } else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const r = await importing;
    expect(killed).toBe(true);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^error: lost the connection to MySQL at .+; the transaction rolled back and nothing was changed$/);
    expect(await userCount()).toBe(before);
    expect(Number((await rows("SELECT COUNT(*) AS n FROM proxies p LEFT JOIN users u ON u.id = p.user_id WHERE u.id IS NULL"))[0]!.n)).toBe(0);
  });
});
