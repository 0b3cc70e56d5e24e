import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { ROLES, STATES, type Server } from '../../inventory/schema.js';
import { filterServers } from '../../inventory/select.js';
import { renderTable } from '../../ui/table.js';

export default class ServersList extends WeclickCommand {
  static summary = 'List the servers in the inventory.';
  static description = 'Exit codes: 0 listed (possibly none) · 2 bad flags · 3 inventory invalid.';
  static examples = [
    '<%= config.bin %> servers list',
    '<%= config.bin %> servers list --role marzban --state active',
    '<%= config.bin %> servers list --provider pq.hosting --json',
  ];

  static flags = {
    role: Flags.option({ options: ROLES, summary: 'Only servers holding this role.' })(),
    provider: Flags.string({ summary: 'Only servers rented from this provider.' }),
    state: Flags.option({ options: STATES, summary: 'Only servers in this state.' })(),
  };

  async run(): Promise<{ servers: Server[] }> {
    const { flags } = await this.parse(ServersList);
    const { inventory } = await this.inventory(flags.inventory);
    const servers = filterServers(inventory, flags);
    if (servers.length === 0) this.say('No servers match.');
    else {
      const rows = servers.map((s) => [s.name, s.hostname, s.ipv4, s.roles.join(','), s.provider, s.expires, s.state]);
      this.say(renderTable(['NAME', 'HOSTNAME', 'IPV4', 'ROLES', 'PROVIDER', 'EXPIRES', 'STATE'], rows));
    }
    return { servers };
  }
}
