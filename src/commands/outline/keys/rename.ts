import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../../base-command.js';
import { outlineCall, outlineClientFor } from '../../../outline/target.js';

export default class OutlineKeysRename extends WeclickCommand {
  static summary = 'Rename an Outline access key.';
  static description = `Exit codes: 0 renamed · 1 the server did not answer, or its certificate does not match the pin · 3 no such key, no Outline server or no apiUrl/certSha256.`;
  static examples = ['<%= config.bin %> outline keys rename 3 "alice (phone)"'];
  static args = { id: Args.string({ required: true, description: 'Key id' }), name: Args.string({ required: true, description: 'New name' }) };
  static flags = { server: Flags.string({ summary: 'Outline server (default: the only one).' }) };

  async run() {
    const { args, flags } = await this.parse(OutlineKeysRename);
    const loaded = await this.inventory(flags.inventory);
    const { server, client } = await outlineClientFor(loaded, flags.server);
    await outlineCall(server, () => client.renameKey(args.id, args.name));
    this.say(`Key ${args.id} on ${server} is now "${args.name}".`);
    return { server, id: args.id, name: args.name };
  }
}
