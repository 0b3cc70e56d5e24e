import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../../base-command.js';
import { outlineCall, outlineClientFor } from '../../../outline/target.js';
import { changeFlags } from '../../../ui/change-flags.js';
import { confirmChange } from '../../../ui/confirm.js';

export default class OutlineKeysRemove extends WeclickCommand {
  static summary = 'Delete an Outline access key: its user is cut off at once.';
  static description = `Exit codes: 0 deleted · 1 the server did not answer, or its certificate does not match the pin · 3 no such key, no Outline server or no apiUrl/certSha256 · 4 not confirmed.`;
  static examples = ['<%= config.bin %> outline keys remove 3 --yes'];
  static args = { id: Args.string({ required: true, description: 'Key id' }) };
  static flags = { server: Flags.string({ summary: 'Outline server (default: the only one).' }), yes: changeFlags.yes };

  async run() {
    const { args, flags } = await this.parse(OutlineKeysRemove);
    const loaded = await this.inventory(flags.inventory);
    const { server, client } = await outlineClientFor(loaded, flags.server);
    const key = await outlineCall(server, () => client.getKey(args.id));
    await confirmChange(`Delete key ${key.id}${key.name ? ` (${key.name})` : ''} on ${server}?`, { yes: flags.yes });
    await outlineCall(server, () => client.deleteKey(args.id));
    this.say(`Deleted key ${args.id} on ${server}.`);
    return { server, id: args.id, name: key.name };
  }
}
