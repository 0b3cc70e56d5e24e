// backup now → list → restore → verify, end to end: the built CLI, the real test fleet (mngmt runs the real
// mysqldump over SSH against the fleet's MariaDB, 100,000 Marzban-like users) and the Telegram stand-in.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupWorld, CHAT, ensureMarzbanFiles, json, TOPIC, type BackupWorld } from '../unit/backup/fixtures/backup-world.js';
import { adminConnection, dropDatabase, routinesAndTriggers, tableChecksums, uniqueDatabaseName } from '../unit/backup/fixtures/marzban-db.js';
import { weclick } from '../helpers/cli.js';
import { testInventory } from './harness.js';

let world: BackupWorld;
let marzban: ReturnType<typeof ensureMarzbanFiles>;
let source: Awaited<ReturnType<typeof tableChecksums>>;
let backupId: string;
const copies: string[] = [];

beforeAll(async () => {
  // The key pair comes from weclick itself: `backup keygen` is part of what is tested.
  const keyDir = testInventory([]).dir;
  const identityFile = join(keyDir, 'backup.key');
  const keygen = await weclick(['backup', 'keygen', '--out', identityFile, '--json', '-i', join(keyDir, 'weclick.yaml')]);
  expect(keygen.code).toBe(0);
  const recipient = JSON.parse(keygen.stdout).recipient as string;
  world = await backupWorld({ database: uniqueDatabaseName(), users: 100_000, keyPair: { identityFile, recipient }, servers: ['mngmt', 'srv1'] });
  marzban = ensureMarzbanFiles();
  source = await tableChecksums(world.database);
}, 180_000);

afterAll(async () => {
  marzban?.restore();
  for (const db of copies) await dropDatabase(db);
  await world?.close();
});

describe('backup keygen', () => {
  it('wrote an age-keygen style identity (mode 600) whose public key the inventory accepts; never overwrites', async () => {
    expect(statSync(world.identityFile).mode & 0o777).toBe(0o600);
    const text = readFileSync(world.identityFile, 'utf8');
    expect(text).toMatch(/^# created: \d{4}-\d\d-\d\dT[\d:]+Z\n# public key: age1[0-9a-z]{58}\nAGE-SECRET-KEY-1[0-9A-Z]+\n$/);
    expect(text).toContain(`# public key: ${world.recipient}`);
    const again = await weclick(['backup', 'keygen', '--out', world.identityFile, '-i', world.inventory]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('already exists: not overwriting an identity');
    expect(readFileSync(world.identityFile, 'utf8')).toBe(text);
  });
});

describe('backup now', () => {
  it('dumps, encrypts and sends parts of at most --part-size, each confirmed, then a manifest; "done"', async () => {
    expect(source.users!.rows).toBe(100_000);
    const r = await world.run(['backup', 'now', '--part-size', '1M', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    backupId = out.backup.id;
    expect(out.backup).toMatchObject({ status: 'done', source: { host: 'mngmt', database: world.database, management: 'mngmt' }, chat: CHAT, topic: TOPIC });
    expect(out.warnings).toEqual([]);
    const entry = world.entry(backupId);
    expect(entry.parts.length).toBeGreaterThanOrEqual(3);
    expect(entry.parts.map((p) => p.index)).toEqual(entry.parts.map((_, i) => i + 1));
    expect(entry.tables!.find((t) => t.name === 'users')!.rows).toBe(100_000);
    expect(Object.fromEntries(entry.tables!.map((t) => [t.name, t.rows]))).toEqual(Object.fromEntries(Object.entries(source).map(([name, t]) => [name, t.rows])));
  });

  it('each part is in the chat (in the topic) with caption "part i/n" and the sha256 of exactly its bytes', () => {
    const entry = world.entry(backupId);
    const n = entry.parts.length;
    const messages = world.tg.messages(CHAT).filter((m) => m.document?.file_name?.includes(backupId));
    expect(messages).toHaveLength(n + 1); // parts + manifest, nothing duplicated
    for (const part of entry.parts) {
      const message = messages.find((m) => m.message_id === part.messageId)!;
      const bytes = world.tg.file(part.fileId)!.bytes;
      expect(message.message_thread_id).toBe(TOPIC);
      expect(bytes.length).toBeLessThanOrEqual(1024 * 1024);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(part.sha256);
      expect(message.caption).toMatch(new RegExp(`^weclick backup ${backupId}\npart ${part.index}/${n} · [\\d.]+ [KM]B\nsha256 ${part.sha256}$`));
    }
  });

  it('the parts are a standard age file (any age tool opens it with the identity); inside, gzip of the header, Marzban files and the dump', async () => {
    const entry = world.entry(backupId);
    const joined = Buffer.concat(entry.parts.map((p) => world.tg.file(p.fileId)!.bytes));
    expect(joined.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    // The chat holds no plaintext: neither the .env secrets nor user names.
    expect(joined.includes('R00t-secret-in-env')).toBe(false);
    expect(joined.includes('user_12345')).toBe(false);
    const age = await import('age-encryption');
    const d = new age.Decrypter();
    d.addIdentity(readFileSync(world.identityFile, 'utf8').split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!);
    const plain = gunzipSync(Buffer.from(await d.decrypt(joined)));
    expect(plain.subarray(0, 17).toString()).toBe('WECLICK-BACKUP 1\n');
    expect(plain.includes(`FILE ${Buffer.byteLength(marzban.files['/opt/marzban/.env']!)} "/opt/marzban/.env"\n${marzban.files['/opt/marzban/.env']}`)).toBe(true);
    const sql = plain.toString('utf8', plain.indexOf('DUMP mysqldump\n') + 15);
    expect(sql).toContain('CREATE TABLE `users`');
    expect(sql).toMatch(/DEFINER=.*TRIGGER `?users_edit_at/);
    expect(sql).toMatch(/DEFINER=.*FUNCTION `active_users`/);
    expect(sql.trimEnd()).toMatch(/-- Dump completed on .*$/);
  });

  it('the manifest message: a pinned JSON document with id, time, source, sizes, part hashes and tables with rows; no secrets', () => {
    const entry = world.entry(backupId);
    const message = world.tg.messages(CHAT).find((m) => m.message_id === entry.manifest!.messageId)!;
    expect(message.pinned).toBe(true);
    expect(message.document!.file_name).toBe(`weclick-${backupId}.manifest.json`);
    expect(message.caption).toContain(`weclick backup ${backupId} — manifest`);
    expect(message.caption).toContain('users 100,000');
    const text = world.tg.file(entry.manifest!.fileId!)!.bytes.toString('utf8');
    const manifest = JSON.parse(text);
    expect(manifest).toMatchObject({ id: backupId, source: { host: 'mngmt', database: world.database }, encryption: { recipients: [world.recipient] } });
    expect(manifest.parts.map((p: { sha256: string }) => p.sha256)).toEqual(entry.parts.map((p) => p.sha256));
    expect(manifest.sizes.sqlBytes).toBeGreaterThan(20_000_000);
    expect(manifest.files.map((f: { path: string }) => f.path).sort()).toEqual(Object.keys(marzban.files).sort());
    expect(text).not.toContain('S3cret-in-env');
    expect(text).not.toContain('R00t-secret-in-env');
  });

  it('backup list shows it with its age, size, parts and rows', async () => {
    const r = await world.run(['backup', 'list']);
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith(backupId))!;
    expect(line).toMatch(new RegExp(`^${backupId}\\s+\\d+[sm] ago\\s+done\\s+${world.entry(backupId).parts.length}\\s+\\d\\.\\d MB\\s+200,004\\s+mngmt/${world.database}`));
    expect(json(await world.run(['backup', 'list', '--json'])).backups.map((b: { id: string }) => b.id)).toContain(backupId);
  });
});

describe('backup restore', () => {
  it('into a fresh database: identical CHECKSUM TABLE and row counts for every table, routines and triggers, Marzban files', async () => {
    const copy = uniqueDatabaseName('weclick_bk_copy');
    copies.push(copy);
    const filesDir = join(world.dir, 'restored-files');
    const r = await world.run(['backup', 'restore', backupId, '--database', copy, '--extract-files', filesDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Restored backup ${backupId} into ${copy} on mngmt: 6 tables, 200004 rows.`);
    expect(await tableChecksums(copy)).toEqual(source);
    expect(await routinesAndTriggers(copy)).toEqual({ routines: ['active_users'], triggers: ['users_edit_at'] });
    for (const [path, content] of Object.entries(marzban.files)) {
      const written = join(filesDir, path.slice(1));
      expect(readFileSync(written, 'utf8')).toBe(content);
      expect(statSync(written).mode & 0o777).toBe(0o600);
    }
  });

  it('refuses a target that already holds tables (exit 4, naming them), loads over it with --overwrite --yes', async () => {
    const copy = copies[0]!;
    const refused = await world.run(['backup', 'restore', backupId, '--database', copy]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(`not restored: ${copy} on mngmt already holds 6 table(s) (admins, jwt, node_usages, proxies, system, … (6 in all))`);
    const conn = await adminConnection(copy);
    await conn.query('DELETE FROM proxies ORDER BY id DESC LIMIT 10');
    await conn.end();
    const noTerminal = await world.run(['backup', 'restore', backupId, '--database', copy, '--overwrite']);
    expect(noTerminal.code).toBe(4);
    expect(noTerminal.stderr).toContain('no terminal to confirm on');
    expect((await tableChecksums(copy)).proxies!.rows).toBe(99_990); // untouched
    const r = await world.run(['backup', 'restore', backupId, '--database', copy, '--overwrite', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await tableChecksums(copy)).toEqual(source);
  });

  it('never over the live database without --over-live and a confirmation', async () => {
    const live = await world.run(['backup', 'restore', 'latest']);
    expect(live.code).toBe(4);
    expect(live.stderr).toContain(`${world.database} on mngmt is the live database`);
    const unconfirmed = await world.run(['backup', 'restore', 'latest', '--over-live']);
    expect(unconfirmed.code).toBe(4);
    expect(unconfirmed.stderr).toContain('no terminal to confirm on');
    // This "live" database is the test's own: replacing it with its own backup must leave it identical.
    const r = await world.run(['backup', 'restore', 'latest', '--over-live', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await tableChecksums(world.database)).toEqual(source);
  });

  it('--host: onto another server, loading with that server\'s own mysql client (e.g. a replacement database server)', async () => {
    const copy = uniqueDatabaseName('weclick_bk_copy');
    copies.push(copy);
    // srv1 reaches the fleet's MariaDB at its address; a real replacement server would serve on its own.
    const r = await world.run(['backup', 'restore', backupId, '--host', 'srv1', '--database', copy], { env: { BACKUP_MYSQL_ADDRESS: '127.0.0.10:3306' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`into ${copy} on srv1`);
    expect(await tableChecksums(copy)).toEqual(source);
  });

  it('--dry-run checks every part, hash and the key, and loads nothing', async () => {
    const copy = uniqueDatabaseName('weclick_bk_copy');
    const r = await world.run(['backup', 'restore', backupId, '--database', copy, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Dry run: backup ${backupId} is intact`);
    expect(r.stderr).toMatch(/part 1\/\d+ ok .*sha256 matches/);
    const conn = await adminConnection();
    const [rows] = await conn.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [copy]);
    await conn.end();
    expect(rows).toEqual([]);
  });
});

describe('backup verify', () => {
  it('restores into a scratch database, re-dumps it and matches every table, row count and checksum; drops the scratch', async () => {
    const r = await world.run(['backup', 'verify', backupId, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({ id: backupId, host: 'mngmt', tables: 6, rows: 200_004, payload: [], copy: [], ok: true });
    const conn = await adminConnection();
    const [rows] = await conn.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [out.scratch]);
    await conn.end();
    expect(rows).toEqual([]);
  });

  it('backup now --verify does both in one run', async () => {
    const r = await world.run(['backup', 'now', '--verify']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Backup \S+ done: 1 part\(s\)/);
    expect(r.stdout).toContain('Verified: 6 tables, 200004 rows match the manifest.');
  });
});
