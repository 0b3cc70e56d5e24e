import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { connectEntry, theEntryPoint, theWorker, waitForSessions } from '../../haproxy/entry.js';
import { changeServerState } from '../../haproxy/state-change.js';
import { writeFileAtomically } from '../../fs/atomic-write.js';
import { planInventoryEdit } from '../../inventory/plan-edit.js';
import { serverIndex } from '../../inventory/server-index.js';
import { auditIdentity } from '../../remote/audit-identity.js';
import { changeFlags } from '../../ui/change-flags.js';
import { confirmChange } from '../../ui/confirm.js';
import { EXIT } from '../../ui/exit-codes.js';
import { durationFlag } from '../../ui/duration-flag.js';

export default class HaproxyDrain extends WeclickCommand {
  static summary = 'Stop sending new users to a worker: HAProxy drain (runtime API) and state draining in the inventory.';
  static description = `Open tunnels stay on the worker until they end; health checks go on. The drain survives HAProxy reloads (server-state-file)
and re-renders (the inventory says draining). --wait polls the worker's sessions until none are left or --timeout passes.

Exit codes: 0 drained (and, with --wait, no sessions left) · 1 sessions remain at the timeout, or HAProxy/the entry point failed · 2 bad flags · 3 not a worker, or not exactly one entry point · 4 not confirmed.`;
  static examples = ['<%= config.bin %> haproxy drain srv3', '<%= config.bin %> haproxy drain srv3 --wait --timeout 30m --yes'];
  static args = { name: Args.string({ required: true, description: 'Worker name' }) };
  static flags = {
    wait: Flags.boolean({ default: false, summary: 'Wait until the worker has no sessions left.' }),
    timeout: Flags.string({ default: '10m', summary: 'How long --wait waits (e.g. 90s, 10m, 1h).' }),
    ...changeFlags,
  };

  async run() {
    const { args, flags } = await this.parse(HaproxyDrain);
    const timeoutMs = durationFlag('--timeout', flags.timeout, '90s, 10m or 1h');
    const loaded = await this.inventory(flags.inventory);
    theWorker(loaded.inventory, args.name);
    const entry = theEntryPoint(loaded.inventory);
    const edit = planInventoryEdit(loaded, (doc) => doc.setIn(['servers', serverIndex(doc, args.name), 'state'], 'draining'));
    this.say(`Drain ${args.name}: set server workers/${args.name} state drain on ${entry.name}${edit.changed ? '; in the inventory:' : ' (the inventory already says draining)'}`);
    if (edit.changed) this.say(this.colorDiff(edit.diff));
    if (flags['dry-run']) return { server: args.name, entry: entry.name, dryRun: true };
    await confirmChange(`Drain ${args.name}?`, { yes: flags.yes });

    const conn = await connectEntry(loaded);
    try {
      const before = await changeServerState(conn, args.name, 'drain', { identity: auditIdentity(), command: 'weclick haproxy drain' });
      if (edit.changed) await writeFileAtomically(edit.file, edit.after);
      this.say(`${args.name}: ${before === 'drain' ? 'already in drain' : `${before} → drain`} on ${entry.name}${edit.changed ? `; ${edit.file} says draining` : ''}.`);
      if (!flags.wait) return { server: args.name, entry: entry.name, before, state: 'drain', inventoryChanged: edit.changed };
      const progress = await waitForSessions(conn.session, args.name, { timeoutMs, onTick: (n) => this.note(`${args.name}: ${n} session(s) open`) });
      if (!progress.drained) process.exitCode = EXIT.failed;
      this.say(progress.drained ? `${args.name}: no sessions left (${Math.round(progress.waitedMs / 1000)}s).` : `${args.name}: ${progress.sessions} session(s) still open after ${flags.timeout}.`);
      return { server: args.name, entry: entry.name, before, state: 'drain', inventoryChanged: edit.changed, ...progress };
    } finally {
      conn.session.close();
    }
  }
}
