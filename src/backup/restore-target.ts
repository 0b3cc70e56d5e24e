import type { HostSession } from '../remote/session.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { queryCommand, quoteIdentifier, quoteString, type MysqlAddress, type MysqlLogin } from './host-commands.js';

export interface RestoreTarget {
  host: string;
  database: string;
  /** The fleet's own database on its own server: what Marzban is using right now. */
  live: boolean;
  existingTables: string[];
}

export type TargetDecision = { action: 'refuse'; reason: string } | { action: 'load'; confirm?: string };

/**
 * Whether a restore may load into this target, and whether to ask first. Never over the live database without
 * --over-live (and a confirmation); never over a database holding tables without --overwrite (and a confirmation).
 */
export function decideTarget(target: RestoreTarget, flags: { overLive: boolean; overwrite: boolean }): TargetDecision {
  const where = `${target.database} on ${target.host}`;
  const tables = target.existingTables;
  const listed = `${tables.slice(0, 5).join(', ')}${tables.length > 5 ? `, … (${tables.length} in all)` : ''}`;
  if (target.live && !flags.overLive) {
    return { action: 'refuse', reason: `${where} is the live database: restore into another one with --database NAME, or pass --over-live to replace it (you will be asked to confirm)` };
  }
  if (target.live) return { action: 'load', confirm: `Replace the LIVE database ${where} (${tables.length} tables) with this backup? Marzban reads and writes it right now.` };
  if (tables.length > 0 && !flags.overwrite) {
    return { action: 'refuse', reason: `${where} already holds ${tables.length} table(s) (${listed}): restore into a new database with --database NAME, or pass --overwrite to load over them` };
  }
  if (tables.length > 0) return { action: 'load', confirm: `Load the backup over ${where}, which holds ${tables.length} table(s) (${listed})? Tables in the backup are dropped and recreated.` };
  return { action: 'load' };
}

/** Runs one SQL statement on the host's mysql client; rows of tab-separated fields. */
export async function hostQuery(session: HostSession, sql: string, address: MysqlAddress, login: MysqlLogin | undefined): Promise<string[][]> {
  const command = queryCommand(sql, address, login);
  const result = await session.run(command.argv, { stdin: command.stdin, timeoutMs: 120_000 });
  if (result.code !== 0) throw new WeclickError(`mysql on ${session.target.name} failed: ${result.stderr.trim().split('\n').pop() || `exit ${result.code}`}`);
  return result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

export async function existingTables(session: HostSession, database: string, address: MysqlAddress, login: MysqlLogin | undefined): Promise<string[]> {
  const rows = await hostQuery(session, `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${quoteString(database)} ORDER BY TABLE_NAME`, address, login);
  return rows.map((r) => r[0]!);
}

export async function databaseExists(session: HostSession, database: string, address: MysqlAddress, login: MysqlLogin | undefined): Promise<boolean> {
  const rows = await hostQuery(session, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${quoteString(database)}`, address, login);
  return rows.length > 0;
}

export function createDatabaseSql(database: string): string {
  return `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;
}

export function dropDatabaseSql(database: string): string {
  return `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`;
}

export function refused(reason: string): WeclickError {
  return new WeclickError(`not restored: ${reason}`, { exitCode: EXIT.refused });
}
