import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { findServer } from '../../inventory/select.js';
import { readSecrets, secretsFilePath, updateSecrets } from '../../secrets/secrets-file.js';
import { WeclickError } from '../../ui/errors.js';
import { EXIT } from '../../ui/exit-codes.js';
import { registerSecret } from '../../ui/redact.js';
import { accountPlan, applyAccount, existingAccounts, newAccountPassword } from '../../users/db-accounts.js';
import { withUsers } from '../../users/users-context.js';

export default class DbGrant extends WeclickCommand {
  static summary = "Create (or repair) a server's MySQL account: its own IPv4 only, the Marzban database only.";
  static description = `Creates 'mz_<name>'@'<ipv4>' with a generated 192-bit password, stored only in weclick.secrets.yaml (mode 0600) beside the inventory, never printed; grants SELECT, INSERT, UPDATE, DELETE on the Marzban database and nothing else. --migrations adds CREATE, ALTER, INDEX, DROP, REFERENCES for the one worker that upgrades Marzban's schema. On an existing account the grants are reset to exactly these and the password is kept.

Exit codes: 0 granted · 1 MySQL unreachable or refused · 2 bad flags · 3 no such server, or the secrets file is unreadable or too open.`;
  static examples = ['<%= config.bin %> db grant srv1', '<%= config.bin %> db grant srv1 --migrations'];
  static args = { name: Args.string({ required: true, description: 'Server name' }) };
  static flags = { migrations: Flags.boolean({ default: false, summary: 'Also allow the DDL that Marzban migrations run.' }) };

  async run() {
    const { args, flags } = await this.parse(DbGrant);
    const loaded = await this.inventory(flags.inventory);
    const server = findServer(loaded.inventory, args.name);
    const file = secretsFilePath(loaded.file);
    const stored = (await readSecrets(file)).mysql?.accounts?.[server.name];
    const plan = accountPlan(server, { migrations: flags.migrations });
    return withUsers(loaded, {}, async (ctx) => {
      const exists = (await existingAccounts(ctx.pool)).some((a) => a.user === plan.user && a.host === plan.host);
      if (exists && stored?.user !== plan.user) {
        throw new WeclickError(`${plan.user}@${plan.host} exists but its password is not in ${file}: set a new one with weclick db rotate ${server.name}`, { exitCode: EXIT.badInput });
      }
      const password = exists ? undefined : newAccountPassword();
      registerSecret(password);
      if (password) {
        // Stored before the account exists: a crash in between leaves an unused password, never a lost one.
        await updateSecrets(file, (s) => {
          s.mysql = { ...s.mysql, accounts: { ...s.mysql?.accounts, [server.name]: { user: plan.user, host: plan.host, password, setAt: new Date().toISOString() } } };
        });
      }
      await applyAccount(ctx.pool, plan, ctx.settings.database, password);
      this.say(`${exists ? 'Repaired' : 'Created'} ${plan.user}@${plan.host}: ${plan.privileges.join(', ')} on ${ctx.settings.database}.* only.${password ? ` Password stored in ${file}.` : ''}`);
      return { server: server.name, user: plan.user, host: plan.host, privileges: plan.privileges, created: !exists, secretsFile: file };
    });
  }
}
