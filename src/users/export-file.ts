import type { UserRecord } from './repository.js';

export const EXPORT_COLUMNS = ['username', 'status', 'data_limit', 'used_traffic', 'expire', 'protocols', 'reset', 'on_hold', 'note', 'admin', 'created_at'] as const;

/** One exported user: importable columns in the import's own notation (bytes, ISO times, protocol names). */
export function exportRecord(user: UserRecord): Record<(typeof EXPORT_COLUMNS)[number], string | number | null> {
  return {
    username: user.username,
    status: user.status,
    data_limit: user.dataLimit,
    used_traffic: user.usedTraffic,
    expire: user.expire ? new Date(user.expire * 1000).toISOString() : null,
    protocols: (user.protocols ?? []).map((p) => p.toLowerCase()).join(','),
    reset: user.reset,
    on_hold: user.onHoldSeconds && !user.expire ? `${user.onHoldSeconds}s` : null,
    note: user.note,
    admin: user.admin,
    created_at: user.createdAt?.toISOString() ?? null,
  };
}

export async function exportCsv(users: UserRecord[]): Promise<string> {
  const { stringify } = await import('csv-stringify/sync');
  // Cells that a spreadsheet would run as a formula get a leading quote (CSV injection).
  const safe = (v: string | number | null) => (typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v ?? '');
  return stringify(
    users.map((u) => Object.values(exportRecord(u)).map(safe)),
    { header: true, columns: [...EXPORT_COLUMNS] },
  );
}

export function exportJson(users: UserRecord[]): string {
  return `${JSON.stringify(users.map(exportRecord), null, 2)}\n`;
}
