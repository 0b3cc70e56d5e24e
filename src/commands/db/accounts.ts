import { WeclickCommand } from '../../base-command.js';
import { readSecrets, secretsFilePath } from '../../secrets/secrets-file.js';
import { renderTable } from '../../ui/table.js';
import { accountPlan, existingAccounts, grantsMatch, grantsOf } from '../../users/db-accounts.js';
import { propagationWorkers } from '../../users/propagate.js';
import { withUsers } from '../../users/users-context.js';

export default class DbAccounts extends WeclickCommand {
  static summary = 'Per-worker MySQL accounts: which exist, from which address, with the right grants and a stored password.';
  static description = `Each marzban worker gets its own account ('mz_<name>'@'<its IPv4>') with SELECT, INSERT, UPDATE, DELETE on the Marzban database only. Passwords live only in weclick.secrets.yaml beside the inventory. Accounts named mz_* that match no worker are listed as orphans.

Exit codes: 0 every worker's account is in order · 1 one is missing, wrong or has no stored password, or MySQL unreachable.`;
  static examples = ['<%= config.bin %> db accounts', '<%= config.bin %> db accounts --json'];

  async run() {
    const { flags } = await this.parse(DbAccounts);
    const loaded = await this.inventory(flags.inventory);
    const secrets = await readSecrets(secretsFilePath(loaded.file));
    return withUsers(loaded, {}, async (ctx) => {
      const existing = await existingAccounts(ctx.pool);
      const stored = secrets.mysql?.accounts ?? {};
      const rows = [];
      for (const server of propagationWorkers(loaded.inventory)) {
        const plan = accountPlan(server);
        const found = existing.some((a) => a.user === plan.user && a.host === plan.host);
        const grants = found ? await grantsOf(ctx.pool, plan.user, plan.host) : [];
        const migrations = accountPlan(server, { migrations: true });
        const grantState = !found ? 'missing' : grantsMatch(grants, plan, ctx.settings.database) ? 'ok' : grantsMatch(grants, migrations, ctx.settings.database) ? 'ok (+migrations)' : 'WRONG';
        rows.push({ server: server.name, user: plan.user, host: plan.host, exists: found, grants: grantState, passwordStored: stored[server.name]?.user === plan.user, setAt: stored[server.name]?.setAt ?? null });
      }
      const known = new Set(rows.map((r) => `${r.user}@${r.host}`));
      const orphans = existing.filter((a) => !known.has(`${a.user}@${a.host}`));
      this.say(renderTable(['SERVER', 'ACCOUNT', 'FROM', 'GRANTS', 'PASSWORD'], rows.map((r) => [r.server, r.user, r.host, r.grants, r.passwordStored ? `stored ${r.setAt ?? ''}` : 'NOT STORED'])));
      if (orphans.length) this.say(`\nOrphans (no such worker): ${orphans.map((o) => `${o.user}@${o.host}`).join(', ')} — remove with weclick db revoke NAME`);
      if (rows.some((r) => !r.exists || r.grants === 'WRONG' || !r.passwordStored)) process.exitCode = 1;
      return { accounts: rows, orphans };
    });
  }
}
