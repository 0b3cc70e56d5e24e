import type { ExpiringReport } from './expiring.js';

/** The Telegram alert for an expiring report: one line per server, soonest first. */
export function expiringAlertText(report: ExpiringReport, domain: string): string {
  const lines = report.servers.map((s) => {
    const when = s.daysLeft < 0 ? `expired ${-s.daysLeft} day(s) ago` : s.daysLeft === 0 ? 'expires today' : `expires in ${s.daysLeft} day(s)`;
    return `• ${s.name} (${s.hostname}, ${s.provider}) ${when} — ${s.expires}`;
  });
  return [`weclick ${report.status}: hosting of ${report.servers.length} server(s) in ${domain} ends within ${report.days} days (today ${report.today})`, ...lines, '', 'Renew with: weclick renew NAME --months 1'].join('\n');
}
