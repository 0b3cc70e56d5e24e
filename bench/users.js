// users import / users list against the test fleet's MariaDB (issue 5), side by side with a per-user client.
//   import: 10,000 users through the built CLI (one transaction, multi-row INSERTs) vs the same users and
//           proxies inserted one user at a time with autocommit (2 statements and 2 commits per user, as a client
//           calling Marzban's POST /api/user for each user would cause). Target: weclick <= 3 s.
//   list:   `weclick users list` first page over 100,000 users (whole process: start, connect, query, print).
//           Target <= 300 ms.
import { randomBytes, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { median, table } from './report.js';

const IMPORT_USERS = Number(process.env.BENCH_IMPORT_USERS ?? 10_000);
const LIST_USERS = Number(process.env.BENCH_LIST_USERS ?? 100_000);
const LIST_RUNS = Number(process.env.BENCH_RUNS ?? 9);

function mysqlFromFleet() {
  const dir = process.env.WECLICK_FLEET_DIR;
  if (process.env.MYSQL_HOST && process.env.MYSQL_ADMIN_USER) {
    return { host: process.env.MYSQL_HOST, port: Number(process.env.MYSQL_PORT ?? 3306), user: process.env.MYSQL_ADMIN_USER, password: process.env.MYSQL_ADMIN_PASSWORD ?? '' };
  }
  if (!dir || !existsSync(join(dir, 'fleet.json'))) throw new Error('benchUsers needs a MariaDB: export WECLICK_FLEET_DIR (scripts/fleet-up.sh) or MYSQL_HOST/MYSQL_ADMIN_USER/MYSQL_ADMIN_PASSWORD');
  return JSON.parse(readFileSync(join(dir, 'fleet.json'), 'utf8')).mysql;
}

function workspace(mysql, database) {
  const dir = mkdtempSync(join(tmpdir(), 'weclick-bench-users-'));
  writeFileSync(join(dir, 'weclick.yaml'), `fleet:\n  domain: bench.test\n  mysql:\n    database: ${database}\nservers: []\n`);
  writeFileSync(join(dir, '.env'), `MYSQL_HOST=${mysql.host}\nMYSQL_PORT=${mysql.port}\nMYSQL_ADMIN_USER=${mysql.user}\nMYSQL_ADMIN_PASSWORD=${mysql.password}\n`, { mode: 0o600 });
  return dir;
}

function cli(dir, args) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['bin/run.js', ...args, '-i', join(dir, 'weclick.yaml')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`weclick ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

const names = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);

async function perUserAutocommit(conn, usernames) {
  const started = process.hrtime.bigint();
  for (const name of usernames) {
    const [result] = await conn.execute("INSERT INTO users (username, status, used_traffic, data_limit, created_at, data_limit_reset_strategy) VALUES (?, 'active', 0, ?, UTC_TIMESTAMP(), 'no_reset')", [name, 1024 ** 3]);
    const id = result.insertId;
    await conn.execute('INSERT INTO proxies (user_id, type, settings) VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?), (?, ?, ?)', [
      id, 'VMess', JSON.stringify({ id: randomUUID() }),
      id, 'VLESS', JSON.stringify({ id: randomUUID(), flow: '' }),
      id, 'Trojan', JSON.stringify({ password: randomBytes(16).toString('base64url'), flow: '' }),
      id, 'Shadowsocks', JSON.stringify({ password: randomBytes(16).toString('base64url'), method: 'chacha20-ietf-poly1305' }),
    ]);
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function fill(conn, prefix, n) {
  for (let i = 0; i < n; i += 5000) {
    const chunk = names(prefix, n).slice(i, i + 5000);
    const rows = chunk.map((name, j) => [name, j % 17 === 0 ? 'disabled' : 'active', (i + j) * 1000, 1024 ** 3 * ((j % 50) + 1), 1_900_000_000 + j * 60]);
    await conn.query('INSERT INTO users (username, status, used_traffic, data_limit, expire) VALUES ?', [rows]);
  }
}

export async function benchUsers() {
  const mysql = mysqlFromFleet();
  const suffix = randomBytes(4).toString('hex');
  const dbImport = `wk_bench_import_${suffix}`;
  const dbBaseline = `wk_bench_base_${suffix}`;
  const dbList = `wk_bench_list_${suffix}`;
  const admin = await createConnection({ host: mysql.host, port: mysql.port, user: mysql.user, password: mysql.password });
  const dirs = { import: workspace(mysql, dbImport), baseline: workspace(mysql, dbBaseline), list: workspace(mysql, dbList) };
  try {
    for (const dir of Object.values(dirs)) cli(dir, ['db', 'migrate']);
    const csv = join(dirs.import, 'users.csv');
    writeFileSync(csv, `username,data_limit\n${names('imp', IMPORT_USERS).map((n) => `${n},1GB`).join('\n')}\n`);
    const importMs = cli(dirs.import, ['users', 'import', csv]);
    await admin.changeUser({ database: dbBaseline });
    const baselineMs = await perUserAutocommit(admin, names('base', IMPORT_USERS));
    const [[imported]] = await admin.query(`SELECT (SELECT COUNT(*) FROM ${dbImport}.users) AS users, (SELECT COUNT(*) FROM ${dbImport}.proxies) AS proxies`);

    await admin.changeUser({ database: dbList });
    await fill(admin, 'lst', LIST_USERS);
    const pages = { first: [], filtered: [], deep: [], help: [] };
    for (let i = 0; i < LIST_RUNS + 1; i++) {
      const first = cli(dirs.list, ['users', 'list']);
      const filtered = cli(dirs.list, ['users', 'list', '--status', 'active', '--sort', 'usage', '--desc', '--above', '10']);
      const deep = cli(dirs.list, ['users', 'list', '--after', Buffer.from(JSON.stringify([`lst${String(LIST_USERS - 60).padStart(6, '0')}`, 0])).toString('base64url')]);
      const help = cli(dirs.list, ['users', 'list', '--help']);
      if (i > 0) (pages.first.push(first), pages.filtered.push(filtered), pages.deep.push(deep), pages.help.push(help)); // the first round warms caches
    }
    const node = median(Array.from({ length: LIST_RUNS }, () => {
      const started = process.hrtime.bigint();
      spawnSync(process.execPath, ['-e', '0']);
      return Number(process.hrtime.bigint() - started) / 1e6;
    }));
    const rows = [
      [`users import ${IMPORT_USERS} (CLI, one transaction)`, `${importMs.toFixed(0)} ms`, `${(baselineMs / importMs).toFixed(1)}x faster`, importMs <= 3000 ? 'ok (<= 3 s)' : 'OVER 3 s'],
      [`per-user INSERTs, autocommit (baseline)`, `${baselineMs.toFixed(0)} ms`, '1.0x', ''],
      [`users list, first page of ${LIST_USERS}`, `${median(pages.first).toFixed(0)} ms`, '', median(pages.first) <= 300 ? 'ok (<= 300 ms)' : 'OVER 300 ms'],
      [`users list --status active --above 10 --sort usage --desc`, `${median(pages.filtered).toFixed(0)} ms`, '', ''],
      [`users list --after <last page cursor>`, `${median(pages.deep).toFixed(0)} ms`, '', ''],
      ['users list --help (CLI start, no database; for scale)', `${median(pages.help).toFixed(0)} ms`, '', ''],
      ['node -e 0 (process start, for scale)', `${node.toFixed(0)} ms`, '', ''],
    ];
    const { loadavg } = await import('node:os');
    const note = `imported ${imported.users} users with ${imported.proxies} proxies; list times are whole CLI runs (median of ${LIST_RUNS}); load average ${loadavg()[0].toFixed(1)}`;
    return `${table('Users (issue 5): import vs per-user autocommit; list over 100,000 users', ['case', 'time', 'ratio', 'target'], rows)}\n${note}`;
  } finally {
    for (const db of [dbImport, dbBaseline, dbList]) await admin.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
    await admin.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchUsers());
