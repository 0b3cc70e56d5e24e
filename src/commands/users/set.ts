import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { WeclickError } from '../../ui/errors.js';
import { EXIT } from '../../ui/exit-codes.js';
import { changeUser, setUpdates, type SetFields } from '../../users/changes.js';
import { nowSeconds } from '../../users/repository.js';
import { propagationLines, userDetails, userJson } from '../../users/render.js';
import { parseExpire, parseSize } from '../../users/units.js';
import { checkNote, checkUsername, parseReset } from '../../users/user-spec.js';
import { checkInput, withUsers } from '../../users/users-context.js';

export default class UsersSet extends WeclickCommand {
  static summary = "Change a user's data limit, expiry, reset strategy or note.";
  static description = `The status follows, as in Marzban: a higher limit lifts 'limited', a later expiry lifts 'expired'.

Exit codes: 0 changed · 1 MySQL unreachable or refused · 2 bad flags or none given · 3 no such user or bad value.`;
  static examples = ['<%= config.bin %> users set alice --data-limit 100GB', '<%= config.bin %> users set alice --expire 2026-12-31 --reset month', '<%= config.bin %> users set alice --data-limit unlimited --expire never'];
  static args = { name: Args.string({ required: true, description: 'Username' }) };
  static flags = {
    'data-limit': Flags.string({ summary: 'New limit, e.g. 100GB, or unlimited.' }),
    expire: Flags.string({ summary: 'New expiry: 30d, 2026-12-31 or never.' }),
    reset: Flags.string({ summary: 'no_reset, day, week, month or year.' }),
    note: Flags.string({ summary: 'New note ("" clears it).' }),
  };

  async run() {
    const { args, flags } = await this.parse(UsersSet);
    const name = checkInput(() => checkUsername(args.name));
    const fields: SetFields = checkInput(() => ({
      ...(flags['data-limit'] !== undefined ? { dataLimit: parseSize(flags['data-limit']) } : {}),
      ...(flags.expire !== undefined ? { expire: parseExpire(flags.expire, nowSeconds()) } : {}),
      ...(flags.reset !== undefined ? { reset: parseReset(flags.reset) } : {}),
      ...(flags.note !== undefined ? { note: flags.note === '' ? null : checkNote(flags.note) } : {}),
    }));
    if (Object.keys(fields).length === 0) throw new WeclickError('nothing to set: give --data-limit, --expire, --reset or --note', { exitCode: EXIT.usage });
    const loaded = await this.inventory(flags.inventory);
    return withUsers(loaded, { changes: true }, async (ctx) => {
      const { user, propagation } = await changeUser(ctx, name, setUpdates(fields));
      for (const [key, value] of userDetails(user).filter(([k]) => ['status', 'data limit', 'expires', 'reset', 'note'].includes(k))) this.say(`${key}: ${value}`);
      for (const line of propagationLines(propagation, ctx.workers)) this.say(line);
      return { user: userJson(user), propagation };
    });
  }
}
