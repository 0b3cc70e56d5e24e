import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../../base-command.js';
import { outlineCall, outlineClientFor, parseLimit } from '../../../outline/target.js';
import { formatSize } from '../../../users/units.js';

export default class OutlineKeysAdd extends WeclickCommand {
  static summary = 'Create an Outline access key and print its access URL (ss://…) to hand to the user.';
  static description = `The limit is a rolling 30-day data limit (Outline has no expiry dates: keep those elsewhere).

Exit codes: 0 created · 1 the server did not answer, or its certificate does not match the pin · 2 bad flags · 3 bad size, no Outline server or no apiUrl/certSha256.`;
  static examples = ['<%= config.bin %> outline keys add alice', '<%= config.bin %> outline keys add bob --limit 50GB --json'];
  static args = { name: Args.string({ required: false, description: 'Name of the key (shown in Outline Manager)' }) };
  static flags = {
    server: Flags.string({ summary: 'Outline server (default: the only one).' }),
    limit: Flags.string({ summary: 'Data limit per rolling 30 days, e.g. 50GB.' }),
  };

  async run() {
    const { args, flags } = await this.parse(OutlineKeysAdd);
    const bytes = flags.limit === undefined ? null : parseLimit(flags.limit);
    const loaded = await this.inventory(flags.inventory);
    const { server, client } = await outlineClientFor(loaded, flags.server);
    const key = await outlineCall(server, () => client.createKey({ ...(args.name ? { name: args.name } : {}), ...(bytes ? { limit: { bytes } } : {}) }));
    this.say(`Created key ${key.id}${key.name ? ` (${key.name})` : ''} on ${server}${bytes ? `, limit ${formatSize(bytes)} per 30 days` : ''}:`);
    this.say(key.accessUrl ?? '(the server returned no access URL)');
    return { server, id: key.id, name: key.name, port: key.port, method: key.method, limitBytes: bytes, accessUrl: key.accessUrl };
  }
}
