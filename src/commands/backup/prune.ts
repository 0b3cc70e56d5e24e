import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { loadEnvFile } from '../../secrets/env-file.js';
import { confirmChange } from '../../ui/confirm.js';
import { changeFlags } from '../../ui/change-flags.js';
import { renderTable } from '../../ui/table.js';

export default class BackupPrune extends WeclickCommand {
  static summary = 'Apply the retention policy: delete old backups from the chat where Telegram still allows it.';
  static description = `Keeps the newest --keep-last backups, plus the newest of each of the last --keep-daily days, --keep-weekly ISO
weeks and --keep-monthly months that have one (UTC; defaults from fleet.backup.keep). The others' messages are deleted
— but Telegram lets a bot delete only messages younger than 48 hours: older ones stay in the chat, and their backup
is marked expired in the catalog (it says so). Leftover parts of failed backups are always removed.

Exit codes: 0 pruned (or nothing to do) · 1 Telegram failed · 4 not confirmed (no terminal and no --yes).`;
  static examples = ['<%= config.bin %> backup prune --dry-run', '<%= config.bin %> backup prune --keep-last 3 --keep-daily 7 --yes'];
  static flags = {
    ...changeFlags,
    'keep-last': Flags.integer({ min: 1, summary: 'Newest backups always kept.' }),
    'keep-daily': Flags.integer({ min: 0, summary: 'Days (with a backup) whose newest backup is kept.' }),
    'keep-weekly': Flags.integer({ min: 0, summary: 'ISO weeks whose newest backup is kept.' }),
    'keep-monthly': Flags.integer({ min: 0, summary: 'Months whose newest backup is kept.' }),
  };

  async run() {
    const { flags } = await this.parse(BackupPrune);
    const loaded = await this.inventory(flags.inventory);
    const { retentionPolicy, preparePrune, pruneWithPolicy } = await import('../../backup/prune-run.js');
    const { describeRetry } = await import('../../backup/report.js');
    const policy = retentionPolicy(loaded, { last: flags['keep-last'], daily: flags['keep-daily'], weekly: flags['keep-weekly'], monthly: flags['keep-monthly'] });
    const plan = await preparePrune(loaded, policy);
    const rows = [
      ...plan.keep.map((k) => [k.id, 'keep', k.reasons.join(', ')]),
      ...plan.drop.map((d) => [d.id, 'drop', 'not kept by the policy']),
      ...plan.cleanup.map((c) => [c.id, 'drop', 'failed backup: leftover parts']),
    ];
    this.say(`Policy: last ${policy.last}, daily ${policy.daily}, weekly ${policy.weekly}, monthly ${policy.monthly}.`);
    if (rows.length) this.say(renderTable(['ID', 'ACTION', 'WHY'], rows));
    const removing = plan.drop.length + plan.cleanup.length;
    if (removing === 0) {
      this.say('Nothing to prune.');
      return { policy, keep: plan.keep, results: [] };
    }
    if (flags['dry-run']) {
      this.say(`\nDry run: ${removing} backup(s) would be dropped; nothing was deleted.`);
      return { policy, keep: plan.keep, drop: plan.drop.map((d) => d.id), results: [] };
    }
    await confirmChange(`Delete ${removing} backup(s) from the chat (where Telegram still allows it)?`, { yes: flags.yes });
    const env = await loadEnvFile(loaded.file);
    const done = await pruneWithPolicy({ loaded, env, policy, events: { retry: (n) => this.note(describeRetry(n)) } });
    for (const line of done.lines) this.say(line);
    return { policy, keep: done.plan.keep, results: done.results };
  }
}
