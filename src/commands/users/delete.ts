import * as Args from '@oclif/core/args';
import { EXIT } from '../../ui/exit-codes.js';
import { WeclickCommand } from '../../base-command.js';
import { changeFlags } from '../../ui/change-flags.js';
import { confirmChange } from '../../ui/confirm.js';
import { changeUser, disableUpdates } from '../../users/changes.js';
import { propagationLines } from '../../users/render.js';
import { checkUsername } from '../../users/user-spec.js';
import { checkInput, completeDeletes, withUsers } from '../../users/users-context.js';

export default class UsersDelete extends WeclickCommand {
  static summary = 'Delete a user: cut off on every worker, then removed from the database.';
  static description = `Two steps, so no worker keeps serving a user whose row is gone: the user is disabled and every worker drops it from its core; the row (with its proxies and usage logs) is deleted once all workers confirmed. A worker that cannot be reached keeps the user queued (disabled) until \`weclick users sync\` reaches it, then the row goes.

Exit codes: 0 deleted, or disabled and queued · 1 MySQL unreachable or refused, or a worker refused weclick (host key, login; the change stays queued) · 2 bad flags · 3 no such user · 4 not confirmed (no terminal and no --yes).`;
  static examples = ['<%= config.bin %> users delete alice', '<%= config.bin %> users delete alice --yes --json'];
  static args = { name: Args.string({ required: true, description: 'Username' }) };
  static flags = { yes: changeFlags.yes };

  async run() {
    const { args, flags } = await this.parse(UsersDelete);
    const name = checkInput(() => checkUsername(args.name));
    const loaded = await this.inventory(flags.inventory);
    return withUsers(loaded, { changes: true }, async (ctx) => {
      const user = await ctx.repo.get(name);
      await confirmChange(`Delete ${user.username} (${user.status}) and its usage history?`, { yes: flags.yes });
      const { propagation } = await changeUser(ctx, name, disableUpdates, 'delete');
      // Propagation already removes the row when every worker confirmed; this covers a fleet with no workers.
      await completeDeletes(ctx, [name]);
      const deleted = (await ctx.repo.existing([name])).size === 0;
      this.say(deleted ? `Deleted ${name}.` : `${name} is disabled; its row is deleted once every worker has applied it (\`weclick users sync\`).`);
      for (const line of propagationLines(propagation, ctx.workers)) this.say(line);
      if (propagation.some((r) => r.status === 'failed')) process.exitCode = EXIT.failed;
      return { username: name, deleted, propagation };
    });
  }
}
