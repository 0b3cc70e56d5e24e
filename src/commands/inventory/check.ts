import { WeclickCommand } from '../../base-command.js';

export default class InventoryCheck extends WeclickCommand {
  static summary = 'Validate the inventory and print every problem.';
  static description = `Reads the inventory and reports every problem at once, one line each, as file:line:column: field: message.

Exit codes: 0 valid · 3 invalid or unreadable.`;

  static examples = [
    '<%= config.bin %> inventory check',
    '<%= config.bin %> inventory check -i staging.yaml --json',
  ];

  async run(): Promise<{ file: string; valid: true; servers: number }> {
    const { flags } = await this.parse(InventoryCheck);
    const { inventory, file } = await this.inventory(flags.inventory);
    this.say(`${file}: valid — ${inventory.servers.length} server(s) in ${inventory.fleet.domain}.`);
    return { file, valid: true, servers: inventory.servers.length };
  }
}
