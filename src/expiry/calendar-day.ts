/**
 * Expiry dates are calendar days, not instants: "expires 2025-02-06" means the same day in every
 * time zone. We count whole days between two YYYY-MM-DD strings through UTC day numbers, so DST
 * shifts in the operator's zone can never make a day 23 or 25 hours long.
 */
const MS_PER_DAY = 86_400_000;

export function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / MS_PER_DAY;
}

export function fromDayNumber(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Today's calendar date where the operator is (the process's time zone). */
export function localToday(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(dayNumber(date) + days);
}

/** Adds calendar months, clamping to the month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

/**
 * The "now" weclick works with. WECLICK_NOW (an ISO date-time) pins it, so tests and
 * reproductions of a report see the same day the operator saw.
 */
export function currentDate(env: NodeJS.ProcessEnv = process.env): Date {
  // A bare YYYY-MM-DD means that calendar day here; `new Date('2025-01-30')` would be UTC midnight, the day before west of UTC.
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(env.WECLICK_NOW ?? '');
  if (day) {
    const local = new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]), 12);
    return local.getDate() === Number(day[3]) ? local : new Date();
  }
  if (env.WECLICK_NOW) {
    const pinned = new Date(env.WECLICK_NOW);
    if (!Number.isNaN(pinned.getTime())) return pinned;
  }
  return new Date();
}
