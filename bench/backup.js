// weclick backup now vs `mysqldump | gzip > /dev/null` on the same database (the floor), interleaved in one run,
// and weclick's peak memory (issue: backups to Telegram). The database is a Marzban-like one on the test fleet's
// MariaDB, made big with random-looking data; Telegram is the local stand-in (test/standins/telegram).
//
//   BENCH_BACKUP_MB=100       size of the dump to make, in MB (default 100)
//   BENCH_BACKUP_LARGE=1      measure at ~100 MB and ~1 GB (making 1 GB of data takes a few minutes)
//   BENCH_BACKUP_RUNS=3       rounds per size (default 3, 1 for sizes over 500 MB)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { withFleet } from './fleet.js';
import { median, table } from './report.js';

// Calibrated on the fixture with 512 bytes of padding per user: about 800 bytes of SQL per user.
const USERS_PER_MB = 1310;
const TIME = '/usr/bin/time';
const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url));

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes) => `${Math.round(bytes / 1e6)} MB`;

/** Runs a command, returning its wall time and (with /usr/bin/time) its peak RSS in bytes. */
function measure(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const withTime = existsSync(TIME);
    const argv = withTime ? [TIME, ['-f', 'WECLICK_BENCH_MAXRSS_KB=%M', cmd, ...args]] : [cmd, args];
    const started = process.hrtime.bigint();
    const child = spawn(argv[0], argv[1], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
    let out = '';
    let err = '';
    let hwm = 0;
    // Without /usr/bin/time: poll the high-water mark the kernel keeps (last reading before exit).
    const poll = withTime ? undefined : setInterval(() => {
      try {
        const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
        hwm = Math.max(hwm, kb * 1024);
      } catch {
        /* exited */
      }
    }, 20);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      clearInterval(poll);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const rss = withTime ? Number(/WECLICK_BENCH_MAXRSS_KB=(\d+)/.exec(err)?.[1] ?? 0) * 1024 : hwm;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-500)}\n${err.slice(-1500)}`));
      else resolve({ ms, rss, out });
    });
  });
}

export async function benchBackup() {
  const { fleet, stop } = withFleet(0);
  process.env.WECLICK_FLEET_DIR = fleet.stateDir;
  const fixtures = await tsImport('../test/unit/backup/fixtures/backup-world.ts', import.meta.url);
  const db = await tsImport('../test/unit/backup/fixtures/marzban-db.ts', import.meta.url);
  const sizes = process.env.BENCH_BACKUP_LARGE === '1' ? [100, 1024] : [Number(process.env.BENCH_BACKUP_MB ?? 100)];
  const rows = [];
  try {
    for (const size of sizes) {
      const database = db.uniqueDatabaseName('weclick_bench');
      await db.createMarzbanDatabase(database, Math.round(size * USERS_PER_MB), { padding: 512 });
      const world = await fixtures.backupWorld({ database, users: 0 });
      try {
        const { mysql } = fleet;
        const dump = `mysqldump -h ${mysql.host} -P ${mysql.port} -u ${mysql.user} -p'${mysql.password}' --single-transaction --quick --routines --triggers --hex-blob --default-character-set=utf8mb4 --no-tablespaces ${database}`;
        const sqlBytes = Number(fixtures.onHost('mngmt', `${dump} | wc -c`).trim());
        const runs = Number(process.env.BENCH_BACKUP_RUNS ?? (size > 500 ? 1 : 3));
        const floor = [];
        const backup = [];
        let peak = 0;
        let parts = 0;
        const ssh = ['-i', fleet.clientKey, '-o', `UserKnownHostsFile=${fleet.knownHosts}`, '-o', 'BatchMode=yes', 'root@127.0.0.10'];
        // One dump first, unmeasured: the database's pages then come from the same (warm) cache for both.
        await measure('ssh', [...ssh, `${dump} > /dev/null`], {});
        const runFloor = async () => floor.push((await measure('ssh', [...ssh, `set -o pipefail; ${dump} | gzip > /dev/null`], {})).ms);
        const runBackup = async () => {
          const r = await measure(process.execPath, [BIN, 'backup', 'now', '--json', '-i', world.inventory], world.env);
          backup.push(r.ms);
          peak = Math.max(peak, r.rss);
          parts = JSON.parse(r.out).backup.parts.length;
        };
        for (let i = 0; i < runs; i++) {
          // Interleaved, alternating which goes first, so machine noise hits both alike.
          if (i % 2 === 0) (await runFloor(), await runBackup());
          else (await runBackup(), await runFloor());
        }
        const f = median(floor);
        const b = median(backup);
        rows.push([`${mb(sqlBytes)} SQL, ${parts} part(s)`, seconds(f), seconds(b), `${(b / f).toFixed(2)}x`, peak ? mb(peak) : 'n/a']);
      } finally {
        await world.close();
        await db.dropDatabase(database);
      }
    }
  } finally {
    stop();
  }
  return table(
    'backup now vs mysqldump | gzip > /dev/null (median; targets: <= 1.3x, peak memory <= 150 MB at any size)',
    ['dump', 'floor: mysqldump | gzip', 'weclick backup now', 'ratio', 'weclick peak RSS'],
    rows,
  );
}

// `node bench/backup.js` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchBackup());
