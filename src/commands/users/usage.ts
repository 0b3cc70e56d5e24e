import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { renderTable } from '../../ui/table.js';
import { nowSeconds } from '../../users/repository.js';
import { formatSize, parseDuration } from '../../users/units.js';
import { checkInput, withUsers } from '../../users/users-context.js';

export default class UsersUsage extends WeclickCommand {
  static summary = 'Top users by traffic, with the per-worker split where Marzban recorded one.';
  static description = `USED is the traffic since the last reset; LIFETIME adds the reset history. The split comes from Marzban's hourly node_user_usages rows: traffic through marzban-node hosts is named by node; traffic through a worker's own core is recorded without a node (Marzban writes node_id NULL), so it shows as "(local core)".

Exit codes: 0 shown · 1 MySQL unreachable or refused · 2 bad flags · 3 bad --since.`;
  static examples = ['<%= config.bin %> users usage', '<%= config.bin %> users usage --limit 20 --since 7d --json'];
  static flags = {
    limit: Flags.integer({ min: 1, max: 1000, default: 10, summary: 'How many users.' }),
    since: Flags.string({ summary: 'Per-worker split over this recent period only, e.g. 7d (default: all recorded).' }),
  };

  async run() {
    const { flags } = await this.parse(UsersUsage);
    const since = flags.since === undefined ? undefined : nowSeconds() - checkInput(() => parseDuration(flags.since!));
    const loaded = await this.inventory(flags.inventory);
    return withUsers(loaded, {}, async (ctx) => {
      const top = await ctx.repo.usage(flags.limit, since);
      this.say(
        renderTable(
          ['USERNAME', 'USED', 'LIMIT', 'LIFETIME', 'BY WORKER'],
          top.map((u) => [u.username, formatSize(u.usedTraffic), formatSize(u.dataLimit), formatSize(u.lifetimeTraffic), Object.entries(u.byNode).map(([node, bytes]) => `${node} ${formatSize(bytes)}`).join(', ') || '-']),
        ),
      );
      return { users: top };
    });
  }
}
