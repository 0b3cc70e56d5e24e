import { createGunzip } from 'node:zlib';
import type { HostSession } from '../remote/session.js';
import { WeclickError } from '../ui/errors.js';
import { DumpScanner, type ScanResult } from './dump-scan.js';
import { dumpCommand, type MysqlAddress, type MysqlLogin } from './host-commands.js';
import { scratchDatabaseName } from './ids.js';
import { dropDatabaseSql, hostQuery } from './restore-target.js';
import { RESTORABLE, RestoreJob, type RestoreOptions } from './restore.js';
import { catalogPath, findEntry, readCatalog } from './catalog.js';
import { EXIT } from '../ui/exit-codes.js';
import { openSessions, closeAll } from './sessions.js';
import { mysqlAddress, mysqlLogin, mysqlServer } from './settings.js';
import { compareTables, type TableDifference } from './verify-compare.js';
import { auditIdentity } from '../remote/audit-identity.js';
import { takeBackupLock } from './host-lock.js';

/** Every scratch copy on the server: while we hold the backup lock, any of them was left by a verify that was killed. */
export const SCRATCH_COPIES_SQL = "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'weclick\\_verify\\_%'";

export interface VerifyResult {
  id: string;
  scratch: string;
  host: string;
  tables: number;
  rows: number;
  /** The payload against the manifest (checked while loading). */
  payload: TableDifference[];
  /** A fresh mysqldump of the restored copy against the manifest: what the database really holds. */
  copy: TableDifference[];
  ok: boolean;
}

/**
 * Restores a backup into a scratch database on the database server, dumps that copy again with the same options
 * and compares tables, row counts and checksums with the manifest; the scratch database is always dropped.
 */
export async function verifyBackup(options: Omit<RestoreOptions, 'database' | 'host' | 'overLive' | 'overwrite'>): Promise<VerifyResult> {
  const { loaded, env } = options;
  const server = mysqlServer(loaded.inventory);
  const address = mysqlAddress(loaded.inventory, server, env);
  const login = mysqlLogin(env);
  const found = findEntry(await readCatalog(catalogPath(loaded.file)), options.ref, RESTORABLE);
  if (!found.ok) throw new WeclickError(found.message, { exitCode: EXIT.badInput });
  const scratch = scratchDatabaseName(found.entry.id);
  const job = await RestoreJob.prepare({ ...options, ref: found.entry.id, host: server.name, database: scratch });
  const sessions = await openSessions(loaded, [server], options.connectTimeout);
  const session = sessions.get(server.name)!;
  // One backup or verify at a time on the database host, so a scratch copy found now is an orphan: a copy of the
  // users in plain text that a killed verify could not drop.
  const lock = await takeBackupLock(session, { by: auditIdentity(), at: new Date().toISOString(), pid: process.pid, id: `verify ${job.entry.id}` }).catch((error: unknown) => {
    job.close();
    closeAll(sessions);
    throw error;
  });
  try {
    for (const [name] of await hostQuery(session, SCRATCH_COPIES_SQL, address, login)) {
      await hostQuery(session, dropDatabaseSql(name!), address, login);
      options.events?.note?.(`dropped ${name}, a scratch copy an interrupted verify had left on ${server.name}`);
    }
    const restored = await job.run();
    options.events?.note?.(`re-dumping the copy ${scratch} to compare it with the manifest`);
    const copy = await scanDatabase(session, scratch, address, login, restored.key);
    const differences = compareTables(job.entry.tables ?? [], copy.tables);
    return {
      id: job.entry.id,
      scratch,
      host: server.name,
      tables: copy.tables.length,
      rows: copy.tables.reduce((sum, t) => sum + t.rows, 0),
      payload: restored.differences,
      copy: differences,
      ok: restored.differences.length === 0 && differences.length === 0,
    };
  } finally {
    await hostQuery(session, dropDatabaseSql(scratch), address, login).catch(() => undefined);
    await lock.release().catch(() => undefined);
    job.close();
    closeAll(sessions);
  }
}

/** mysqldump of a database (same options as the backup), scanned as it streams. */
export async function scanDatabase(session: HostSession, database: string, address: MysqlAddress, login: MysqlLogin | undefined, key: Buffer): Promise<ScanResult> {
  const command = dumpCommand(database, address, login);
  const dump = await session.spawn(command.argv);
  dump.stdin.end(command.stdin);
  let stderr = '';
  dump.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4096)));
  const scanner = new DumpScanner(key);
  for await (const chunk of dump.stdout.pipe(createGunzip())) scanner.write(chunk as Buffer);
  const end = await dump.done;
  if (end.code !== 0) throw new WeclickError(`mysqldump of ${database} on ${session.target.name} failed: ${stderr.trim().split('\n').pop() ?? `exit ${end.code}`}`);
  return scanner.finish();
}
