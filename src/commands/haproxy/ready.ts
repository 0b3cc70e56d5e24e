import * as Args from '@oclif/core/args';
import { WeclickCommand } from '../../base-command.js';
import { connectEntry, theEntryPoint, theWorker } from '../../haproxy/entry.js';
import { changeServerState } from '../../haproxy/state-change.js';
import { writeFileAtomically } from '../../fs/atomic-write.js';
import { planInventoryEdit } from '../../inventory/plan-edit.js';
import { serverIndex } from '../../inventory/server-index.js';
import { auditIdentity } from '../../remote/audit-identity.js';
import { changeFlags } from '../../ui/change-flags.js';
import { confirmChange } from '../../ui/confirm.js';

export default class HaproxyReady extends WeclickCommand {
  static summary = 'Send users to a worker again: HAProxy ready (runtime API) and state active in the inventory.';
  static description = `Undoes drain and maintenance on the entry point.

Exit codes: 0 ready · 1 HAProxy or the entry point failed · 2 bad flags · 3 not a worker, or not exactly one entry point · 4 not confirmed.`;
  static examples = ['<%= config.bin %> haproxy ready srv3 --yes'];
  static args = { name: Args.string({ required: true, description: 'Worker name' }) };
  static flags = { ...changeFlags };

  async run() {
    const { args, flags } = await this.parse(HaproxyReady);
    const loaded = await this.inventory(flags.inventory);
    theWorker(loaded.inventory, args.name);
    const entry = theEntryPoint(loaded.inventory);
    const edit = planInventoryEdit(loaded, (doc) => doc.setIn(['servers', serverIndex(doc, args.name), 'state'], 'active'));
    this.say(`Ready ${args.name}: set server workers/${args.name} state ready on ${entry.name}${edit.changed ? '; in the inventory:' : ' (the inventory already says active)'}`);
    if (edit.changed) this.say(this.colorDiff(edit.diff));
    if (flags['dry-run']) return { server: args.name, entry: entry.name, dryRun: true };
    await confirmChange(`Send users to ${args.name} again?`, { yes: flags.yes });
    const conn = await connectEntry(loaded);
    try {
      const before = await changeServerState(conn, args.name, 'ready', { identity: auditIdentity(), command: 'weclick haproxy ready' });
      if (edit.changed) await writeFileAtomically(edit.file, edit.after);
      this.say(`${args.name}: ${before === 'ready' ? 'already ready' : `${before} → ready`} on ${entry.name}${edit.changed ? `; ${edit.file} says active` : ''}.`);
      return { server: args.name, entry: entry.name, before, state: 'ready', inventoryChanged: edit.changed };
    } finally {
      conn.session.close();
    }
  }
}
