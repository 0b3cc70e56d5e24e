import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { registerSecret } from '../ui/redact.js';
import { countStatement, encodeCursor, listStatement, type ListFilter, type ListRequest } from './list-query.js';
import { queuePending, type PendingAction } from './pending.js';
import type { ProxyType, ResetStrategy, UserStatus } from './schema.js';
import { InputError } from './units.js';
import { newProxySettings, type UserSpec } from './user-spec.js';

/** A user as weclick shows it (no credentials). */
export interface UserRecord {
  id: number;
  username: string;
  status: UserStatus;
  usedTraffic: number;
  dataLimit: number | null;
  reset: ResetStrategy;
  expire: number | null;
  createdAt: Date | null;
  note: string | null;
  onlineAt: Date | null;
  onHoldSeconds: number | null;
  subRevokedAt: Date | null;
  admin: string | null;
  protocols?: ProxyType[];
  lifetimeTraffic?: number;
}

export class NotFoundError extends InputError {}

/** Users per multi-row INSERT (their proxies go in one more): few round trips, far below max_allowed_packet (16 MiB). */
const CHUNK = 2500;

export function recordFromRow(row: RowDataPacket): UserRecord {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: Number(row.id),
    username: String(row.username),
    status: row.status as UserStatus,
    usedTraffic: Number(row.used_traffic ?? 0),
    dataLimit: num(row.data_limit) || null,
    reset: row.data_limit_reset_strategy as ResetStrategy,
    expire: num(row.expire) || null,
    createdAt: (row.created_at as Date | null) ?? null,
    note: (row.note as string | null) ?? null,
    onlineAt: (row.online_at as Date | null) ?? null,
    onHoldSeconds: num(row.on_hold_expire_duration),
    subRevokedAt: (row.sub_revoked_at as Date | null) ?? null,
    admin: (row.admin as string | null) ?? null,
  };
}

/** Whole seconds: DATETIME keeps none, and a token must never predate the row it is checked against. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);
const asDate = (seconds: number) => new Date(seconds * 1000);

export class UsersRepository {
  constructor(readonly pool: Pool) {}

  /** Runs fn in one transaction on one connection; any error rolls everything back. */
  async transaction<T>(fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
    const conn = await this.pool.getConnection();
    try {
      await conn.beginTransaction();
      const result = await fn(conn);
      await conn.commit();
      return result;
    } catch (error) {
      await conn.rollback().catch(() => undefined);
      throw error;
    } finally {
      conn.release();
    }
  }

  async jwtSecret(): Promise<string> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT secret_key FROM jwt ORDER BY id LIMIT 1');
    const secret = rows[0]?.secret_key as string | undefined;
    if (!secret) throw new Error('the jwt table has no secret_key row: run `weclick db migrate`');
    registerSecret(secret);
    return secret;
  }

  async adminIds(names: string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map();
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT id, username FROM admins WHERE username IN (?)', [names]);
    const found = new Map(rows.map((r) => [String(r.username), Number(r.id)]));
    const missing = names.filter((n) => !found.has(n));
    if (missing.length > 0) throw new InputError(`no Marzban admin named ${missing.map((m) => `'${m}'`).join(', ')}`);
    return found;
  }

  /** Usernames among `names` that already exist (exact match: the column is utf8mb4_bin). */
  async existing(names: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < names.length; i += CHUNK) {
      const [rows] = await this.pool.query<RowDataPacket[]>('SELECT username FROM users WHERE username IN (?)', [names.slice(i, i + CHUNK)]);
      for (const r of rows) out.add(String(r.username));
    }
    return out;
  }

  /**
   * Inserts users, their proxies and the pending propagation rows in one transaction: all of them, or (on any
   * error, a lost connection included) none.
   */
  async insertUsers(specs: UserSpec[], workers: string[], now = nowSeconds(), onChunk?: (done: number) => void): Promise<void> {
    const admins = await this.adminIds([...new Set(specs.map((s) => s.admin).filter((a): a is string => !!a))]);
    await this.transaction(async (conn) => {
      for (let i = 0; i < specs.length; i += CHUNK) {
        const chunk = specs.slice(i, i + CHUNK);
        const created = asDate(now);
        const userRows = chunk.map((s) => [
          s.username,
          s.onHold ? 'on_hold' : 'active',
          0,
          s.dataLimit,
          s.expire,
          created,
          s.admin ? admins.get(s.admin)! : null,
          s.reset,
          s.note,
          s.onHold,
          created,
        ]);
        await conn.query(
          'INSERT INTO users (username, status, used_traffic, data_limit, expire, created_at, admin_id, data_limit_reset_strategy, note, on_hold_expire_duration, last_status_change) VALUES ?',
          [userRows],
        );
        const [ids] = await conn.query<RowDataPacket[]>('SELECT id, username FROM users WHERE username IN (?)', [chunk.map((s) => s.username)]);
        const idOf = new Map(ids.map((r) => [String(r.username), Number(r.id)]));
        const proxyRows = chunk.flatMap((s) => s.protocols.map((type) => [idOf.get(s.username)!, type, JSON.stringify(newProxySettings(type))]));
        await conn.query('INSERT INTO proxies (user_id, type, settings) VALUES ?', [proxyRows]);
        await queuePending(conn, workers, chunk.map((s) => s.username), 'refresh', now);
        onChunk?.(Math.min(i + CHUNK, specs.length));
      }
    });
  }

  async get(username: string): Promise<UserRecord> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT u.id, u.username, u.status, COALESCE(u.used_traffic, 0) AS used_traffic, u.data_limit, u.data_limit_reset_strategy, u.expire,
        u.created_at, u.note, u.online_at, u.on_hold_expire_duration, u.sub_revoked_at, a.username AS admin,
        (SELECT COALESCE(SUM(l.used_traffic_at_reset), 0) FROM user_usage_logs l WHERE l.user_id = u.id) AS reset_traffic,
        (SELECT GROUP_CONCAT(p.type ORDER BY p.id) FROM proxies p WHERE p.user_id = u.id) AS protocols
       FROM users u LEFT JOIN admins a ON a.id = u.admin_id WHERE u.username = ?`,
      [username],
    );
    const row = rows[0];
    if (!row) throw new NotFoundError(`no user named '${username}'`);
    const record = recordFromRow(row);
    return { ...record, protocols: row.protocols ? (String(row.protocols).split(',') as ProxyType[]) : [], lifetimeTraffic: record.usedTraffic + Number(row.reset_traffic) };
  }

  async list(request: ListRequest): Promise<{ users: UserRecord[]; total: number; next?: string }> {
    const page = listStatement(request);
    const count = countStatement(request, request.now);
    // One after the other on the pool's one open connection: a second connection would cost another handshake.
    const [rows] = await this.pool.query<RowDataPacket[]>(page.sql, page.values);
    const [totals] = await this.pool.query<RowDataPacket[]>(count.sql, count.values);
    const more = rows.length > request.limit;
    const shown = more ? rows.slice(0, request.limit) : rows;
    const last = shown[shown.length - 1];
    return { users: shown.map(recordFromRow), total: Number(totals[0]?.total ?? 0), ...(more && last ? { next: encodeCursor(last.sort_value, Number(last.id)) } : {}) };
  }

  async count(filter: ListFilter = {}): Promise<number> {
    const count = countStatement(filter, nowSeconds());
    const [rows] = await this.pool.query<RowDataPacket[]>(count.sql, count.values);
    return Number(rows[0]?.total ?? 0);
  }

  /**
   * Changes one user in a transaction that also queues its propagation. `change` gets the locked row and
   * returns the column updates (or throws to refuse).
   */
  async change(username: string, workers: string[], change: (user: UserRecord, conn: PoolConnection) => Promise<Record<string, unknown>> | Record<string, unknown>, action: PendingAction = 'refresh'): Promise<UserRecord> {
    await this.transaction(async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>(
        `SELECT u.id, u.username, u.status, COALESCE(u.used_traffic, 0) AS used_traffic, u.data_limit, u.data_limit_reset_strategy, u.expire,
          u.created_at, u.note, u.online_at, u.on_hold_expire_duration, u.sub_revoked_at, NULL AS admin FROM users u WHERE u.username = ? FOR UPDATE`,
        [username],
      );
      if (!rows[0]) throw new NotFoundError(`no user named '${username}'`);
      const user = recordFromRow(rows[0]);
      const updates = await change(user, conn);
      const columns = Object.keys(updates);
      if (columns.length > 0) {
        if (updates.status !== undefined && updates.status !== user.status) updates.last_status_change = new Date(nowSeconds() * 1000);
        const keys = Object.keys(updates);
        await conn.query(`UPDATE users SET ${keys.map((k) => `${conn.escapeId(k)} = ?`).join(', ')} WHERE id = ?`, [...keys.map((k) => updates[k]), user.id]);
      }
      await queuePending(conn, workers, [username], action, nowSeconds());
    });
    return this.get(username);
  }

  /** Marzban's reset_user_data_usage: log the usage, zero it, drop the hourly rows and the next plan. */
  async resetUsage(username: string, workers: string[]): Promise<UserRecord> {
    return this.change(username, workers, async (user, conn) => {
      await conn.execute('INSERT INTO user_usage_logs (user_id, used_traffic_at_reset, reset_at) VALUES (?, ?, ?)', [user.id, user.usedTraffic, asDate(nowSeconds())]);
      await conn.execute('DELETE FROM node_user_usages WHERE user_id = ?', [user.id]);
      await conn.execute('DELETE FROM next_plans WHERE user_id = ?', [user.id]);
      return { used_traffic: 0, ...(user.status === 'limited' ? { status: 'active' } : {}) };
    });
  }

  /** Marzban's revoke_sub: sub_revoked_at = now and fresh credentials for every protocol. */
  async revokeSubscription(username: string, workers: string[]): Promise<UserRecord> {
    return this.change(username, workers, async (user, conn) => {
      const [proxies] = await conn.query<RowDataPacket[]>('SELECT id, type FROM proxies WHERE user_id = ?', [user.id]);
      for (const p of proxies) await conn.execute('UPDATE proxies SET settings = ? WHERE id = ?', [JSON.stringify(newProxySettings(p.type as ProxyType)), p.id]);
      return { sub_revoked_at: asDate(nowSeconds()) };
    });
  }

  /** Removes a user and everything that points at it (Marzban's ORM cascades do the same). */
  async deleteRow(username: string): Promise<boolean> {
    return this.transaction(async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>('SELECT id FROM users WHERE username = ? FOR UPDATE', [username]);
      const id = rows[0]?.id as number | undefined;
      if (id === undefined) return false;
      await conn.execute('DELETE e FROM exclude_inbounds_association e JOIN proxies p ON p.id = e.proxy_id WHERE p.user_id = ?', [id]);
      for (const table of ['proxies', 'user_usage_logs', 'node_user_usages', 'notification_reminders', 'next_plans']) {
        await conn.execute(`DELETE FROM ${table} WHERE user_id = ?`, [id]);
      }
      const [result] = await conn.execute<ResultSetHeader>('DELETE FROM users WHERE id = ?', [id]);
      return result.affectedRows === 1;
    });
  }

  /** Top users by traffic used since their last reset, with the hourly per-node split where Marzban recorded one. */
  async usage(limit: number, sinceSeconds?: number): Promise<Array<{ username: string; usedTraffic: number; lifetimeTraffic: number; dataLimit: number | null; byNode: Record<string, number> }>> {
    const [top] = await this.pool.query<RowDataPacket[]>(
      `SELECT u.id, u.username, COALESCE(u.used_traffic, 0) AS used, u.data_limit,
        COALESCE(u.used_traffic, 0) + (SELECT COALESCE(SUM(l.used_traffic_at_reset), 0) FROM user_usage_logs l WHERE l.user_id = u.id) AS lifetime
       FROM users u ORDER BY used DESC, u.id ASC LIMIT ?`,
      [limit],
    );
    const byUser = new Map<number, Record<string, number>>();
    if (top.length > 0) {
      const since = sinceSeconds === undefined ? [] : [asDate(sinceSeconds)];
      const [split] = await this.pool.query<RowDataPacket[]>(
        `SELECT n.user_id, COALESCE(nd.name, '(local core)') AS node, SUM(n.used_traffic) AS used FROM node_user_usages n LEFT JOIN nodes nd ON nd.id = n.node_id
         WHERE n.user_id IN (?) ${since.length ? 'AND n.created_at >= ?' : ''} GROUP BY n.user_id, node`,
        [top.map((r) => r.id), ...since],
      );
      for (const r of split) {
        const entry = byUser.get(Number(r.user_id)) ?? {};
        entry[String(r.node)] = Number(r.used);
        byUser.set(Number(r.user_id), entry);
      }
    }
    return top.map((r) => ({ username: String(r.username), usedTraffic: Number(r.used), lifetimeTraffic: Number(r.lifetime), dataLimit: Number(r.data_limit) || null, byNode: byUser.get(Number(r.id)) ?? {} }));
  }

  /** Every user with protocols, for export, in id order. */
  async exportAll(): Promise<UserRecord[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT u.id, u.username, u.status, COALESCE(u.used_traffic, 0) AS used_traffic, u.data_limit, u.data_limit_reset_strategy, u.expire, u.created_at,
        u.note, u.online_at, u.on_hold_expire_duration, u.sub_revoked_at, a.username AS admin, GROUP_CONCAT(p.type ORDER BY p.id) AS protocols
       FROM users u LEFT JOIN admins a ON a.id = u.admin_id LEFT JOIN proxies p ON p.user_id = u.id GROUP BY u.id ORDER BY u.id`,
    );
    return rows.map((r) => ({ ...recordFromRow(r), protocols: r.protocols ? (String(r.protocols).split(',') as ProxyType[]) : [] }));
  }
}

/** Status after the limit or expiry changed, as Marzban's update_user decides it. Disabled and on_hold stay. */
export function statusAfter(user: Pick<UserRecord, 'status' | 'usedTraffic'>, dataLimit: number | null, expire: number | null, now: number): UserStatus {
  if (user.status === 'disabled' || user.status === 'on_hold') return user.status;
  if (expire && expire <= now) return 'expired';
  if (dataLimit && user.usedTraffic >= dataLimit) return 'limited';
  return 'active';
}
