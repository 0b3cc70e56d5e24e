import type { UserStatus } from './schema.js';
import { InputError } from './units.js';

export const SORT_KEYS = ['username', 'created', 'expire', 'usage', 'limit'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface ListFilter {
  statuses?: UserStatus[];
  /** Only users whose expiry falls within this many days from now. */
  expiringDays?: number;
  /** Only users who used at least this percentage of a set data limit. */
  abovePercent?: number;
  /** Only users owned by this Marzban admin. */
  admin?: string;
  /** Username prefix. */
  prefix?: string;
}

export interface ListRequest extends ListFilter {
  sort: SortKey;
  descending: boolean;
  limit: number;
  /** Opaque cursor from the previous page: the last row's sort value and id. */
  after?: string;
  now: number;
}

export interface Statement {
  sql: string;
  values: (string | number)[];
}

// Every sort key is an expression with NULLs mapped, so "after the last row" is a plain comparison. Paging by
// cursor (keyset) costs the same on page 1000 as on page 1; OFFSET would read and drop every earlier row.
const SORT_EXPR: Record<SortKey, string> = {
  username: 'u.username',
  created: "COALESCE(u.created_at, '1970-01-01 00:00:00')",
  expire: 'COALESCE(u.expire, 2147483647)',
  usage: 'COALESCE(u.used_traffic, 0)',
  limit: 'COALESCE(u.data_limit, 0)',
};

export const LIST_COLUMNS = `u.id, u.username, u.status, COALESCE(u.used_traffic, 0) AS used_traffic, u.data_limit, u.data_limit_reset_strategy,
  u.expire, u.created_at, u.note, u.online_at, u.on_hold_expire_duration, u.sub_revoked_at, a.username AS admin`;

/** WHERE clause for the filters (shared by the page and its total count). */
export function filterClause(filter: ListFilter, now: number): Statement {
  const parts: string[] = [];
  const values: (string | number)[] = [];
  if (filter.statuses?.length) {
    parts.push(`u.status IN (${filter.statuses.map(() => '?').join(', ')})`);
    values.push(...filter.statuses);
  }
  if (filter.expiringDays !== undefined) {
    parts.push('u.expire IS NOT NULL AND u.expire > 0 AND u.expire <= ?');
    values.push(now + Math.round(filter.expiringDays * 86400));
    if (!filter.statuses?.length) {
      parts.push('u.expire > ?');
      values.push(now);
    }
  }
  if (filter.abovePercent !== undefined) {
    parts.push('u.data_limit > 0 AND COALESCE(u.used_traffic, 0) * 100 >= u.data_limit * ?');
    values.push(filter.abovePercent);
  }
  if (filter.admin) {
    parts.push('a.username = ?');
    values.push(filter.admin);
  }
  if (filter.prefix) {
    parts.push('u.username LIKE ?');
    values.push(`${filter.prefix.replace(/[\\%_]/g, '\\$&')}%`);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', values };
}

/** One page of users: filtered, sorted, after the cursor; asks for one extra row to know whether more follow. */
export function listStatement(request: ListRequest): Statement {
  const filter = filterClause(request, request.now);
  const expr = SORT_EXPR[request.sort];
  const direction = request.descending ? 'DESC' : 'ASC';
  const parts = filter.sql ? [filter.sql] : [];
  const values = [...filter.values];
  if (request.after) {
    const cursor = decodeCursor(request.after);
    const op = request.descending ? '<' : '>';
    parts.push(`${parts.length ? 'AND' : 'WHERE'} (${expr} ${op} ? OR (${expr} = ? AND u.id > ?))`);
    values.push(cursor.value, cursor.value, cursor.id);
  }
  return {
    sql: `SELECT ${LIST_COLUMNS}, ${expr} AS sort_value FROM users u LEFT JOIN admins a ON a.id = u.admin_id ${parts.join(' ')} ORDER BY ${expr} ${direction}, u.id ASC LIMIT ${request.limit + 1}`,
    values,
  };
}

export function countStatement(filter: ListFilter, now: number): Statement {
  const where = filterClause(filter, now);
  const join = filter.admin ? 'LEFT JOIN admins a ON a.id = u.admin_id' : '';
  return { sql: `SELECT COUNT(*) AS total FROM users u ${join} ${where.sql}`, values: where.values };
}

export function encodeCursor(value: unknown, id: number): string {
  const v = value instanceof Date ? value.toISOString().slice(0, 19).replace('T', ' ') : value;
  return Buffer.from(JSON.stringify([v, id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { value: string | number; id: number } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && (typeof parsed[0] === 'string' || typeof parsed[0] === 'number') && Number.isInteger(parsed[1])) {
      return { value: parsed[0], id: parsed[1] as number };
    }
  } catch {
    // fall through to the error below
  }
  throw new InputError(`--after '${cursor.slice(0, 40)}' is not a cursor printed by users list`);
}
