import * as Args from '@oclif/core/args';
import { WeclickCommand } from '../../base-command.js';
import { currentDate, daysBetween, localToday } from '../../expiry/calendar-day.js';
import type { Server } from '../../inventory/schema.js';
import { findServer } from '../../inventory/select.js';

export default class ServersShow extends WeclickCommand {
  static summary = 'Show one server.';
  static description = 'Exit codes: 0 shown · 3 no such server, or inventory invalid.';
  static examples = ['<%= config.bin %> servers show srv1', '<%= config.bin %> servers show go --json'];
  static args = { name: Args.string({ required: true, description: 'Server name' }) };

  async run(): Promise<{ server: Server; daysLeft: number }> {
    const { args, flags } = await this.parse(ServersShow);
    const { inventory } = await this.inventory(flags.inventory);
    const server = findServer(inventory, args.name);
    const daysLeft = daysBetween(localToday(currentDate()), server.expires);
    const ssh = { ...inventory.fleet.ssh, ...server.ssh };
    const lines: Array<[string, string | undefined]> = [
      ['name', server.name],
      ['hostname', server.hostname],
      ['ipv4', server.ipv4],
      ['ipv6', server.ipv6],
      ['roles', server.roles.join(', ')],
      ['state', server.state],
      ['provider', server.provider],
      ['expires', `${server.expires} (${daysLeft < 0 ? `expired ${-daysLeft} days ago` : `${daysLeft} days left`})`],
      ['price', server.price ? `${server.price.monthly.toFixed(2)} ${server.price.currency} / month` : undefined],
      ['ssh', `${ssh.user ?? 'root'}@${server.ipv4}:${ssh.port ?? 22}${ssh.key ? ` key ${ssh.key}` : ' (ssh-agent)'}`],
      ['labels', server.labels ? Object.entries(server.labels).map(([k, v]) => `${k}=${v}`).join(', ') : undefined],
      ['notes', server.notes],
    ];
    for (const [key, value] of lines) if (value !== undefined) this.say(`${`${key}:`.padEnd(10)}${value}`);
    return { server, daysLeft };
  }
}
