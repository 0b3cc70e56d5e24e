import { renderExpiryCalendar } from '../src/expiry/calendar-file.ts';
const s = { name: 'a', hostname: 'a.x.tech', provider: 'p', expires: '2025-02-01', daysLeft: 1, severity: 'warning' as const, roles: ['marzban' as const], state: 'active' as const };
for (const n of [7, 0, 14]) console.log(JSON.stringify((await renderExpiryCalendar([s], { alarmDays: n, domain: 'x.tech' })).split('\r\n').filter(l => /DURATION|TRIGGER/.test(l))));
