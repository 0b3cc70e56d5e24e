import * as Args from '@oclif/core/args';
import { WeclickCommand } from '../../base-command.js';
import { findServer } from '../../inventory/select.js';
import { readSecrets, secretsFilePath, writeSecrets } from '../../secrets/secrets-file.js';
import { WeclickError } from '../../ui/errors.js';
import { EXIT } from '../../ui/exit-codes.js';
import { registerSecret } from '../../ui/redact.js';
import { accountPlan, existingAccounts, newAccountPassword, setAccountPassword } from '../../users/db-accounts.js';
import { withUsers } from '../../users/users-context.js';

export default class DbRotate extends WeclickCommand {
  static summary = "Give a server's MySQL account a new generated password (stored only in the secrets file).";
  static description = `The new password is written to weclick.secrets.yaml first, then set in MySQL; if MySQL refuses, the file is put back. MariaDB keeps no second password, so the worker's Marzban needs the new one in its .env before its next database connection (re-apply the worker's configuration right after).

Exit codes: 0 rotated · 1 MySQL unreachable or refused · 3 no such server or account, or the secrets file is too open.`;
  static examples = ['<%= config.bin %> db rotate srv1'];
  static args = { name: Args.string({ required: true, description: 'Server name' }) };

  async run() {
    const { args, flags } = await this.parse(DbRotate);
    const loaded = await this.inventory(flags.inventory);
    const server = findServer(loaded.inventory, args.name);
    const plan = accountPlan(server);
    const file = secretsFilePath(loaded.file);
    return withUsers(loaded, {}, async (ctx) => {
      if (!(await existingAccounts(ctx.pool)).some((a) => a.user === plan.user && a.host === plan.host)) {
        throw new WeclickError(`${plan.user}@${plan.host} does not exist: create it with weclick db grant ${server.name}`, { exitCode: EXIT.badInput });
      }
      const before = await readSecrets(file);
      const password = newAccountPassword();
      registerSecret(password);
      const after = { ...before, mysql: { ...before.mysql, accounts: { ...before.mysql?.accounts, [server.name]: { user: plan.user, host: plan.host, password, setAt: new Date().toISOString() } } } };
      await writeSecrets(file, after);
      try {
        await setAccountPassword(ctx.pool, plan.user, plan.host, password);
      } catch (error) {
        await writeSecrets(file, before);
        throw error;
      }
      this.say(`New password for ${plan.user}@${plan.host} stored in ${file}. Update ${server.name}'s Marzban .env before its next database connection.`);
      return { server: server.name, user: plan.user, host: plan.host, secretsFile: file };
    });
  }
}
