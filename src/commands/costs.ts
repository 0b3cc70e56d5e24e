import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../base-command.js';
import { currentDate, localToday } from '../expiry/calendar-day.js';
import { computeCosts, type CostReport } from '../expiry/costs.js';
import { renderTable } from '../ui/table.js';

const money = (amount: number, currency: string) => `${amount.toFixed(2)} ${currency}`;

export default class Costs extends WeclickCommand {
  static summary = 'Monthly hosting spend by provider, and the renewals due soon.';
  static description = `Counts active and draining servers (retired ones are no longer paid). Servers without a price are listed apart.

Exit codes: 0 · 3 inventory invalid.`;
  static examples = ['<%= config.bin %> costs', '<%= config.bin %> costs --window 60 --json'];
  static flags = { window: Flags.integer({ default: 30, min: 0, max: 3650, summary: 'Days ahead for renewals due.' }) };

  async run(): Promise<CostReport> {
    const { flags } = await this.parse(Costs);
    const { inventory } = await this.inventory(flags.inventory);
    const report = computeCosts(inventory, { today: localToday(currentDate()), window: flags.window });
    this.say(renderTable(['PROVIDER', 'SERVERS', 'MONTHLY'], report.byProvider.map((r) => [r.provider, String(r.servers), money(r.monthly, r.currency)])));
    this.say(`\nTotal per month: ${report.totals.map((t) => money(t.monthly, t.currency)).join(' + ') || 'nothing priced'}`);
    this.say(`\nDue within ${flags.window} days (today is ${report.today}):`);
    if (report.due.length === 0) this.say('  nothing');
    else {
      const rows = report.due.map((d) => [d.name, d.provider, d.expires, d.daysLeft < 0 ? `overdue ${-d.daysLeft}d` : `${d.daysLeft}d`, money(d.amount, d.currency)]);
      this.say(renderTable(['NAME', 'PROVIDER', 'EXPIRES', 'LEFT', 'AMOUNT'], rows));
      this.say(`Total due: ${report.dueTotals.map((t) => money(t.amount, t.currency)).join(' + ')}`);
    }
    if (report.unpriced.length > 0) this.say(`\nNo price recorded for: ${report.unpriced.join(', ')}`);
    return report;
  }
}
