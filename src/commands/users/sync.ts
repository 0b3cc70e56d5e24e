import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { EXIT } from '../../ui/exit-codes.js';
import { renderTable } from '../../ui/table.js';
import { dropPendingForWorkers, pendingRows, summarizePending } from '../../users/pending.js';
import { propagate } from '../../users/propagate.js';
import { propagationLines } from '../../users/render.js';
import { completeDeletes, withUsers } from '../../users/users-context.js';

export default class UsersSync extends WeclickCommand {
  static summary = 'Apply every queued user change on the workers that missed it.';
  static description = `Changes are queued per worker in the weclick_pending table of the fleet database, in the same transaction as the change itself, so none is lost while a worker is down. This applies them (one SSH connection per worker), finishes deletions every worker has applied, and drops the queue of servers that are no longer marzban workers (a worker that starts again loads all users from the database anyway). --dry-run only shows the queue.

Exit codes: 0 nothing left queued · 1 something is still queued (a worker unreachable), or MySQL unreachable · 2 bad flags.`;
  static examples = ['<%= config.bin %> users sync', '<%= config.bin %> users sync --dry-run --json'];
  static flags = { 'dry-run': Flags.boolean({ default: false, summary: 'Show the queue; change nothing.' }) };

  async run() {
    const { flags } = await this.parse(UsersSync);
    const loaded = await this.inventory(flags.inventory);
    return withUsers(loaded, { changes: true }, async (ctx) => {
      if (flags['dry-run']) {
        const pending = await summarizePending(ctx.pool);
        this.say(pending.length ? renderTable(['WORKER', 'USERS', 'SINCE', 'LAST ERROR'], pending.map((p) => [p.worker, String(p.users), p.oldest, p.lastError ?? ''])) : 'Nothing queued.');
        return { pending };
      }
      const all = await pendingRows(ctx.pool);
      const gone = [...new Set(all.map((r) => r.worker))].filter((w) => !ctx.workers.includes(w));
      const dropped = await dropPendingForWorkers(ctx.pool, gone);
      if (gone.length) this.say(`Dropped ${dropped} queued change(s) of ${gone.join(', ')}: no longer marzban workers in the inventory.`);
      const deletes = [...new Set(all.filter((r) => r.action === 'delete').map((r) => r.username))];
      const reports = await propagate({ pool: ctx.pool, loaded, jwtSecret: await ctx.repo.jwtSecret(), apiUrl: ctx.apiUrl });
      const deleted = await completeDeletes(ctx, deletes);
      const pending = await summarizePending(ctx.pool);
      if (reports.length === 0 && all.length === 0) this.say('Nothing queued.');
      for (const line of propagationLines(reports, ctx.workers)) this.say(line);
      if (deleted.length) this.say(`Deleted ${deleted.join(', ')} (every worker has dropped them).`);
      if (pending.length) process.exitCode = EXIT.failed;
      return { workers: reports, dropped, deleted, pending };
    });
  }
}
