import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../base-command.js';
import { addMonths } from '../expiry/calendar-day.js';
import { planInventoryEdit } from '../inventory/plan-edit.js';
import { isCalendarDate } from '../inventory/schema.js';
import { findServer } from '../inventory/select.js';
import { serverIndex } from '../inventory/server-index.js';
import { changeFlags } from '../ui/change-flags.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';

export default class Renew extends WeclickCommand {
  static summary = "Move a server's hosting expiry forward after paying the provider.";
  static description = `--months counts from the current expiry date (providers extend from there), clamping to the month's last day. The expiry never moves backward unless --force.

Exit codes: 0 renewed · 2 bad flags · 3 no such server or bad date · 4 not confirmed, or a backward move without --force.`;
  static examples = [
    '<%= config.bin %> renew srv1 --months 1',
    '<%= config.bin %> renew go --until 2027-03-01 --yes',
    '<%= config.bin %> renew srv4 --until 2026-12-01 --force',
  ];
  static args = { name: Args.string({ required: true, description: 'Server name' }) };
  static flags = {
    until: Flags.string({ summary: 'New expiry date, YYYY-MM-DD.', exactlyOne: ['until', 'months'] }),
    months: Flags.integer({ min: 1, max: 120, summary: 'Months to add to the current expiry.', exactlyOne: ['until', 'months'] }),
    force: Flags.boolean({ default: false, summary: 'Allow moving the expiry backward.' }),
    ...changeFlags,
  };

  async run() {
    const { args, flags } = await this.parse(Renew);
    const loaded = await this.inventory(flags.inventory);
    const server = findServer(loaded.inventory, args.name);
    const until = flags.until ?? addMonths(server.expires, flags.months!);
    if (!isCalendarDate(until)) throw new WeclickError(`--until '${until}' is not a real date written YYYY-MM-DD`, { exitCode: EXIT.badInput });
    if (until < server.expires && !flags.force) {
      throw new WeclickError(`${server.name} is paid until ${server.expires}; ${until} would move it backward (use --force if that is right)`, { exitCode: EXIT.refused });
    }
    const plan = planInventoryEdit(loaded, (doc) => doc.setIn(['servers', serverIndex(doc, server.name), 'expires'], until));
    const result = await this.commitInventoryEdit(plan, { yes: flags.yes, dryRun: flags['dry-run'] });
    return { name: server.name, from: server.expires, until, ...result };
  }
}
