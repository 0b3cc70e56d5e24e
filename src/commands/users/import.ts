import { readFile, stat } from 'node:fs/promises';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { WeclickError } from '../../ui/errors.js';
import { EXIT } from '../../ui/exit-codes.js';
import { checkRows, formatOf, readCsv, readJson } from '../../users/import-file.js';
import { nowSeconds } from '../../users/repository.js';
import { propagationLines } from '../../users/render.js';
import { checkInput, propagateUsers, withUsers } from '../../users/users-context.js';

const MAX_FILE = 100 * 1024 * 1024;

export default class UsersImport extends WeclickCommand {
  static summary = 'Import users from CSV or JSON: all of them in one transaction, or none.';
  static description = `Every row is checked first (name, sizes, durations, expiry not in the past, duplicates in the file and in the database); any problem lists every bad row with its line and imports nothing (exit 3). Then one transaction writes all users, proxies and propagation rows; a lost connection rolls it back whole. Each worker then loads the new users.

CSV header (any order; only username is required): username,data_limit,expire,protocols,reset,on_hold,note,admin. JSON: an array of objects with the same keys; data_limit may be bytes and expire unix seconds. \`users export\` output imports as is (its status, used_traffic and created_at columns are ignored).

Exit codes: 0 imported (unreachable workers queued) · 1 MySQL unreachable, refused or lost (nothing imported) · 2 bad flags · 3 bad rows or unreadable file (nothing imported).`;
  static examples = ['<%= config.bin %> users import users.csv', '<%= config.bin %> users import users.json --dry-run', '<%= config.bin %> users import export.csv --format csv --json'];
  static args = { file: Args.string({ required: true, description: 'CSV or JSON file' }) };
  static flags = {
    format: Flags.option({ options: ['csv', 'json'] as const, summary: 'File format (default: from the extension).' })(),
    'dry-run': Flags.boolean({ default: false, summary: 'Check every row against the database; write nothing.' }),
  };

  async run() {
    const { args, flags } = await this.parse(UsersImport);
    const format = checkInput(() => formatOf(args.file, flags.format));
    const text = await readInput(args.file);
    const parsed = format === 'csv' ? await readCsv(text) : readJson(text);
    const loaded = await this.inventory(flags.inventory);
    return withUsers(loaded, { changes: !flags['dry-run'] }, async (ctx) => {
      const names = parsed.rows.map((r) => r.fields.username?.trim() ?? '').filter(Boolean);
      const now = nowSeconds();
      const checked = checkRows(parsed.rows, await ctx.repo.existing(names), now);
      const problems = [...parsed.problems, ...checked.problems].sort((a, b) => a.line - b.line);
      if (problems.length > 0) {
        throw new WeclickError(`${args.file}: ${problems.length} bad row(s); nothing was imported`, {
          exitCode: EXIT.badInput,
          details: problems.map((p) => `line ${p.line}: ${p.message}`),
          data: { problems },
        });
      }
      if (flags['dry-run']) {
        this.say(`${checked.specs.length} user(s) would be imported; nothing was written.`);
        return { imported: 0, checked: checked.specs.length, propagation: [] };
      }
      await ctx.repo.insertUsers(checked.specs, ctx.workers, now);
      this.say(`Imported ${checked.specs.length} user(s).`);
      const propagation = await propagateUsers(ctx, checked.specs.map((s) => s.username));
      for (const line of propagationLines(propagation, ctx.workers)) this.say(line);
      return { imported: checked.specs.length, propagation };
    });
  }
}

async function readInput(file: string): Promise<string> {
  try {
    const info = await stat(file);
    if (info.size > MAX_FILE) throw new WeclickError(`${file} is ${info.size} bytes; the limit is ${MAX_FILE}`, { exitCode: EXIT.badInput });
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof WeclickError) throw error;
    throw new WeclickError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { exitCode: EXIT.badInput });
  }
}
