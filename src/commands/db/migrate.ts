import { WeclickCommand } from '../../base-command.js';
import { loadEnvFile } from '../../secrets/env-file.js';
import { mysqlSettings, openPool } from '../../users/connection.js';
import { migrate } from '../../users/migrate.js';
import { MARZBAN_ALEMBIC_HEAD } from '../../users/schema.js';
import { describeFailure } from '../../users/users-context.js';

export default class DbMigrate extends WeclickCommand {
  static summary = "Create the Marzban v0.8.4 schema in the fleet database (if absent) and weclick's own table.";
  static description = `On an empty or missing database: creates it (utf8mb4), every Marzban table exactly as Marzban's migrations leave them, the jwt secret, the system row and alembic_version at ${MARZBAN_ALEMBIC_HEAD}, so Marzban workers start on it without migrating. On a database Marzban already created: only adds weclick_pending and the 'weclick' API admin. Idempotent.

Exit codes: 0 done · 1 MySQL unreachable or refused · 3 settings missing · 4 a half-made schema (refused).`;
  static examples = ['<%= config.bin %> db migrate', '<%= config.bin %> db migrate --json'];

  async run() {
    const { flags } = await this.parse(DbMigrate);
    const loaded = await this.inventory(flags.inventory);
    const settings = mysqlSettings(loaded.inventory, await loadEnvFile(loaded.file));
    const pool = await openPool(settings, { database: false });
    try {
      const report = await migrate(pool, settings.database).catch((error: unknown) => {
        throw describeFailure(error, settings);
      });
      this.say(report.created.length ? `Created ${report.created.length} Marzban tables in '${report.database}' (alembic ${report.alembicVersion}).` : `'${report.database}' already has the Marzban schema (alembic ${report.alembicVersion}).`);
      if (report.versionMismatch) this.note(`warning: alembic_version is ${report.alembicVersion}, not ${MARZBAN_ALEMBIC_HEAD} (Marzban v0.8.4); weclick writes the v0.8.4 columns only`);
      this.say("weclick_pending and the 'weclick' API admin are in place.");
      return report;
    } finally {
      await pool.end().catch(() => undefined);
    }
  }
}
