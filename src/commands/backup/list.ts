import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { catalogPath, readCatalog, type CatalogEntry } from '../../backup/catalog.js';
import { LIST_HEAD, listRows } from '../../backup/report.js';
import { renderTable } from '../../ui/table.js';

export default class BackupList extends WeclickCommand {
  static summary = 'List the backups in the local catalog, newest first, with ages and sizes.';
  static description = `The catalog (backups.catalog.json beside the inventory) records every backup this machine made: its parts'
Telegram message and file ids, hashes, sizes and the tables with row counts. Status: done, failed, uploading (in
progress, or its process died), pruned (dropped by retention, deleted from the chat) or expired (dropped by
retention, but older than 48 hours, so its messages stay in the chat).

Exit codes: 0 listed (possibly none) · 3 inventory or catalog unreadable.`;
  static examples = ['<%= config.bin %> backup list', '<%= config.bin %> backup list --status done --json'];
  static flags = {
    status: Flags.option({ options: ['uploading', 'done', 'failed', 'pruned', 'expired'] as const, summary: 'Only backups in this state.' })(),
  };

  async run(): Promise<{ catalog: string; backups: CatalogEntry[] }> {
    const { flags } = await this.parse(BackupList);
    const loaded = await this.inventory(flags.inventory);
    const file = catalogPath(loaded.file);
    const backups = (await readCatalog(file)).backups.filter((b) => !flags.status || b.status === flags.status);
    if (backups.length === 0) this.say(`No backups in ${file}${flags.status ? ` with status ${flags.status}` : ''}.`);
    else this.say(renderTable(LIST_HEAD, listRows(backups, new Date())));
    return { catalog: file, backups };
  }
}
