// A second (third…) real MariaDB on a test host's own address, for tests that move the central database between
// servers (weclick replace of the management server). Made from the same template datadir as the fleet's MariaDB,
// with the fleet's admin account; its files live under the fleet's state dir, and scripts/fleet-down.sh stops any
// that a crashed test left running.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fleet } from './harness.js';

const TEMPLATE = '/tmp/weclick-mariadb-template/datadir';

export interface ExtraMariadb {
  host: string;
  port: number;
  stop(): Promise<void>;
}

export async function startExtraMariadb(name: string, host: string, port: number): Promise<ExtraMariadb> {
  const f = fleet();
  if (!existsSync(TEMPLATE)) throw new Error(`no MariaDB template at ${TEMPLATE}: start the fleet with scripts/fleet-up.sh first`);
  const dir = join(f.stateDir, 'extra-db', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const datadir = join(dir, 'data');
  cpSync(TEMPLATE, datadir, { recursive: true });
  const socket = join(dir, 'mysqld.sock');
  const child = spawn(
    'setsid',
    ['mariadbd', '--no-defaults', `--datadir=${datadir}`, '--user=root', `--bind-address=${host}`, `--port=${port}`, `--socket=${socket}`, `--pid-file=${join(dir, 'mysqld.pid')}`, `--log-error=${join(dir, 'mysqld.err')}`,
      '--skip-name-resolve', '--skip-log-bin', '--innodb-buffer-pool-size=32M', '--innodb-flush-log-at-trx-commit=2', '--innodb-log-file-size=8M', '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci'],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
  const admin = (sql: string) => execFileSync('mariadb', ['--no-defaults', '-uroot', `--socket=${socket}`, '--batch', '-e', sql], { stdio: 'pipe' });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      admin('SELECT 1');
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`the extra MariaDB ${name} on ${host}:${port} did not start (see ${join(dir, 'mysqld.err')})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const { user, password, database } = f.mysql;
  admin(`CREATE USER '${user}'@'127.0.0.%' IDENTIFIED BY '${password}'; GRANT ALL PRIVILEGES ON *.* TO '${user}'@'127.0.0.%' WITH GRANT OPTION; CREATE DATABASE IF NOT EXISTS \`${database}\``);
  return {
    host,
    port,
    async stop() {
      try {
        execFileSync('mariadb-admin', ['--no-defaults', '-uroot', `--socket=${socket}`, '--shutdown-timeout=10', 'shutdown'], { stdio: 'pipe' });
      } catch {
        // Already gone, or it did not answer: fleet-down.sh's fallback kills it.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
