import type { Pool } from 'mysql2/promise';
import type { LoadedInventory } from '../base-command.js';
import { serviceHostnames } from '../fleet/service-names.js';
import { loadEnvFile, setting } from '../secrets/env-file.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { isConnectionLoss, mysqlError, mysqlSettings, openPool, type MysqlSettings } from './connection.js';
import { ensureWeclickObjects } from './migrate.js';
import { pendingRows } from './pending.js';
import { propagate, propagationWorkers, type WorkerReport } from './propagate.js';
import { UsersRepository } from './repository.js';
import { subscriptionToken, subscriptionUrl } from './token.js';
import { InputError } from './units.js';

/** What a users command works with: the pool, the repository, the workers and where their API answers. */
export interface UsersContext {
  loaded: LoadedInventory;
  settings: MysqlSettings;
  pool: Pool;
  repo: UsersRepository;
  /** Names of the workers a change is queued for. */
  workers: string[];
  apiUrl: string;
  subscriptionPrefix: string;
  close(): Promise<void>;
}

export const DEFAULT_API_URL = 'http://127.0.0.1:8000';

export async function openUsersContext(loaded: LoadedInventory, options: { changes?: boolean } = {}): Promise<UsersContext> {
  const env = await loadEnvFile(loaded.file);
  const settings = mysqlSettings(loaded.inventory, env);
  const pool = await openPool(settings);
  const context: UsersContext = {
    loaded,
    settings,
    pool,
    repo: new UsersRepository(pool),
    workers: propagationWorkers(loaded.inventory).map((s) => s.name),
    apiUrl: setting(env, 'MARZBAN_API_URL') ?? DEFAULT_API_URL,
    subscriptionPrefix: setting(env, 'SUBSCRIPTION_URL_PREFIX') ?? `https://${serviceHostnames(loaded.inventory).subscription}`,
    close: () => pool.end().catch(() => undefined),
  };
  if (options.changes) await guard(context, () => ensureWeclickObjects(pool));
  return context;
}

/** Runs fn with the context open and turns database failures into one clear line. */
export async function withUsers<T>(loaded: LoadedInventory, options: { changes?: boolean }, fn: (ctx: UsersContext) => Promise<T>): Promise<T> {
  const ctx = await openUsersContext(loaded, options);
  try {
    return await guard(ctx, () => fn(ctx));
  } finally {
    await ctx.close();
  }
}

async function guard<T>(ctx: Pick<UsersContext, 'settings'>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw describeFailure(error, ctx.settings);
  }
}

export function describeFailure(error: unknown, settings: MysqlSettings): Error {
  if (error instanceof WeclickError) return error;
  if (error instanceof InputError) return new WeclickError(error.message, { exitCode: EXIT.badInput });
  const code = (error as { code?: string }).code;
  if (code === 'ER_NO_SUCH_TABLE') return new WeclickError(`database '${settings.database}' on ${settings.host} has no Marzban schema: create it with \`weclick db migrate\``, { exitCode: EXIT.badInput });
  if (code === 'ER_DUP_ENTRY') return new WeclickError('a user with that name already exists (added concurrently?); nothing was changed', { exitCode: EXIT.badInput });
  if (code === 'ER_CONNECTION_KILLED' || isConnectionLoss(error)) {
    return new WeclickError(`lost the connection to MySQL at ${settings.host}:${settings.port}; the transaction rolled back and nothing was changed`);
  }
  return mysqlError(error, settings);
}

/** Propagates the named users' pending rows, then removes users whose deletion every worker has applied. */
export async function propagateUsers(ctx: UsersContext, usernames: string[]): Promise<WorkerReport[]> {
  const deletes = (await pendingRows(ctx.pool, { usernames })).filter((r) => r.action === 'delete').map((r) => r.username);
  const reports = await propagate({ pool: ctx.pool, loaded: ctx.loaded, jwtSecret: await ctx.repo.jwtSecret(), apiUrl: ctx.apiUrl, usernames });
  await completeDeletes(ctx, [...new Set(deletes)]);
  return reports;
}

/** Deletes the rows of users marked for deletion once no worker still has them queued (and they are still disabled). */
export async function completeDeletes(ctx: UsersContext, usernames: string[]): Promise<string[]> {
  const left = new Set((await pendingRows(ctx.pool, { usernames })).map((r) => r.username));
  const deleted: string[] = [];
  for (const name of usernames) {
    if (left.has(name)) continue;
    const user = await ctx.repo.get(name).catch(() => undefined);
    if (user && user.status === 'disabled' && (await ctx.repo.deleteRow(name))) deleted.push(name);
  }
  return deleted;
}

/** The user's subscription URL on the subscription host, signed as Marzban signs it. */
export async function userSubscriptionUrl(ctx: UsersContext, user: { username: string; createdAt: Date | null; subRevokedAt: Date | null }): Promise<string> {
  // The token's time must not be earlier than created_at or sub_revoked_at, or Marzban answers 404.
  const floor = Math.max(user.createdAt ? user.createdAt.getTime() / 1000 : 0, user.subRevokedAt ? user.subRevokedAt.getTime() / 1000 : 0);
  return subscriptionUrl(ctx.subscriptionPrefix, subscriptionToken(user.username, await ctx.repo.jwtSecret(), Math.max(Date.now() / 1000, floor)));
}

/** Checks operator input before anything connects: an InputError becomes exit 3 with its message. */
export function checkInput<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InputError) throw new WeclickError(error.message, { exitCode: EXIT.badInput });
    throw error;
  }
}
