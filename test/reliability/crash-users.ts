// Crash target: `weclick users import FILE` of a large CSV into a database of our own on the fleet's real
// MariaDB, with one worker (bench10) whose Marzban API does not answer (the import queues the users for it).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { PENDING_TABLE } from '../../src/users/schema.js';
import { usersTestSetup } from '../standins/marzban-api/test-database.js';
import { inventoryProblems, localLeftovers, tail } from './crash-checks.js';
import { sized } from './figures.js';
import type { CrashTarget, CrashWorld } from './crash-target.js';

const WORKER = 'bench10';
const PROTOCOLS = ['vless', 'vmess'] as const;

export const usersImportTarget: CrashTarget = {
  command: 'users import',
  even: [1, 8],
  random: [0, 4],
  ciEvents: 0,
  async open(): Promise<CrashWorld> {
    // Nothing answers on port 9 of the worker: propagation finds it unreachable and queues every user.
    const setup = await usersTestSetup([{ name: WORKER, roles: ['marzban'] }], { env: { MARZBAN_API_URL: 'http://{ipv4}:9' } });
    const count = sized(2_000, 10_000);
    const csv = join(setup.dir, 'users.csv');
    const rows = Array.from({ length: count }, (_, i) => `crash_user_${String(i).padStart(6, '0')},${(i % 50) + 1}GB,2030-01-01,"${PROTOCOLS.join(',')}",no_reset,,imported by the crash suite`);
    writeFileSync(csv, `username,data_limit,expire,protocols,reset,on_hold,note\n${rows.join('\n')}\n`);
    const inventoryText = readFileSync(setup.file, 'utf8');
    const query = async (sql: string) => ((await setup.pool.query<RowDataPacket[]>(sql))[0] as RowDataPacket[])[0]!;

    /** What is in the database now: each check a one-line problem. */
    const state = async (): Promise<{ users: number; problems: string[] }> => {
      const problems: string[] = [];
      const users = await query('SELECT COUNT(*) AS n, COUNT(DISTINCT username) AS u FROM users');
      const n = Number(users.n);
      if (n !== Number(users.u)) problems.push(`duplicated users: ${n} rows, ${users.u} names`);
      if (n !== 0 && n !== count) problems.push(`half-imported: ${n} of ${count} users`);
      const proxies = await query('SELECT COUNT(*) AS n, COUNT(DISTINCT user_id, type) AS u, COUNT(DISTINCT user_id) AS users FROM proxies');
      if (Number(proxies.n) !== Number(proxies.u)) problems.push(`duplicated proxies: ${proxies.n} rows, ${proxies.u} distinct (user, type)`);
      if (Number(proxies.n) !== n * PROTOCOLS.length || Number(proxies.users) !== n) problems.push(`${proxies.n} proxies for ${n} users (want ${PROTOCOLS.length} each)`);
      const pending = await query(`SELECT COUNT(*) AS n, COUNT(DISTINCT worker, username) AS u FROM ${PENDING_TABLE}`);
      if (Number(pending.n) !== Number(pending.u)) problems.push(`duplicated propagation rows: ${pending.n} rows, ${pending.u} distinct (worker, user)`);
      if (Number(pending.n) > n) problems.push(`${pending.n} propagation rows for ${n} users`);
      return { users: n, problems };
    };

    return {
      args: ['users', 'import', csv, '-i', setup.file],
      cwd: setup.dir,
      lines: [/^Imported \d+ user/],
      async reset() {
        await setup.pool.query(`DELETE FROM ${PENDING_TABLE}`);
        await setup.pool.query('DELETE FROM proxies');
        await setup.pool.query('DELETE FROM users');
      },
      async afterKill() {
        return [...(await state()).problems, ...(await inventoryProblems(setup.file, [inventoryText]))];
      },
      observe: async () => `${(await state()).users} users in the database`,
      async converged(rerun) {
        const { users, problems } = await state();
        if (users !== count) problems.push(`${users} of ${count} users in the database after the rerun`);
        // A rerun after a kill that came once the transaction had committed finds every name taken: it refuses
        // the file whole (exit 3, "already exists" for each row), which leaves the import as it was: converged.
        const refusedAsImported = rerun.code === 3 && rerun.stderr.includes(`${count} bad row(s); nothing was imported`) && !/line \d+: (?!user '[^']+' already exists)/.test(rerun.stderr);
        if (rerun.code !== 0 && !refusedAsImported) problems.push(`the rerun failed (exit ${rerun.code}): ${tail(rerun.stderr + rerun.stdout)}`);
        if (rerun.code === 0 && !rerun.stdout.includes(`Imported ${count} user(s).`)) problems.push(`the rerun said: ${tail(rerun.stdout)}`);
        problems.push(...localLeftovers(setup.file, { locks: true }), ...(await inventoryProblems(setup.file, [inventoryText])));
        return problems;
      },
      close: () => setup.drop(),
    };
  },
};
