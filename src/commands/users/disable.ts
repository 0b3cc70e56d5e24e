import * as Args from '@oclif/core/args';
import { EXIT } from '../../ui/exit-codes.js';
import { WeclickCommand } from '../../base-command.js';
import { changeUser, disableUpdates } from '../../users/changes.js';
import { propagationLines, userJson } from '../../users/render.js';
import { checkUsername } from '../../users/user-spec.js';
import { checkInput, withUsers } from '../../users/users-context.js';

export default class UsersDisable extends WeclickCommand {
  static summary = 'Disable a user everywhere: every reachable worker drops it from its core now.';
  static description = `Sets the status to disabled and asks each worker's local Marzban API to remove the user from its Xray core; other users' connections are untouched. Workers that cannot be reached are queued for \`weclick users sync\`.

Exit codes: 0 disabled (unreachable workers queued) · 1 MySQL unreachable or refused, or a worker refused weclick (host key, login; the change stays queued) · 2 bad flags · 3 no such user.`;
  static examples = ['<%= config.bin %> users disable alice', '<%= config.bin %> users disable alice --json'];
  static args = { name: Args.string({ required: true, description: 'Username' }) };

  async run() {
    const { args, flags } = await this.parse(UsersDisable);
    const name = checkInput(() => checkUsername(args.name));
    const loaded = await this.inventory(flags.inventory);
    return withUsers(loaded, { changes: true }, async (ctx) => {
      const { user, propagation } = await changeUser(ctx, name, disableUpdates);
      this.say(`Disabled ${user.username}.`);
      for (const line of propagationLines(propagation, ctx.workers)) this.say(line);
      if (propagation.some((r) => r.status === 'failed')) process.exitCode = EXIT.failed;
      return { user: userJson(user), propagation };
    });
  }
}
