import * as Args from '@oclif/core/args';
import { WeclickCommand } from '../../base-command.js';
import { planInventoryEdit } from '../../inventory/plan-edit.js';
import { findServer } from '../../inventory/select.js';
import { serverIndex } from '../../inventory/server-index.js';
import { changeFlags } from '../../ui/change-flags.js';

export default class ServersRemove extends WeclickCommand {
  static summary = 'Remove a server from the inventory.';
  static description = `Only edits the inventory: it does not touch the server, DNS or HAProxy. To take a server out of service, mark it retired first (\`weclick servers set NAME --state retired\`) and sync DNS and HAProxy.

Exit codes: 0 removed · 3 no such server · 4 not confirmed.`;
  static examples = ['<%= config.bin %> servers remove srv4', '<%= config.bin %> servers remove srv4 --yes'];
  static args = { name: Args.string({ required: true, description: 'Server name' }) };
  static flags = { ...changeFlags };

  async run() {
    const { args, flags } = await this.parse(ServersRemove);
    const loaded = await this.inventory(flags.inventory);
    const server = findServer(loaded.inventory, args.name);
    if (server.state !== 'retired') this.note(`warning: ${server.name} is ${server.state}; its DNS records and HAProxy entry stay until the next sync.`);
    const plan = planInventoryEdit(loaded, (doc) => doc.deleteIn(['servers', serverIndex(doc, args.name)]));
    const result = await this.commitInventoryEdit(plan, { yes: flags.yes, dryRun: flags['dry-run'] });
    return { name: args.name, ...result };
  }
}
