import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { planInventoryEdit } from '../../inventory/plan-edit.js';
import { findServer } from '../../inventory/select.js';
import { serverFieldsFromInput } from '../../inventory/server-fields.js';
import { serverIndex } from '../../inventory/server-index.js';
import { changeFlags } from '../../ui/change-flags.js';
import { serverFieldFlags } from '../../ui/server-flags.js';

const UNSETTABLE = ['ipv6', 'price', 'ssh', 'labels', 'notes'] as const;

export default class ServersSet extends WeclickCommand {
  static summary = "Change a server's fields in the inventory.";
  static description = `Shows the change as a diff and asks before writing (--yes to skip). Comments and formatting are kept; the write is atomic.

Exit codes: 0 changed, or nothing to change · 2 bad flags · 3 no such server, or the result would be invalid · 4 not confirmed.`;
  static examples = [
    '<%= config.bin %> servers set srv3 --state draining',
    '<%= config.bin %> servers set srv1 --price 6.5 --currency EUR --yes',
    '<%= config.bin %> servers set srv1 --unset notes',
  ];
  static args = { name: Args.string({ required: true, description: 'Server name' }) };
  static flags = {
    ...serverFieldFlags,
    unset: Flags.option({ options: UNSETTABLE, multiple: true, summary: 'Remove an optional field.' })(),
    ...changeFlags,
  };

  async run() {
    const { args, flags } = await this.parse(ServersSet);
    const loaded = await this.inventory(flags.inventory);
    findServer(loaded.inventory, args.name);
    const fields = serverFieldsFromInput(flags);
    const plan = planInventoryEdit(loaded, (doc) => {
      const index = serverIndex(doc, args.name);
      for (const field of flags.unset ?? []) doc.deleteIn(['servers', index, field]);
      for (const [path, value] of fields) doc.setIn(['servers', index, ...path], value);
    });
    const result = await this.commitInventoryEdit(plan, { yes: flags.yes, dryRun: flags['dry-run'] });
    return { name: args.name, ...result };
  }
}
