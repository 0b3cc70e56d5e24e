import * as Args from '@oclif/core/args';
import { EXIT } from '../../ui/exit-codes.js';
import { WeclickCommand } from '../../base-command.js';
import { changeUser, enableUpdates } from '../../users/changes.js';
import { propagationLines, userJson } from '../../users/render.js';
import { checkUsername } from '../../users/user-spec.js';
import { checkInput, withUsers } from '../../users/users-context.js';

export default class UsersEnable extends WeclickCommand {
  static summary = 'Enable a disabled user; every reachable worker serves it again now.';
  static description = `The status becomes what the numbers say: on_hold if the user never started, expired or limited if it is past its expiry or limit, else active. Only active and on_hold users are served.

Exit codes: 0 enabled (unreachable workers queued) · 1 MySQL unreachable or refused, or a worker refused weclick (host key, login; the change stays queued) · 2 bad flags · 3 no such user.`;
  static examples = ['<%= config.bin %> users enable alice'];
  static args = { name: Args.string({ required: true, description: 'Username' }) };

  async run() {
    const { args, flags } = await this.parse(UsersEnable);
    const name = checkInput(() => checkUsername(args.name));
    const loaded = await this.inventory(flags.inventory);
    return withUsers(loaded, { changes: true }, async (ctx) => {
      const { user, propagation } = await changeUser(ctx, name, enableUpdates);
      this.say(`${user.username} is ${user.status}.`);
      for (const line of propagationLines(propagation, ctx.workers)) this.say(line);
      if (propagation.some((r) => r.status === 'failed')) process.exitCode = EXIT.failed;
      return { user: userJson(user), propagation };
    });
  }
}
