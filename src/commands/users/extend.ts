import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { EXIT } from '../../ui/exit-codes.js';
import { WeclickCommand } from '../../base-command.js';
import { changeUser, extendUpdates } from '../../users/changes.js';
import { propagationLines, userJson } from '../../users/render.js';
import { formatExpire } from '../../users/units.js';
import { checkUsername } from '../../users/user-spec.js';
import { checkInput, withUsers } from '../../users/users-context.js';

export default class UsersExtend extends WeclickCommand {
  static summary = 'Extend a user by N days (from its expiry, or from now if it already expired).';
  static description = `An expired user becomes active again (or limited, if over its limit). An on-hold user gets a longer hold period.

Exit codes: 0 extended · 1 MySQL unreachable or refused, or a worker refused weclick (host key, login; the change stays queued) · 2 bad flags · 3 no such user, or it never expires.`;
  static examples = ['<%= config.bin %> users extend alice --days 30'];
  static args = { name: Args.string({ required: true, description: 'Username' }) };
  static flags = { days: Flags.integer({ required: true, min: 1, max: 36500, summary: 'Days to add.' }) };

  async run() {
    const { args, flags } = await this.parse(UsersExtend);
    const name = checkInput(() => checkUsername(args.name));
    const loaded = await this.inventory(flags.inventory);
    return withUsers(loaded, { changes: true }, async (ctx) => {
      const { user, propagation } = await changeUser(ctx, name, extendUpdates(flags.days));
      this.say(`${user.username} now expires ${user.expire ? formatExpire(user.expire) : `${Math.round((user.onHoldSeconds ?? 0) / 86400)}d after first connection`} (${user.status}).`);
      for (const line of propagationLines(propagation, ctx.workers)) this.say(line);
      if (propagation.some((r) => r.status === 'failed')) process.exitCode = EXIT.failed;
      return { user: userJson(user), propagation };
    });
  }
}
