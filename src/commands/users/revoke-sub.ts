import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { showQr } from '../../users/qr.js';
import { propagationLines, userJson } from '../../users/render.js';
import { checkUsername } from '../../users/user-spec.js';
import { checkInput, propagateUsers, userSubscriptionUrl, withUsers } from '../../users/users-context.js';

export default class UsersRevokeSub extends WeclickCommand {
  static summary = "Revoke a user's subscription: old links stop working, credentials are replaced.";
  static description = `As Marzban's revoke_sub: sets sub_revoked_at (every earlier subscription URL then answers 404) and generates new UUIDs and passwords, which each worker loads now. Prints the new subscription URL.

Exit codes: 0 revoked · 1 MySQL unreachable or refused · 2 bad flags · 3 no such user.`;
  static examples = ['<%= config.bin %> users revoke-sub alice'];
  static args = { name: Args.string({ required: true, description: 'Username' }) };
  static flags = { qr: Flags.boolean({ default: false, summary: 'Print the QR code even when stdout is not a terminal.' }) };

  async run() {
    const { args, flags } = await this.parse(UsersRevokeSub);
    const name = checkInput(() => checkUsername(args.name));
    const loaded = await this.inventory(flags.inventory);
    return withUsers(loaded, { changes: true }, async (ctx) => {
      const user = await ctx.repo.revokeSubscription(name, ctx.workers);
      const propagation = await propagateUsers(ctx, [name]);
      const subscriptionUrl = await userSubscriptionUrl(ctx, user);
      this.say(`Revoked ${user.username}'s subscription; new credentials issued.`);
      this.say(`Subscription: ${subscriptionUrl}`);
      if (!this.jsonEnabled()) await showQr(subscriptionUrl, flags.qr, (text) => this.say(text));
      for (const line of propagationLines(propagation, ctx.workers)) this.say(line);
      return { user: userJson(user), subscriptionUrl, propagation };
    });
  }
}
