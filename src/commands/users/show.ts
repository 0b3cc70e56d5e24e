import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { showQr } from '../../users/qr.js';
import { userDetails, userJson } from '../../users/render.js';
import { checkUsername } from '../../users/user-spec.js';
import { checkInput, userSubscriptionUrl, withUsers } from '../../users/users-context.js';

export default class UsersShow extends WeclickCommand {
  static summary = 'Show one user: status, traffic, limits, expiry, protocols and the subscription URL.';
  static description = `Credentials (UUIDs, passwords) are not printed; the subscription URL carries them to the user's app.

Exit codes: 0 shown · 1 MySQL unreachable or refused · 2 bad flags · 3 no such user or bad name.`;
  static examples = ['<%= config.bin %> users show alice', '<%= config.bin %> users show alice --qr', '<%= config.bin %> users show alice --json'];
  static args = { name: Args.string({ required: true, description: 'Username' }) };
  static flags = { qr: Flags.boolean({ default: false, summary: 'Print the QR code even when stdout is not a terminal.' }) };

  async run() {
    const { args, flags } = await this.parse(UsersShow);
    const name = checkInput(() => checkUsername(args.name));
    const loaded = await this.inventory(flags.inventory);
    return withUsers(loaded, {}, async (ctx) => {
      const user = await ctx.repo.get(name);
      const subscriptionUrl = await userSubscriptionUrl(ctx, user);
      const details = [...userDetails(user), ['subscription', subscriptionUrl] as [string, string]];
      const width = Math.max(...details.map(([k]) => k.length));
      for (const [key, value] of details) this.say(`${key.padEnd(width)}  ${value}`);
      if (!this.jsonEnabled()) await showQr(subscriptionUrl, flags.qr, (text) => this.say(text));
      return { user: userJson(user), subscriptionUrl };
    });
  }
}
