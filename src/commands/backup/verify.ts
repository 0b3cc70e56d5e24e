import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { loadEnvFile } from '../../secrets/env-file.js';
import { EXIT } from '../../ui/exit-codes.js';

export default class BackupVerify extends WeclickCommand {
  static summary = 'Prove a backup restores: load it into a scratch database and compare with its manifest.';
  static description = `Restores the backup (every part's sha256 checked first) into a throw-away database on the mysql server,
dumps that copy again with the same mysqldump options and compares every table, its row count and its checksum with
the manifest. The scratch database is dropped afterwards, whatever happened.

Exit codes: 0 everything matches · 1 a difference, a damaged or missing part, or a failure · 3 unknown backup, no or wrong identity.`;
  static examples = ['<%= config.bin %> backup verify', '<%= config.bin %> backup verify 20250101-120000-ab12 --identity ~/.config/weclick/backup.key'];
  static args = { id: Args.string({ required: false, default: 'latest', description: 'Backup id, a unique prefix of one, or latest.' }) };
  static flags = {
    identity: Flags.string({ summary: 'age identity file (default BACKUP_AGE_IDENTITY_FILE from .env).' }),
    'connect-timeout': Flags.integer({ min: 1, max: 300, summary: 'Seconds to wait for a host to answer.' }),
  };

  async run() {
    const { args, flags } = await this.parse(BackupVerify);
    const loaded = await this.inventory(flags.inventory);
    const env = await loadEnvFile(loaded.file);
    const { verifyBackup } = await import('../../backup/verify.js');
    const { describeRetry } = await import('../../backup/report.js');
    const { describeDifference } = await import('../../backup/verify-compare.js');
    const events = { note: (t: string) => this.note(t), retry: (n: Parameters<typeof describeRetry>[0]) => this.note(describeRetry(n)) };
    const result = await verifyBackup({ loaded, env, ref: args.id, identityFile: flags.identity, connectTimeout: flags['connect-timeout'], events });
    if (result.ok) this.say(`Backup ${result.id} verified: ${result.tables} tables, ${result.rows} rows, every checksum matches the manifest (scratch database ${result.scratch} dropped).`);
    else {
      process.exitCode = EXIT.failed;
      this.say(`Backup ${result.id} does NOT match its manifest:`);
      for (const d of [...result.payload, ...result.copy]) this.say(`  ${describeDifference(d)}`);
    }
    return result;
  }
}
