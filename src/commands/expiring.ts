import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../base-command.js';
import { currentDate, localToday } from '../expiry/calendar-day.js';
import { findExpiring, type ExpiringReport } from '../expiry/expiring.js';
import { WeclickError } from '../ui/errors.js';
import { renderTable } from '../ui/table.js';
import { MONITORING } from '../ui/exit-codes.js';
import { redact } from '../ui/redact.js';
import type { Inventory } from '../inventory/schema.js';

export default class Expiring extends WeclickCommand {
  static summary = 'Servers whose hosting expires soon, soonest first.';
  static description = `Lists active and draining servers whose hosting expires within --days, soonest first. Already expired in red, within --critical days in yellow (no colour with NO_COLOR or when piped).

With --plan, each server listed is followed by the \`weclick replace\` command that moves it to a new server and
what that replace will touch (the new server's address, provider and date are for you to fill in).

With --notify, the same list is posted to the fleet's Telegram chat when something is due; a failed post is reported on stderr and leaves the exit code as below.

Exit codes follow the monitoring-plugin convention, for cron, Nagios/Icinga or CI:
  0 OK        nothing expires within the window
  1 WARNING   something expires within the window
  2 CRITICAL  something has expired or expires within --critical days
  3 UNKNOWN   the inventory could not be read, or the flags are wrong`;

  static examples = [
    { command: '<%= config.bin %> expiring --days 14', description: 'What must be renewed in the next two weeks' },
    { command: '<%= config.bin %> expiring --days 30 --json', description: 'The same as JSON, for scripts' },
    { command: '<%= config.bin %> expiring --days 60 --ics renewals.ics --alarm 7', description: 'A calendar with an alarm a week before each expiry' },
    { command: '<%= config.bin %> expiring --days 30 --plan', description: 'And how to replace each of them (weclick replace)' },
    { command: '<%= config.bin %> expiring --days 14 --notify', description: "From cron: post what is due to the fleet's Telegram chat" },
  ];

  static flags = {
    days: Flags.integer({ char: 'd', default: 14, min: 0, max: 3650, summary: 'Window in days.' }),
    critical: Flags.integer({ default: 3, min: 0, max: 3650, summary: 'Days left at or below which an expiry is CRITICAL.' }),
    ics: Flags.string({ summary: 'Also write an iCalendar file with one event per expiry.' }),
    alarm: Flags.integer({ default: 7, min: 0, max: 365, summary: 'With --ics: days before the expiry the alarm rings.' }),
    plan: Flags.boolean({ default: false, summary: 'For each server listed, the weclick replace command to run and what it will touch.' }),
    notify: Flags.boolean({ default: false, summary: "Also post the list to the fleet's Telegram chat when something is due (WARNING or CRITICAL)." }),
  };

  // Not strict, so that a stray word (`expiring 14`) reaches this command and exits 3 UNKNOWN, instead of
  // oclif's "command expiring:14 not found", which exits 2: CRITICAL to a monitoring system.
  static strict = false;

  protected badInputExitCode = MONITORING.unknown;
  protected usageExitCode = MONITORING.unknown;

  async run(): Promise<ExpiringReport & { notified?: boolean; notifyError?: string; plans?: unknown[] }> {
    const { flags, argv } = await this.parse(Expiring);
    if (argv.length > 0) throw new WeclickError(`unexpected argument: ${argv.join(' ')} (expiring takes flags only; see --help)`, { exitCode: MONITORING.unknown });
    const { inventory } = await this.readInventory(flags.inventory);
    const report = findExpiring(inventory, { today: localToday(currentDate()), days: flags.days, critical: flags.critical });
    if (flags.ics) {
      const { renderExpiryCalendar } = await import('../expiry/calendar-file.js');
      const { writeFileAtomically } = await import('../fs/atomic-write.js');
      await writeFileAtomically(flags.ics, await renderExpiryCalendar(report.servers, { alarmDays: flags.alarm, domain: inventory.fleet.domain }));
    }
    this.render(report);
    let plans;
    if (flags.plan && report.servers.length > 0) {
      const { suggestReplacement } = await import('../replace/suggest.js');
      const reserved = new Set<string>();
      plans = report.servers.map((s) => suggestReplacement(inventory, inventory.servers.find((x) => x.name === s.name)!, reserved));
      this.say(`\nReplacing them (weclick replace):`);
      for (const p of plans) {
        this.say(`\n${p.server}${p.kind ? ` (${p.kind})` : ''}:`);
        if (p.blocked) this.say(`  cannot be replaced by weclick: ${p.blocked}`);
        else this.say([`  ${p.command}`, ...p.touches.map((t) => `    - ${t}`)].join('\n'));
      }
    }
    process.exitCode = report.exitCode;
    if (plans) return { ...report, plans };
    if (flags.notify && report.servers.length > 0) return { ...report, ...(await this.notify(report, inventory, flags.inventory)) };
    return report;
  }

  /** A failed notification is said on stderr; the exit code stays the check's own, so monitoring still sees it. */
  private async notify(report: ExpiringReport, inventory: Inventory, file: string): Promise<{ notified: boolean; notifyError?: string }> {
    const [{ sendAlert }, { expiringAlertText }] = await Promise.all([import('../backup/alert.js'), import('../expiry/alert-text.js')]);
    try {
      await sendAlert(expiringAlertText(report, inventory.fleet.domain), { inventory, inventoryFile: file });
      this.note('Posted to the fleet\'s Telegram chat.');
      return { notified: true };
    } catch (error) {
      process.stderr.write(`${redact(`error: --notify: ${(error as Error).message}`)}\n`);
      return { notified: false, notifyError: (error as Error).message };
    }
  }

  private render(report: ExpiringReport): void {
    const c = this.colors;
    if (report.servers.length === 0) {
      this.say(`OK: no hosting expires within ${report.days} days (today is ${report.today}).`);
      return;
    }
    const rows = report.servers.map((s) => {
      const paint = s.severity === 'expired' ? c.red : s.severity === 'critical' ? c.yellow : (t: string) => t;
      const left = s.daysLeft < 0 ? `expired ${-s.daysLeft}d ago` : s.daysLeft === 0 ? 'today' : `${s.daysLeft}d`;
      const price = s.price ? `${s.price.monthly.toFixed(2)} ${s.price.currency}` : '-';
      return [s.name, s.hostname, s.provider, s.expires, left, price].map((cell) => paint(cell));
    });
    this.say(renderTable(['NAME', 'HOSTNAME', 'PROVIDER', 'EXPIRES', 'LEFT', 'PRICE/MO'], rows));
    const expired = report.servers.filter((s) => s.severity === 'expired').length;
    this.say(`\n${report.status}: ${report.servers.length} server(s) expire within ${report.days} days${expired ? `, ${expired} already expired` : ''} (today is ${report.today}).`);
  }
}
