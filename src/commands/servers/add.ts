import * as Args from '@oclif/core/args';
import { WeclickCommand } from '../../base-command.js';
import { planInventoryEdit } from '../../inventory/plan-edit.js';
import { addServerNode, serverFieldsFromInput } from '../../inventory/server-fields.js';
import { changeFlags } from '../../ui/change-flags.js';
import { WeclickError } from '../../ui/errors.js';
import { EXIT } from '../../ui/exit-codes.js';
import { serverFieldFlags } from '../../ui/server-flags.js';

export default class ServersAdd extends WeclickCommand {
  static summary = 'Add a server to the inventory.';
  static description = `Shows the change as a diff and asks before writing (--yes to skip). Comments and formatting of the file are kept; the write is atomic.

Exit codes: 0 added (or dry run) · 2 bad flags · 3 the result would be invalid, nothing written · 4 not confirmed.`;
  static examples = [
    '<%= config.bin %> servers add srv6 --ip 198.51.100.26 --roles marzban --provider pq.hosting --expires 2027-01-31',
    '<%= config.bin %> servers add srv6 --ip 198.51.100.26 --roles marzban --provider pq.hosting --expires 2027-01-31 --price 5 --currency EUR --yes',
  ];
  static args = { name: Args.string({ required: true, description: 'Name of the new server, e.g. srv6' }) };
  static flags = { ...serverFieldFlags, ...changeFlags };

  async run() {
    const { args, flags } = await this.parse(ServersAdd);
    const loaded = await this.inventory(flags.inventory);
    if (loaded.inventory.servers.some((s) => s.name === args.name)) {
      throw new WeclickError(`a server named '${args.name}' already exists; change it with \`weclick servers set ${args.name}\``, { exitCode: EXIT.badInput });
    }
    const fields = serverFieldsFromInput({ ...flags, hostname: flags.hostname ?? `${args.name}.${loaded.inventory.fleet.domain}` });
    const plan = planInventoryEdit(loaded, (doc) => addServerNode(doc, args.name, fields));
    const result = await this.commitInventoryEdit(plan, { yes: flags.yes, dryRun: flags['dry-run'] });
    return { name: args.name, ...result };
  }
}
