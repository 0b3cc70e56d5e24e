import type { WorkerReport } from './propagate.js';
import type { UserRecord } from './repository.js';
import { formatExpire, formatSize } from './units.js';

/** One line per worker: applied, or why it is queued. */
export function propagationLines(reports: WorkerReport[], workers: string[]): string[] {
  if (workers.length === 0) return ['no marzban workers in the inventory: nothing to propagate'];
  return reports.map((r) => {
    const count = r.applied + r.queued > 1 ? ` ${r.applied}/${r.applied + r.queued} users` : '';
    if (r.status === 'applied') return `${r.worker}: applied${count}${r.error ? ` (${r.error})` : ''}`;
    return `${r.worker}: ${r.status} (queued for \`weclick users sync\`)${count}: ${r.error ?? ''}`;
  });
}

export function usagePercent(user: Pick<UserRecord, 'usedTraffic' | 'dataLimit'>): string {
  return user.dataLimit ? `${Math.floor((user.usedTraffic / user.dataLimit) * 100)}%` : '-';
}

/** Table row for users list. */
export function userRow(user: UserRecord): string[] {
  return [user.username, user.status, formatSize(user.usedTraffic), formatSize(user.dataLimit), usagePercent(user), formatExpire(user.expire), user.admin ?? '-'];
}

export const USER_HEAD = ['USERNAME', 'STATUS', 'USED', 'LIMIT', '%', 'EXPIRES', 'ADMIN'];

/** Key/value lines for users show. */
export function userDetails(user: UserRecord): Array<[string, string]> {
  return [
    ['username', user.username],
    ['status', user.status],
    ['used', `${formatSize(user.usedTraffic)} (${usagePercent(user)} of the limit)`],
    ['lifetime', formatSize(user.lifetimeTraffic ?? user.usedTraffic)],
    ['data limit', formatSize(user.dataLimit)],
    ['reset', user.reset],
    ['expires', user.onHoldSeconds && !user.expire ? `on hold: ${Math.round(user.onHoldSeconds / 86400)}d after first connection` : formatExpire(user.expire)],
    ['protocols', (user.protocols ?? []).join(', ') || '-'],
    ['admin', user.admin ?? '-'],
    ['created', user.createdAt?.toISOString() ?? '-'],
    ['online', user.onlineAt?.toISOString() ?? 'never'],
    ['note', user.note ?? ''],
  ];
}

/** A JSON-friendly user (dates as ISO strings). */
export function userJson(user: UserRecord): Record<string, unknown> {
  return {
    ...user,
    createdAt: user.createdAt?.toISOString() ?? null,
    onlineAt: user.onlineAt?.toISOString() ?? null,
    subRevokedAt: user.subRevokedAt?.toISOString() ?? null,
    expireAt: user.expire ? new Date(user.expire * 1000).toISOString() : null,
  };
}
