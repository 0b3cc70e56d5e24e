// Text for the backup commands (pure: the commands print it).
import type { CatalogEntry } from './catalog.js';
import { formatBytes } from './manifest.js';
import type { RetryNotice } from './telegram/client.js';
import { describeTelegramProblem } from './telegram/client.js';

export function describeRetry(notice: RetryNotice): string {
  const wait = notice.waitMs >= 1000 ? `${Math.round(notice.waitMs / 100) / 10} s` : `${notice.waitMs} ms`;
  const why = notice.problem.kind === 'rate-limited' ? `Telegram asked to wait (429, retry_after ${notice.problem.retryAfterSeconds})` : describeTelegramProblem(notice.problem);
  return `${notice.what}: ${why}; trying again in ${wait} (attempt ${notice.attempt + 1})`;
}

/** "3h ago", "2d ago": how old a backup is. */
export function age(iso: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds}s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86400)}d ago`;
}

export function listRows(entries: CatalogEntry[], now: Date): string[][] {
  return [...entries]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((e) => [
      e.id,
      age(e.createdAt, now),
      e.status,
      String(e.parts.length),
      e.sizes ? formatBytes(e.sizes.encryptedBytes) : '-',
      e.tables ? e.tables.reduce((sum, t) => sum + t.rows, 0).toLocaleString('en-US') : '-',
      `${e.source.host}/${e.source.database}`,
      e.status === 'failed' ? (e.error ?? '').slice(0, 80) : '',
    ]);
}

export const LIST_HEAD = ['ID', 'AGE', 'STATUS', 'PARTS', 'SIZE', 'ROWS', 'SOURCE', 'NOTE'];
