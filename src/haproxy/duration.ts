/** "90s", "10m", "2h" or plain seconds → milliseconds; null when unreadable. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return null;
  const n = Number(match[1]);
  const unit = match[2] ?? 's';
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
}
