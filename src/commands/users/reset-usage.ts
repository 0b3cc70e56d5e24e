import * as Args from '@oclif/core/args';
import { WeclickCommand } from '../../base-command.js';
import { propagateUsers } from '../../users/users-context.js';
import { propagationLines, userJson } from '../../users/render.js';
import { checkUsername } from '../../users/user-spec.js';
import { checkInput, withUsers } from '../../users/users-context.js';
import { formatSize } from '../../users/units.js';

export default class UsersResetUsage extends WeclickCommand {
  static summary = "Reset a user's traffic to zero, logged in user_usage_logs as Marzban does.";
  static description = `The used traffic is written to user_usage_logs (so lifetime usage stays right), then zeroed; the hourly per-node rows and any next plan go, as in Marzban. A limited user becomes active.

Exit codes: 0 reset · 1 MySQL unreachable or refused · 2 bad flags · 3 no such user.`;
  static examples = ['<%= config.bin %> users reset-usage alice'];
  static args = { name: Args.string({ required: true, description: 'Username' }) };

  async run() {
    const { args, flags } = await this.parse(UsersResetUsage);
    const name = checkInput(() => checkUsername(args.name));
    const loaded = await this.inventory(flags.inventory);
    return withUsers(loaded, { changes: true }, async (ctx) => {
      const before = await ctx.repo.get(name);
      const user = await ctx.repo.resetUsage(name, ctx.workers);
      const propagation = await propagateUsers(ctx, [name]);
      this.say(`Reset ${user.username}: ${formatSize(before.usedTraffic)} logged, now ${user.status}.`);
      for (const line of propagationLines(propagation, ctx.workers)) this.say(line);
      return { user: userJson(user), loggedTraffic: before.usedTraffic, propagation };
    });
  }
}
