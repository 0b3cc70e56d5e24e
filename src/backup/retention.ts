/** How many backups to keep: the newest N, plus the newest of each of the last D days, W ISO weeks and M months that have one. */
export interface RetentionPolicy {
  last: number;
  daily: number;
  weekly: number;
  monthly: number;
}

export interface DatedBackup {
  id: string;
  /** ISO 8601 time the backup was made. */
  createdAt: string;
}

export type KeepReason = 'last' | 'daily' | 'weekly' | 'monthly';

export interface RetentionDecision {
  keep: Array<{ id: string; reasons: KeepReason[] }>;
  remove: string[];
}

/**
 * Which backups the policy keeps (restic/borg semantics, periods in UTC): a period counts only when it holds a
 * backup, and inside a period the newest backup is the one kept. Pure: same input, same answer.
 */
export function applyRetention(backups: DatedBackup[], policy: RetentionPolicy): RetentionDecision {
  const newestFirst = [...backups].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? 1 : -1));
  const reasons = new Map<string, KeepReason[]>();
  const mark = (id: string, reason: KeepReason) => reasons.set(id, [...(reasons.get(id) ?? []), reason]);

  newestFirst.slice(0, policy.last).forEach((b) => mark(b.id, 'last'));
  const periodic: Array<[KeepReason, number, (d: Date) => string]> = [
    ['daily', policy.daily, dayKey],
    ['weekly', policy.weekly, isoWeekKey],
    ['monthly', policy.monthly, monthKey],
  ];
  for (const [reason, count, keyOf] of periodic) {
    const seen = new Set<string>();
    for (const b of newestFirst) {
      if (seen.size >= count) break;
      const key = keyOf(new Date(b.createdAt));
      if (seen.has(key)) continue;
      seen.add(key);
      mark(b.id, reason);
    }
  }
  return {
    keep: newestFirst.filter((b) => reasons.has(b.id)).map((b) => ({ id: b.id, reasons: reasons.get(b.id)! })),
    remove: newestFirst.filter((b) => !reasons.has(b.id)).map((b) => b.id),
  };
}

export function dayKey(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function monthKey(d: Date): string {
  return d.toISOString().slice(0, 7);
}

/** ISO 8601 week, e.g. 2024-W01 (the week holding the year's first Thursday). */
export function isoWeekKey(d: Date): string {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const weekday = day.getUTCDay() || 7; // Monday 1 … Sunday 7
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week decides the year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
