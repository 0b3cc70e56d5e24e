import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { loadEnvFile } from '../../secrets/env-file.js';
import { confirmChange } from '../../ui/confirm.js';
import { EXIT } from '../../ui/exit-codes.js';

export default class BackupRestore extends WeclickCommand {
  static summary = 'Restore a backup from Telegram into a database.';
  static description = `Downloads every part by its file id and checks every sha256 before anything is written, checks that
the age identity can open it, then decrypts, decompresses and loads it with the mysql client on the target server.
By default the target is fleet.mysql.database on the mysql server — the live database — which is refused without
--over-live; a database that already holds tables is refused without --overwrite. Either one asks to confirm
(--yes to answer yes without a terminal). A restore into a new database that fails half-way drops that database.

Exit codes: 0 restored · 1 a part is missing or damaged, or loading failed · 3 unknown backup, no or wrong identity · 4 refused (live or non-empty target, declined).`;
  static examples = [
    { command: '<%= config.bin %> backup restore latest --database marzban_copy', description: 'Into a new database beside the live one' },
    { command: '<%= config.bin %> backup restore 20250101-120000-ab12 --host db2 --yes', description: 'Onto a fresh server, e.g. after losing the old one' },
    { command: '<%= config.bin %> backup restore latest --over-live', description: 'Over the live database (asks first)' },
    { command: '<%= config.bin %> backup restore latest --database scratch --dry-run', description: 'Check parts, hashes and key; load nothing' },
  ];
  static args = { id: Args.string({ required: true, description: 'Backup id, a unique prefix of one, or latest.' }) };
  static flags = {
    database: Flags.string({ summary: 'Target database (default: fleet.mysql.database).' }),
    host: Flags.string({ summary: 'Target server from the inventory (default: the mysql server).' }),
    identity: Flags.string({ summary: 'age identity file (default BACKUP_AGE_IDENTITY_FILE from .env).' }),
    'over-live': Flags.boolean({ default: false, summary: 'Allow replacing the live database (still asks to confirm).' }),
    overwrite: Flags.boolean({ default: false, summary: 'Allow loading over a database that holds tables (asks to confirm).' }),
    'extract-files': Flags.string({ summary: 'Also write Marzban\'s files (.env, compose, xray config) below this folder, mode 600.' }),
    yes: Flags.boolean({ char: 'y', default: false, summary: 'Answer yes to the confirmation.' }),
    'dry-run': Flags.boolean({ default: false, summary: 'Check the parts, hashes, key and target; load nothing.' }),
    'connect-timeout': Flags.integer({ min: 1, max: 300, summary: 'Seconds to wait for a host to answer.' }),
  };

  async run() {
    const { args, flags } = await this.parse(BackupRestore);
    const loaded = await this.inventory(flags.inventory);
    const env = await loadEnvFile(loaded.file);
    const { RestoreJob } = await import('../../backup/restore.js');
    const { describeRetry } = await import('../../backup/report.js');
    const { describeDifference } = await import('../../backup/verify-compare.js');
    const events = { note: (t: string) => this.note(t), retry: (n: Parameters<typeof describeRetry>[0]) => this.note(describeRetry(n)) };
    const job = await RestoreJob.prepare({
      loaded, env, ref: args.id, database: flags.database, host: flags.host, identityFile: flags.identity,
      overLive: flags['over-live'], overwrite: flags.overwrite, connectTimeout: flags['connect-timeout'], events,
    });
    try {
      const { host, database } = job.target;
      if (flags['dry-run']) {
        this.say(`Dry run: backup ${job.entry.id} is intact (${job.entry.parts.length} part(s), hashes match, the key opens it); it would load into ${database} on ${host}.${job.confirm ? ' (That needs confirming.)' : ''}`);
        return { id: job.entry.id, target: job.target, restored: false };
      }
      if (job.confirm) await confirmChange(job.confirm, { yes: flags.yes });
      const result = await job.run({ extractTo: flags['extract-files'] });
      const rows = result.scan.tables.reduce((sum, t) => sum + t.rows, 0);
      this.say(`Restored backup ${result.id} into ${database} on ${host}: ${result.scan.tables.length} tables, ${rows} rows.`);
      for (const f of result.files) if (f.writtenTo) this.say(`  wrote ${f.writtenTo} (${f.bytes} bytes, mode 600)`);
      if (result.differences.length > 0) {
        process.exitCode = EXIT.failed;
        this.note(`the loaded data does not match the manifest:\n  ${result.differences.map(describeDifference).join('\n  ')}`);
      }
      return { id: result.id, target: result.target, restored: true, tables: result.scan.tables, files: result.files, differences: result.differences };
    } finally {
      job.close();
    }
  }
}
