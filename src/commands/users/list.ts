import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { renderTable } from '../../ui/table.js';
import { SORT_KEYS } from '../../users/list-query.js';
import { nowSeconds } from '../../users/repository.js';
import { USER_HEAD, userJson, userRow } from '../../users/render.js';
import { USER_STATUSES } from '../../users/schema.js';
import { withUsers } from '../../users/users-context.js';

export default class UsersList extends WeclickCommand {
  static summary = 'List users: filter by status, expiry, usage or admin; sorted; paged by cursor.';
  static description = `Pages by cursor (--after, printed under the table), which stays as fast on the last page of 100,000 users as on the first. Sizes are binary (1 GB = 1024³ bytes).

Exit codes: 0 listed · 1 MySQL unreachable or refused · 2 bad flags · 3 bad cursor or no Marzban schema.`;
  static examples = [
    '<%= config.bin %> users list',
    '<%= config.bin %> users list --status active --expiring 7 --sort expire',
    '<%= config.bin %> users list --above 90 --sort usage --desc --limit 20 --json',
  ];
  static flags = {
    status: Flags.option({ options: USER_STATUSES, multiple: true, summary: 'Only these statuses (repeatable).' })(),
    expiring: Flags.integer({ min: 0, max: 36500, summary: 'Only users expiring within this many days.' }),
    above: Flags.integer({ min: 0, max: 1000, summary: 'Only users above this percentage of their data limit.' }),
    admin: Flags.string({ summary: 'Only users of this Marzban admin.' }),
    prefix: Flags.string({ summary: 'Only usernames starting with this.' }),
    sort: Flags.option({ options: SORT_KEYS, default: 'username' as const, summary: 'Sort key.' })(),
    desc: Flags.boolean({ default: false, summary: 'Descending order.' }),
    limit: Flags.integer({ min: 1, max: 1000, default: 50, summary: 'Users per page.' }),
    after: Flags.string({ summary: 'Cursor of the next page (printed by the previous one).' }),
  };

  async run() {
    const { flags } = await this.parse(UsersList);
    const loaded = await this.inventory(flags.inventory);
    return withUsers(loaded, {}, async (ctx) => {
      const page = await ctx.repo.list({
        ...(flags.status ? { statuses: flags.status } : {}),
        ...(flags.expiring !== undefined ? { expiringDays: flags.expiring } : {}),
        ...(flags.above !== undefined ? { abovePercent: flags.above } : {}),
        ...(flags.admin ? { admin: flags.admin } : {}),
        ...(flags.prefix ? { prefix: flags.prefix } : {}),
        ...(flags.after ? { after: flags.after } : {}),
        sort: flags.sort,
        descending: flags.desc,
        limit: flags.limit,
        now: nowSeconds(),
      });
      this.say(renderTable(USER_HEAD, page.users.map(userRow)));
      this.say(`\n${page.users.length} shown of ${page.total}${page.next ? `; next page: weclick users list --after ${page.next}` : ''}`);
      return { users: page.users.map(userJson), total: page.total, next: page.next ?? null };
    });
  }
}
