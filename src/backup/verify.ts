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
  try {
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
