import type { ExpiringServer } from './expiring.js';

/**
 * An iCalendar file with one all-day event per hosting expiry and an alarm `alarmDays` before,
 * so the renewal lands in the operator's calendar. UIDs are stable per server and date, so
 * re-importing updates events instead of duplicating them.
 */
export async function renderExpiryCalendar(servers: ExpiringServer[], options: { alarmDays: number; domain: string }): Promise<string> {
  const { createEvents } = await import('ics');
  const events = servers.map((s) => {
    const [y, m, d] = s.expires.split('-').map(Number) as [number, number, number];
    return {
      uid: `${s.name}-${s.expires}@${options.domain}`,
      title: `Hosting of ${s.name} (${s.provider}) expires`,
      description: `${s.hostname} — roles: ${s.roles.join(', ')}. Renew with: weclick renew ${s.name} --months 1`,
      start: [y, m, d] as [number, number, number],
      duration: { days: 1 },
      alarms: [{ action: 'display' as const, description: `${s.name} hosting expires in ${options.alarmDays} days`, trigger: { days: options.alarmDays, before: true } }],
      productId: 'weclick',
    };
  });
  const { error, value } = createEvents(events);
  if (error || !value) throw new Error(`cannot build the calendar: ${error?.message ?? 'no output'}`);
  return rfcDurations(value);
}

/**
 * The ics package writes durations as "P1DT" and "-P7DT" (and "-PT" for zero), but RFC 5545 allows a "T" only
 * before hours, minutes or seconds; strict calendar parsers reject the event. Rewrites them as "P1D", "-P7D", "-PT0S".
 */
function rfcDurations(ics: string): string {
  return ics.replace(
    /^(DURATION|TRIGGER):([+-]?)P((?:\d+W)?(?:\d+D)?)T((?:\d+H)?(?:\d+M)?(?:\d+S)?)(\r?)$/gm,
    (_line, key: string, sign: string, date: string, time: string, cr: string) => `${key}:${sign}P${date}${time ? `T${time}` : date ? '' : 'T0S'}${cr}`,
  );
}
