// Every fault the issue lists, on the real fleet: Telegram misbehaving (429, 5xx, a cut connection), a damaged or
// missing part, a wrong key, mysqldump failing (before and in the middle of the dump), the host's disk full, two
// backups at once. The database holds 100,000 Marzban-like users; parts are 1 MB so a backup has several.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupWorld, CHAT, ensureMarzbanFiles, json, newKeyPair, onHost, type BackupWorld } from '../unit/backup/fixtures/backup-world.js';
import { adminConnection, uniqueDatabaseName } from '../unit/backup/fixtures/marzban-db.js';

let world: BackupWorld;
let marzban: ReturnType<typeof ensureMarzbanFiles>;
const backups: Record<string, string> = {};

beforeAll(async () => {
  world = await backupWorld({ database: uniqueDatabaseName(), users: 100_000 });
  marzban = ensureMarzbanFiles();
}, 180_000);
afterAll(async () => {
  marzban?.restore();
  await world?.close();
});

/** The id `backup now` printed (progress and retries go to stderr, silent under --json, so these runs are plain). */
const idOf = (r: { stdout: string }) => /Backup (\S+) done/.exec(r.stdout)![1]!;
const sendDocumentStatuses = (from: number) => world.tg.requests.slice(from).filter((r) => r.method === 'sendDocument').map((r) => r.status);
const partMessages = (id: string) => world.tg.messages(CHAT).filter((m) => m.document?.file_name?.startsWith(`weclick-${id}.part`));
async function databaseExists(name: string): Promise<boolean> {
  const conn = await adminConnection();
  const [rows] = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
  await conn.end();
  return (rows as unknown[]).length > 0;
}

/** One message per part index, each part in the catalog once, all confirmed. */
function expectCleanBackup(id: string): void {
  const entry = world.entry(id);
  expect(entry.status).toBe('done');
  const n = entry.parts.length;
  expect(entry.parts.map((p) => p.index)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  const captions = partMessages(id).map((m) => /part (\d+)\/(\d+)/.exec(m.caption ?? '')!.slice(1).map(Number));
  expect(captions.sort((a, b) => a[0]! - b[0]!)).toEqual(Array.from({ length: n }, (_, i) => [i + 1, n]));
  expect(new Set(partMessages(id).map((m) => m.message_id))).toEqual(new Set(entry.parts.map((p) => p.messageId)));
}

describe('Telegram faults during the upload', () => {
  it('429 with retry_after mid-upload: waits exactly that, then continues with the remaining parts', async () => {
    const from = world.tg.requests.length;
    world.tg.fail({ kind: 'rate-limit', retryAfter: 2 }, { method: 'sendDocument', skip: 2 });
    const r = await world.run(['backup', 'now', '--part-size', '1M']);
    expect(r.code, r.stderr).toBe(0);
    backups.rateLimited = idOf(r);
    expect(r.ms).toBeGreaterThanOrEqual(2000);
    expect(r.stderr).toContain('sendDocument (part 3): Telegram asked to wait (429, retry_after 2); trying again in 2 s (attempt 2)');
    expect(sendDocumentStatuses(from).slice(0, 4)).toEqual([200, 200, 429, 200]);
    expectCleanBackup(backups.rateLimited!);
  });

  it('5xx: backs off and sends again', async () => {
    const from = world.tg.requests.length;
    world.tg.fail({ kind: 'server-error', status: 502 }, { method: 'sendDocument', skip: 1, times: 2 });
    const r = await world.run(['backup', 'now', '--part-size', '1M']);
    expect(r.code, r.stderr).toBe(0);
    backups.serverError = idOf(r);
    expect(r.stderr).toContain('sendDocument (part 2): 502 Bad Gateway; trying again in 1 s (attempt 2)');
    expect(r.stderr).toContain('sendDocument (part 2): 502 Bad Gateway; trying again in 2 s (attempt 3)');
    expect(sendDocumentStatuses(from).slice(0, 4)).toEqual([200, 502, 502, 200]);
    expectCleanBackup(backups.serverError!);
  });

  it('the connection cut mid-part: that part is sent again, nothing is duplicated in the chat or the catalog', async () => {
    const from = world.tg.requests.length;
    world.tg.fail({ kind: 'cut', afterBytes: 300_000 }, { method: 'sendDocument', skip: 1 });
    const r = await world.run(['backup', 'now', '--part-size', '1M']);
    expect(r.code, r.stderr).toBe(0);
    const id = idOf(r);
    const cut = world.tg.requests.slice(from).find((q) => q.fault === 'cut')!;
    expect(cut.bytes).toBeGreaterThanOrEqual(300_000);
    expect(cut.bytes).toBeLessThan(1024 * 1024);
    expect(r.stderr).toMatch(/sendDocument \(part 2\): connection to Telegram failed: \w+; trying again in 1 s/);
    expectCleanBackup(id);
  });
});

describe('restoring from a damaged chat', () => {
  it('a corrupted part: restore refuses and names the part; nothing is created', async () => {
    const entry = world.entry(backups.rateLimited!);
    const part = entry.parts[1]!;
    world.tg.corruptFile(part.fileId);
    const target = uniqueDatabaseName('weclick_bk_copy');
    const r = await world.run(['backup', 'restore', entry.id, '--database', target]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`error: part 2/${entry.parts.length} \\(message ${part.messageId}\\) is damaged: sha256 [0-9a-f]{64} \\(${part.bytes} bytes\\), expected ${part.sha256} \\(${part.bytes} bytes\\); nothing was restored`));
    expect(await databaseExists(target)).toBe(false);
    const verify = await world.run(['backup', 'verify', entry.id]);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain(`part 2/${entry.parts.length} (message ${part.messageId}) is damaged`);
  });

  it('a part missing from the chat: restore refuses and names the part', async () => {
    const entry = world.entry(backups.serverError!);
    const part = entry.parts[0]!;
    world.tg.removeFile(part.fileId);
    const target = uniqueDatabaseName('weclick_bk_copy');
    const r = await world.run(['backup', 'restore', entry.id, '--database', target]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: part 1/${entry.parts.length} (message ${part.messageId}) cannot be downloaded from Telegram: 400 Bad Request: wrong file_id or the file is temporarily unavailable; nothing was restored`);
    expect(await databaseExists(target)).toBe(false);
  });

  it('a wrong age identity: a clear error naming both public keys, before anything is loaded', async () => {
    const other = await newKeyPair();
    const file = join(world.dir, 'someone-else.key');
    writeFileSync(file, `${other.identity}\n`, { mode: 0o600 });
    const target = uniqueDatabaseName('weclick_bk_copy');
    const r = await world.run(['backup', 'restore', 'latest', '--database', target, '--identity', file]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`error: the age identity in ${file} cannot decrypt this backup: its public key ${other.recipient} is not among the backup's recipients (${world.recipient})`);
    expect(r.stderr).not.toContain(other.identity);
    expect(await databaseExists(target)).toBe(false);
  });
});

describe('mysqldump failing on the host', () => {
  it('before any output (unknown database): failed, never done; the chat gets an alert and no part', async () => {
    const before = world.catalog().backups.length;
    const r = await world.run(['backup', 'now'], { env: { MYSQL_DATABASE: 'weclick_no_such_db' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: mysqldump failed on mngmt \(exit 2\): .*Unknown database 'weclick_no_such_db'/);
    const entry = world.catalog().backups.at(-1)!;
    expect(world.catalog().backups).toHaveLength(before + 1);
    expect(entry).toMatchObject({ status: 'failed', source: { database: 'weclick_no_such_db' } });
    expect(partMessages(entry.id)).toEqual([]);
    const alert = world.tg.messages(CHAT).at(-1)!;
    expect(alert.text).toMatch(new RegExp(`^⚠️ weclick backup ${entry.id} of weclick_no_such_db on mngmt FAILED: mysqldump failed`));
  });

  it('in the middle (a broken view after the data): the parts already sent are deleted, the backup is failed', async () => {
    const conn = await adminConnection(world.database);
    await conn.query('CREATE TABLE zz_base (id INT); CREATE VIEW zz_view AS SELECT id FROM zz_base; DROP TABLE zz_base;');
    try {
      const r = await world.run(['backup', 'now', '--part-size', '256K']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error: mysqldump failed on mngmt \(exit 2\): .*zz_view.*references invalid table/);
      const entry = world.catalog().backups.at(-1)!;
      expect(entry.status).toBe('failed');
      expect(entry.parts.length).toBeGreaterThan(3); // users were dumped and sent before the view failed
      expect(entry.parts.every((p) => p.state === 'deleted')).toBe(true);
      expect(partMessages(entry.id)).toEqual([]);
      const all = world.tg.messages(CHAT, { includeDeleted: true }).filter((m) => m.document?.file_name?.startsWith(`weclick-${entry.id}.part`));
      expect(all.length).toBe(entry.parts.length);
      expect(all.every((m) => m.deleted)).toBe(true);
      expect(world.tg.messages(CHAT).at(-1)!.text).toContain(`weclick backup ${entry.id}`);
      expect(world.catalog().backups.filter((b) => b.id === entry.id && b.status === 'done')).toEqual([]);
    } finally {
      await conn.query('DROP VIEW IF EXISTS zz_view');
      await conn.end();
    }
  });
});

describe('the host', () => {
  // Simulated inside mngmt's own mount namespace (invisible to the machine and the other hosts): a 16 KiB tmpfs,
  // filled to the last byte, over the places a host writes — /var/log/weclick (the audit log) and /var/tmp.
  it('with its disk full, the backup still completes (nothing is written on the host but a warning-only audit line)', async () => {
    onHost('mngmt', 'mkdir -p /var/log/weclick /var/tmp && for d in /var/log/weclick /var/tmp; do mount -t tmpfs -o size=16k tmpfs "$d" && (head -c 1M /dev/zero > "$d/fill" 2>/dev/null; true); done');
    try {
      expect(onHost('mngmt', "df --output=avail /var/log/weclick /var/tmp | tail -2 | tr -s ' \\n' ' '").trim()).toBe('0 0');
      const r = await world.run(['backup', 'now', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = json(r);
      // dash's printf reports ENOSPC as "I/O error".
      expect(out.warnings).toEqual([expect.stringMatching(/^could not write the audit log on mngmt \(.*(No space left on device|I\/O error)\); the backup goes on$/)]);
      const id = out.backup.id as string;
      const check = await world.run(['backup', 'restore', id, '--database', uniqueDatabaseName('weclick_bk_copy'), '--dry-run']);
      expect(check.code, check.stderr).toBe(0);
    } finally {
      onHost('mngmt', 'umount /var/log/weclick; umount /var/tmp; true');
    }
  });

  it('when even the lock cannot be written (no inode left in /run/lock), it refuses cleanly: nothing sent, nothing recorded', async () => {
    const catalogBefore = world.catalog().backups.length;
    const messagesBefore = world.tg.messages(CHAT).length;
    onHost('mngmt', 'mkdir -p /run/lock && mount -t tmpfs -o size=16k,nr_inodes=1 tmpfs /run/lock');
    try {
      const r = await world.run(['backup', 'now']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error: mngmt: cannot take the backup lock \/run\/lock\/weclick-backup.lock: .*No space left on device; nothing was done/);
      expect(world.catalog().backups).toHaveLength(catalogBefore);
      expect(world.tg.messages(CHAT)).toHaveLength(messagesBefore);
    } finally {
      onHost('mngmt', 'umount /run/lock; true');
    }
  });

  it('two backups at once: the second refuses, naming the first; the first completes', async () => {
    const sent = world.tg.requests.filter((q) => q.method === 'sendDocument').length;
    world.tg.fail({ kind: 'delay', ms: 4000 }, { method: 'sendDocument' });
    const first = world.run(['backup', 'now', '--json']);
    await world.tg.waitForRequests('sendDocument', sent + 1);
    const second = await world.run(['backup', 'now']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/error: another backup is running on mngmt \(backup \d{8}-\d{6}-[0-9a-f]{4} started by \S+@\S+ at \S+, pid \d+\); nothing was done/);
    const a = await first;
    expect(a.code, a.stderr).toBe(0);
    expect(second.stderr).toContain(json(a).backup.id);
    expect(world.catalog().backups.filter((b) => b.status === 'uploading')).toEqual([]);
  });
});
