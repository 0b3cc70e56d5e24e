import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPool, type Pool } from 'mysql2/promise';
import { fleet, testInventory } from '../../fleet/harness.js';
import { weclick, type CliResult } from '../../helpers/cli.js';

/** A throwaway database on the test fleet's MariaDB, an inventory and a .env pointing at it. */
export interface UsersTestSetup {
  database: string;
  dir: string;
  file: string;
  pool: Pool;
  /** Runs the built CLI with -i <this inventory>. */
  run(args: string[], options?: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): Promise<CliResult>;
  drop(): Promise<void>;
}

export async function usersTestSetup(servers: Array<string | { name: string; roles?: Array<'management' | 'subscription' | 'mysql' | 'proxy' | 'marzban' | 'outline'> }> = [], options: { migrate?: boolean; env?: Record<string, string> } = {}): Promise<UsersTestSetup> {
  const f = fleet();
  const database = `wk_users_${randomBytes(4).toString('hex')}`;
  const inv = testInventory(servers, { trust: true, extra: `  mysql:\n    database: ${database}\n` });
  const env = { MYSQL_HOST: f.mysql.host, MYSQL_PORT: String(f.mysql.port), MYSQL_ADMIN_USER: f.mysql.user, MYSQL_ADMIN_PASSWORD: f.mysql.password, ...options.env };
  writeFileSync(join(inv.dir, '.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  const run = (args: string[], o: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}) => weclick([...args, '-i', inv.file], { cwd: inv.dir, ...o });
  if (options.migrate !== false) {
    const r = await run(['db', 'migrate']);
    if (r.code !== 0) throw new Error(`weclick db migrate failed (${r.code}): ${r.stderr}`);
  }
  const pool = createPool({ host: f.mysql.host, port: f.mysql.port, user: f.mysql.user, password: f.mysql.password, database, timezone: 'Z', connectionLimit: 4 });
  return {
    database,
    dir: inv.dir,
    file: inv.file,
    pool,
    run,
    async drop() {
      await pool.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}
