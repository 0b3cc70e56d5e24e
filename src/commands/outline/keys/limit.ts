import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../../base-command.js';
import { outlineCall, outlineClientFor, parseLimit } from '../../../outline/target.js';
import { WeclickError } from '../../../ui/errors.js';
import { EXIT } from '../../../ui/exit-codes.js';
import { formatSize } from '../../../users/units.js';

export default class OutlineKeysLimit extends WeclickCommand {
  static summary = "Set (or with --remove, lift) an Outline key's data limit per rolling 30 days.";
  static description = `A key over its limit stops working until its use in the last 30 days falls below it; it is not deleted.

Exit codes: 0 set · 1 the server did not answer, or its certificate does not match the pin · 2 bad flags · 3 bad size, no such key, no Outline server or no apiUrl/certSha256.`;
  static examples = ['<%= config.bin %> outline keys limit 3 50GB', '<%= config.bin %> outline keys limit 3 --remove'];
  static args = { id: Args.string({ required: true, description: 'Key id' }), size: Args.string({ required: false, description: 'Limit, e.g. 50GB' }) };
  static flags = { server: Flags.string({ summary: 'Outline server (default: the only one).' }), remove: Flags.boolean({ default: false, summary: 'Lift the limit.' }) };

  async run() {
    const { args, flags } = await this.parse(OutlineKeysLimit);
    if (flags.remove === (args.size !== undefined)) throw new WeclickError('give a size (e.g. 50GB) or --remove, not both', { exitCode: EXIT.usage });
    const bytes = args.size === undefined ? null : parseLimit(args.size);
    const loaded = await this.inventory(flags.inventory);
    const { server, client } = await outlineClientFor(loaded, flags.server);
    if (bytes === null) await outlineCall(server, () => client.removeKeyLimit(args.id));
    else await outlineCall(server, () => client.setKeyLimit(args.id, bytes));
    this.say(bytes === null ? `Key ${args.id} on ${server}: no limit.` : `Key ${args.id} on ${server}: ${formatSize(bytes)} per 30 days.`);
    return { server, id: args.id, limitBytes: bytes };
  }
}
