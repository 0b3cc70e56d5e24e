import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { compareRecords, zoneOf } from '../../dns/desired.js';
import { renderRecords, retryNote, withOwnership, type ListedRecord } from '../../dns/render.js';
import { connectZone } from '../../dns/sync.js';
import { loadEnvFile } from '../../secrets/env-file.js';

export default class DnsList extends WeclickCommand {
  static summary = "List the Cloudflare zone's records, showing which weclick owns.";
  static description = `A record is weclick's when its comment carries "managed-by: weclick"; all others are shown and never changed.

Exit codes: 0 listed · 1 Cloudflare API failure (token refused, zone not found, rate limit, 5xx) · 2 bad flags · 3 invalid inventory or no token.`;
  static examples = ['<%= config.bin %> dns list', '<%= config.bin %> dns list --owned', '<%= config.bin %> dns list --unowned --json'];
  static flags = {
    owned: Flags.boolean({ default: false, summary: 'Only records weclick owns.', exclusive: ['unowned'] }),
    unowned: Flags.boolean({ default: false, summary: 'Only records weclick does not own.', exclusive: ['owned'] }),
  };

  async run(): Promise<{ zone: string; owned: number; unowned: number; records: ListedRecord[] }> {
    const { flags } = await this.parse(DnsList);
    const { inventory } = await this.inventory(flags.inventory);
    const { api, zone } = await connectZone(zoneOf(inventory), await loadEnvFile(flags.inventory), { onRetry: (...a) => this.note(retryNote(...a)) });
    const all = withOwnership(await api.listRecords(zone)).sort(compareRecords);
    const records = all.filter((r) => (flags.owned ? r.owned : flags.unowned ? !r.owned : true));
    const owned = all.filter((r) => r.owned).length;
    this.say(records.length === 0 ? `Zone ${zone.name}: no records${flags.owned || flags.unowned ? ' match' : ''}.` : renderRecords(records, this.colors));
    this.say(`\nZone ${zone.name}: ${all.length} record(s), ${owned} owned by weclick, ${all.length - owned} not.`);
    return { zone: zone.name, owned, unowned: all.length - owned, records };
  }
}
