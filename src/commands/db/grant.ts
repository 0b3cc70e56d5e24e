import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { findServer } from '../../inventory/select.js';
import { grantServerAccount } from '../../users/grant-account.js';
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
    return withUsers(loaded, {}, async (ctx) => {
      const { plan, created, secretsFile } = await grantServerAccount(ctx.pool, loaded.file, server, ctx.settings.database, { migrations: flags.migrations });
      this.say(`${created ? 'Created' : 'Repaired'} ${plan.user}@${plan.host}: ${plan.privileges.join(', ')} on ${ctx.settings.database}.* only.${created ? ` Password stored in ${secretsFile}.` : ''}`);
      return { server: server.name, user: plan.user, host: plan.host, privileges: plan.privileges, created, secretsFile };
    });
  }
}
