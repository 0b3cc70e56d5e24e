// Crash target: `weclick backup now --verify` of a Marzban-like database of our own (real mysqldump over SSH on
// mngmt, the fleet's MariaDB) to the Telegram STAND-IN (test/standins/telegram, in this test process), then the
// restore into a scratch database and its re-dump. Parts are small and each upload answers 150 ms late, so kills
// land between and during uploads; others land in the verify.
import { readFileSync } from 'node:fs';
import type { Catalog } from '../../src/backup/catalog.js';
import { backupWorld, ensureMarzbanFiles, TOPIC, CHAT } from '../unit/backup/fixtures/backup-world.js';
import { adminConnection, uniqueDatabaseName } from '../unit/backup/fixtures/marzban-db.js';
import { inventoryProblems, localLeftovers, tail } from './crash-checks.js';
import { runTimed } from './crash-process.js';
import { sized } from './figures.js';
import type { CrashTarget, CrashWorld } from './crash-target.js';

const UPLOAD_DELAY_MS = 150;
const BUSY = /another backup is running on/;

/** Problems of the catalog's shape: duplicated parts or messages, gaps in a done backup. */
function catalogProblems(catalog: Catalog): string[] {
  const problems: string[] = [];
  const messages = new Map<number, string>();
  for (const entry of catalog.backups) {
    const indexes = entry.parts.map((p) => p.index);
    if (new Set(indexes).size !== indexes.length) problems.push(`backup ${entry.id} lists a part twice (${indexes.join(',')})`);
    for (const message of [...entry.parts.map((p) => p.messageId), ...(entry.manifest ? [entry.manifest.messageId] : [])]) {
      if (messages.has(message)) problems.push(`message ${message} is recorded twice (${messages.get(message)} and ${entry.id})`);
      messages.set(message, entry.id);
    }
    if (entry.status === 'done' && (entry.parts.some((p, i) => p.index !== i + 1) || !entry.manifest)) problems.push(`backup ${entry.id} is done but its parts or manifest are incomplete`);
  }
  if (new Set(catalog.backups.map((b) => b.id)).size !== catalog.backups.length) problems.push('a backup id is in the catalog twice');
  return problems;
}

export const backupNowTarget: CrashTarget = {
  command: 'backup now --verify',
  even: [0, 6],
  random: [0, 4],
  ciEvents: 2,
  async open(): Promise<CrashWorld> {
    const world = await backupWorld({ database: uniqueDatabaseName('weclick_crash'), users: sized(2_000, 30_000), servers: ['mngmt'] });
    const marzban = ensureMarzbanFiles();
    const inventoryText = readFileSync(world.inventory, 'utf8');
    const catalogFile = `${world.dir}/backups.catalog.json`;
    world.tg.fail({ kind: 'delay', ms: UPLOAD_DELAY_MS }, { method: 'sendDocument', times: 1_000_000 });
    const args = ['backup', 'now', '--part-size', '64K', '--verify', '-i', world.inventory];
    /** Scratch copies (`weclick_verify_<id>_…`, plaintext user data) of this world's backups still on the server. */
    const scratchCopies = async (): Promise<string[]> => {
      const catalog = readCatalog();
      const ids = typeof catalog === 'string' ? [] : catalog.backups.map((b) => b.id.replaceAll('-', '_'));
      const conn = await adminConnection();
      try {
        const [rows] = await conn.query("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'weclick\\_verify\\_%'");
        return (rows as Array<{ name: string }>).map((r) => r.name).filter((name) => ids.some((id) => name.startsWith(`weclick_verify_${id}_`)));
      } finally {
        await conn.end();
      }
    };
    const quiet = async () => {
      for (let i = 0; i < 100 && world.tg.requests.some((r) => r.status === 0); i++) await new Promise((r) => setTimeout(r, 50));
    };
    const readCatalog = (): Catalog | string => {
      try {
        return JSON.parse(readFileSync(catalogFile, 'utf8')) as Catalog;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ENOENT' ? { version: 1, backups: [] } : `the catalog is torn: ${(error as Error).message}`;
      }
    };

    return {
      args,
      env: world.env,
      // The catalog's lock taken (1st: the new entry; 4th: recording part 3), and its atomic rewrite under way.
      events: [
        { dir: world.dir, file: /^backups\.catalog\.json\.lock$/ },
        // The backup is done; its copy is restored into a scratch database and being dumped again.
        { line: /^re-dumping the copy/ },
        { dir: world.dir, file: /^backups\.catalog\.json\.lock$/, nth: 4 },
        { dir: world.dir, file: /^\.backups\.catalog\.json\.weclick-.+\.tmp$/, nth: 3 },
      ],
      lines: [/^backup \S+: dumping/, /^part 1 sent/, /^part 2 sent/, /^part \d+ of \d+ sent/, /^backup \S+ done/],
      // Every run makes a new backup: nothing to put back.
      async reset() {},
      async rerun() {
        // Another developer's backup of the same MariaDB host holds its lock now and then: wait for it.
        for (let attempt = 1; ; attempt++) {
          const run = await runTimed(args, { env: world.env });
          if (!BUSY.test(run.stderr) || attempt === 10) return run;
          await new Promise((r) => setTimeout(r, 3000));
        }
      },
      async afterKill() {
        await quiet();
        const catalog = readCatalog();
        if (typeof catalog === 'string') return [catalog];
        return [...catalogProblems(catalog), ...(await inventoryProblems(world.inventory, [inventoryText]))];
      },
      async observe() {
        const catalog = readCatalog();
        const last = typeof catalog === 'string' ? undefined : catalog.backups.at(-1);
        return last ? `last backup ${last.status}, ${last.parts.length} part(s) recorded` : 'no backup in the catalog';
      },
      async converged(rerun) {
        await quiet();
        const problems: string[] = [];
        if (rerun.code !== 0) problems.push(`the rerun failed (exit ${rerun.code}): ${tail(rerun.stderr + rerun.stdout)}`);
        const catalog = readCatalog();
        if (typeof catalog === 'string') return [...problems, catalog];
        problems.push(...catalogProblems(catalog));
        const stuck = catalog.backups.filter((b) => b.status === 'uploading');
        if (stuck.length > 0) problems.push(`backup(s) still "uploading" after the rerun: ${stuck.map((b) => b.id).join(', ')}`);
        const id = /^Backup (\S+) done:/m.exec(rerun.stdout)?.[1];
        if (rerun.code === 0 && !id) problems.push(`the rerun did not name its backup: ${tail(rerun.stdout)}`);
        if (id) {
          const entry = catalog.backups.find((b) => b.id === id);
          if (entry?.status !== 'done') problems.push(`backup ${id} is ${entry?.status ?? 'not in the catalog'}`);
          // In the chat: exactly its parts and its manifest, each once, in the topic.
          const sent = world.tg.messages(CHAT).filter((m) => m.document?.file_name?.includes(id));
          if (entry && sent.length !== entry.parts.length + 1) problems.push(`backup ${id}: ${sent.length} messages in the chat for ${entry.parts.length} parts and a manifest`);
          if (sent.some((m) => m.message_thread_id !== TOPIC)) problems.push(`backup ${id}: a message outside the topic`);
          if (!rerun.stdout.includes('Verified: ')) problems.push(`backup ${id} was not verified: ${tail(rerun.stdout)}`);
        }
        const copies = await scratchCopies();
        if (copies.length > 0) problems.push(`scratch copies of the database left on the server: ${copies.join(', ')}`);
        problems.push(...localLeftovers(world.inventory, { locks: true }), ...(await inventoryProblems(world.inventory, [inventoryText])));
        return problems;
      },
      async close() {
        // What a killed verify left (reported above): a copy of the users must not stay behind after the test either.
        const conn = await adminConnection();
        for (const name of await scratchCopies()) await conn.query(`DROP DATABASE \`${name}\``);
        await conn.end();
        marzban.restore();
        await world.close();
      },
    };
  },
};
