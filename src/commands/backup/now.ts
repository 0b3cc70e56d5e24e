import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { loadEnvFile } from '../../secrets/env-file.js';
import { WeclickError } from '../../ui/errors.js';
import { EXIT } from '../../ui/exit-codes.js';

export default class BackupNow extends WeclickCommand {
  static summary = 'Back up the central MySQL (and Marzban\'s files) to Telegram, encrypted, in parts.';
  static description = `On the mysql server, over SSH: mysqldump --single-transaction --routines --triggers, gzipped there;
weclick encrypts the stream with age to fleet.backup.recipients and sends it in parts of at most 19 MB (so a bot can
download them again), each captioned with the backup id, part i/n and its sha256, then a manifest. "Done" only once
Telegram confirmed every part. Nothing is held in memory or written to disk on this machine but the part in flight.
A failed backup is marked failed in the catalog, its parts are deleted, and the chat gets an alert.

Exit codes: 0 done · 1 failed (alert sent) or another backup is running · 3 configuration missing (token, chat, recipients).`;
  static examples = [
    '<%= config.bin %> backup now',
    { command: '<%= config.bin %> backup now --verify --identity ~/.config/weclick/backup.key', description: 'Then restore it into a scratch database and compare' },
    { command: '<%= config.bin %> backup now --prune', description: 'Then apply the retention policy (fleet.backup.keep)' },
  ];
  static flags = {
    'part-size': Flags.string({ summary: 'Largest part, e.g. 19M (the maximum), 5M, 512K.', default: '19M' }),
    verify: Flags.boolean({ default: false, summary: 'Afterwards restore it into a scratch database and compare with the manifest (needs the identity).' }),
    identity: Flags.string({ summary: 'With --verify: age identity file (default BACKUP_AGE_IDENTITY_FILE).' }),
    prune: Flags.boolean({ default: false, summary: 'Afterwards apply the retention policy without asking.' }),
    'connect-timeout': Flags.integer({ min: 1, max: 300, summary: 'Seconds to wait for a host to answer.' }),
  };

  async run() {
    const { flags } = await this.parse(BackupNow);
    const { parsePartSize } = await import('../../backup/part-cutter.js');
    const partSize = parsePartSize(flags['part-size']);
    if (!partSize) throw new WeclickError(`--part-size must be between 64K and 19M, not '${flags['part-size']}'`, { exitCode: EXIT.usage });
    const loaded = await this.inventory(flags.inventory);
    const env = await loadEnvFile(loaded.file);
    const { backupNow } = await import('../../backup/backup-now.js');
    const { describeRetry } = await import('../../backup/report.js');
    const events = { note: (t: string) => this.note(t), retry: (n: Parameters<typeof describeRetry>[0]) => this.note(describeRetry(n)) };
    const outcome = await backupNow({ loaded, env, partSize, connectTimeout: flags['connect-timeout'], events });
    const e = outcome.entry;
    this.say(`Backup ${e.id} done: ${e.parts.length} part(s) in chat ${e.chat}, manifest message ${e.manifest?.messageId}.`);
    let verify;
    if (flags.verify) {
      const { verifyBackup } = await import('../../backup/verify.js');
      verify = await verifyBackup({ loaded, env, ref: e.id, identityFile: flags.identity, connectTimeout: flags['connect-timeout'], events });
      this.say(verify.ok ? `Verified: ${verify.tables} tables, ${verify.rows} rows match the manifest.` : `VERIFY FAILED for ${e.id}.`);
      if (!verify.ok) process.exitCode = EXIT.failed;
    }
    let pruned;
    if (flags.prune) {
      const { pruneWithPolicy } = await import('../../backup/prune-run.js');
      pruned = await pruneWithPolicy({ loaded, env, events });
      for (const line of pruned.lines) this.say(line);
    }
    return { backup: e, warnings: outcome.warnings, ...(verify ? { verify } : {}), ...(pruned ? { prune: pruned.results } : {}) };
  }
}
