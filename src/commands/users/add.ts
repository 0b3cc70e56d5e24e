import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { WeclickError } from '../../ui/errors.js';
import { EXIT } from '../../ui/exit-codes.js';
import { nowSeconds } from '../../users/repository.js';
import { propagationLines, userJson } from '../../users/render.js';
import { formatExpire, formatSize } from '../../users/units.js';
import { userSpec } from '../../users/user-spec.js';
import { checkInput, propagateUsers, userSubscriptionUrl, withUsers } from '../../users/users-context.js';
import { showQr } from '../../users/qr.js';

export default class UsersAdd extends WeclickCommand {
  static summary = 'Add a VPN user to the fleet database and make every worker serve it now.';
  static description = `Generates a UUID or password per protocol, writes the user, its proxies and the propagation queue in one transaction, then asks each worker's local Marzban API to load the user (no restart). Prints the subscription URL on the subscription host, signed as Marzban signs it, and a QR code on a terminal (or with --qr).

Names: 3-32 characters of a-z, 0-9 and _. Sizes: 50GB, 1.5TB, 500MB (1 GB = 1024³ bytes, as Marzban counts). Durations: 30d, 12h, 2w, 1y. --expire also takes a day (2026-12-31, valid through that day, UTC) or never.

Exit codes: 0 added (unreachable workers are queued for \`weclick users sync\`) · 1 MySQL unreachable or refused, or a worker refused weclick (host key, login; the change stays queued) · 2 bad flags · 3 bad input (name, size, duration, past expiry, duplicate).`;
  static examples = [
    '<%= config.bin %> users add alice',
    '<%= config.bin %> users add bob --data-limit 50GB --expire 30d --protocols vless,trojan',
    '<%= config.bin %> users add carol --on-hold 30d --reset month --note "paid by card" --json',
  ];
  static args = { name: Args.string({ required: true, description: 'Username: 3-32 of a-z, 0-9, _' }) };
  static flags = {
    'data-limit': Flags.string({ summary: 'Traffic limit, e.g. 50GB (default: unlimited).' }),
    expire: Flags.string({ summary: 'Expiry: a duration (30d), a day (2026-12-31) or never (default).' }),
    protocols: Flags.string({ summary: 'Comma-separated: vless,vmess,trojan,shadowsocks (default: all four).' }),
    reset: Flags.string({ summary: 'Usage reset: no_reset (default), day, week, month, year.' }),
    'on-hold': Flags.string({ summary: 'Start on hold: the expiry clock (this long) starts at the first connection.' }),
    note: Flags.string({ summary: 'Free text, up to 500 characters.' }),
    admin: Flags.string({ summary: 'Owning Marzban admin (default: none).' }),
    qr: Flags.boolean({ default: false, summary: 'Print the QR code even when stdout is not a terminal.' }),
  };

  async run() {
    const { args, flags } = await this.parse(UsersAdd);
    const spec = checkInput(() =>
      userSpec({ username: args.name, dataLimit: flags['data-limit'], expire: flags.expire, protocols: flags.protocols, reset: flags.reset, onHold: flags['on-hold'], note: flags.note, admin: flags.admin }, nowSeconds()),
    );
    const loaded = await this.inventory(flags.inventory);
    return withUsers(loaded, { changes: true }, async (ctx) => {
      if ((await ctx.repo.existing([spec.username])).size > 0) throw new WeclickError(`user '${spec.username}' already exists; nothing was changed`, { exitCode: EXIT.badInput });
      await ctx.repo.insertUsers([spec], ctx.workers);
      const propagation = await propagateUsers(ctx, [spec.username]);
      const user = await ctx.repo.get(spec.username);
      const subscriptionUrl = await userSubscriptionUrl(ctx, user);
      this.say(`Added ${user.username}: ${user.status}, limit ${formatSize(user.dataLimit)}, expires ${formatExpire(user.expire)}, ${user.protocols?.join('+')}.`);
      this.say(`Subscription: ${subscriptionUrl}`);
      if (!this.jsonEnabled()) await showQr(subscriptionUrl, flags.qr, (text) => this.say(text));
      for (const line of propagationLines(propagation, ctx.workers)) this.say(line);
      if (propagation.some((r) => r.status === 'failed')) process.exitCode = EXIT.failed;
      return { user: userJson(user), subscriptionUrl, propagation };
    });
  }
}
