import * as Args from '@oclif/core/args';
import { WeclickCommand } from '../../base-command.js';
import { readSecrets, secretsFilePath, updateSecrets } from '../../secrets/secrets-file.js';
import { changeFlags } from '../../ui/change-flags.js';
import { confirmChange } from '../../ui/confirm.js';
import { accountName, dropAccounts, existingAccounts } from '../../users/db-accounts.js';
import { withUsers } from '../../users/users-context.js';

export default class DbRevoke extends WeclickCommand {
  static summary = "Drop a server's MySQL account (from every address) and forget its password.";
  static description = `Works for servers no longer in the inventory too (their account is 'mz_<name>'). The worker's Marzban loses the database at its next connection.

Exit codes: 0 dropped (or there was nothing) · 1 MySQL unreachable or refused · 2 bad flags · 3 secrets file too open · 4 not confirmed (no terminal and no --yes).`;
  static examples = ['<%= config.bin %> db revoke srv4 --yes'];
  static args = { name: Args.string({ required: true, description: 'Server name' }) };
  static flags = { yes: changeFlags.yes };

  async run() {
    const { args, flags } = await this.parse(DbRevoke);
    const loaded = await this.inventory(flags.inventory);
    const file = secretsFilePath(loaded.file);
    await readSecrets(file);
    const user = accountName(args.name);
    return withUsers(loaded, {}, async (ctx) => {
      const accounts = (await existingAccounts(ctx.pool)).filter((a) => a.user === user);
      if (accounts.length) await confirmChange(`Drop ${accounts.map((a) => `${a.user}@${a.host}`).join(', ')}?`, { yes: flags.yes });
      const dropped = await dropAccounts(ctx.pool, user);
      await updateSecrets(file, (s) => {
        if (s.mysql?.accounts) delete s.mysql.accounts[args.name];
      });
      this.say(dropped.length ? `Dropped ${dropped.map((a) => `${a.user}@${a.host}`).join(', ')}.` : `No account ${user} existed.`);
      return { server: args.name, dropped };
    });
  }
}
