import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { LoadedInventory } from '../base-command.js';
import { loadEnvFile } from '../secrets/env-file.js';
import { mysqlSettings, openPool } from './connection.js';
import { PENDING_TABLE } from './schema.js';

export type PendingAction = 'refresh' | 'delete';

export interface PendingRow {
  id: number;
  worker: string;
  username: string;
  action: PendingAction;
  queuedAt: Date;
  attempts: number;
  lastError: string | null;
}

const ROWS_PER_INSERT = 2000;

/** Queues one row per worker and user, inside the caller's transaction (so the change and its obligation commit together). */
export async function queuePending(conn: PoolConnection, workers: string[], usernames: string[], action: PendingAction, nowSeconds: number): Promise<void> {
  if (workers.length === 0 || usernames.length === 0) return;
  const at = new Date(nowSeconds * 1000);
  const rows = workers.flatMap((worker) => usernames.map((username) => [worker, username, action, at]));
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await conn.query(`INSERT INTO ${PENDING_TABLE} (worker, username, action, queued_at) VALUES ?`, [rows.slice(i, i + ROWS_PER_INSERT)]);
  }
}

/** Pending rows, optionally only for some users and/or workers, oldest first. */
export async function pendingRows(pool: Pool, filter: { usernames?: string[]; workers?: string[] } = {}): Promise<PendingRow[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  if (filter.usernames) {
    if (filter.usernames.length === 0) return [];
    where.push('username IN (?)');
    values.push(filter.usernames);
  }
  if (filter.workers) {
    if (filter.workers.length === 0) return [];
    where.push('worker IN (?)');
    values.push(filter.workers);
  }
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT id, worker, username, action, queued_at, attempts, last_error FROM ${PENDING_TABLE} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`,
    values,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    worker: String(r.worker),
    username: String(r.username),
    action: r.action as PendingAction,
    queuedAt: r.queued_at as Date,
    attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? null,
  }));
}

/** Drops the rows a worker has now applied: those up to the highest id read before the call was made. */
export async function clearPending(pool: Pool, worker: string, usernames: string[], upToId: number): Promise<void> {
  for (let i = 0; i < usernames.length; i += ROWS_PER_INSERT) {
    await pool.query(`DELETE FROM ${PENDING_TABLE} WHERE worker = ? AND id <= ? AND username IN (?)`, [worker, upToId, usernames.slice(i, i + ROWS_PER_INSERT)]);
  }
}

export async function notePendingFailure(pool: Pool, worker: string, usernames: string[], upToId: number, error: string): Promise<void> {
  for (let i = 0; i < usernames.length; i += ROWS_PER_INSERT) {
    await pool.query(`UPDATE ${PENDING_TABLE} SET attempts = attempts + 1, last_error = ? WHERE worker = ? AND id <= ? AND username IN (?)`, [
      error.slice(0, 500),
      worker,
      upToId,
      usernames.slice(i, i + ROWS_PER_INSERT),
    ]);
  }
}

export async function dropPendingForWorkers(pool: Pool, workers: string[]): Promise<number> {
  if (workers.length === 0) return 0;
  const [result] = await pool.query(`DELETE FROM ${PENDING_TABLE} WHERE worker IN (?)`, [workers]);
  return (result as { affectedRows: number }).affectedRows;
}

export interface PendingSummary {
  worker: string;
  users: number;
  oldest: string;
  lastError: string | null;
}

/** Per worker: how many users wait to be applied there, since when, and the last error. */
export async function summarizePending(pool: Pool): Promise<PendingSummary[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT worker, COUNT(DISTINCT username) AS users, MIN(queued_at) AS oldest,
       SUBSTRING_INDEX(GROUP_CONCAT(last_error ORDER BY id DESC SEPARATOR '\\n'), '\\n', 1) AS last_error
     FROM ${PENDING_TABLE} GROUP BY worker ORDER BY worker`,
  );
  return rows.map((r) => ({ worker: String(r.worker), users: Number(r.users), oldest: (r.oldest as Date).toISOString(), lastError: (r.last_error as string | null) || null }));
}

/**
 * For `weclick status`: pending propagation per worker, read from the fleet's MySQL with the .env credentials.
 * Throws a one-line WeclickError when MySQL cannot be reached; returns [] when nothing is pending (or when the
 * database has no weclick table yet).
 */
export async function pendingPropagation(loaded: LoadedInventory): Promise<PendingSummary[]> {
  const settings = mysqlSettings(loaded.inventory, await loadEnvFile(loaded.file));
  const pool = await openPool(settings);
  try {
    return await summarizePending(pool);
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_NO_SUCH_TABLE') return [];
    throw error;
  } finally {
    await pool.end().catch(() => undefined);
  }
}
