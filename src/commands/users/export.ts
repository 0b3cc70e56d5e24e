import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { writeFileAtomically } from '../../fs/atomic-write.js';
import { exportCsv, exportJson, exportRecord } from '../../users/export-file.js';
import { withUsers } from '../../users/users-context.js';

export default class UsersExport extends WeclickCommand {
  static summary = 'Export every user as CSV or JSON (importable with users import).';
  static description = `Columns: username,status,data_limit (bytes),used_traffic,expire (ISO time),protocols,reset,on_hold,note,admin, created_at. No credentials are exported. Cells that a spreadsheet would run as a formula are prefixed with '.

Exit codes: 0 exported · 1 MySQL unreachable or refused · 2 bad flags.`;
  static examples = ['<%= config.bin %> users export > users.csv', '<%= config.bin %> users export --format json --output users.json'];
  static flags = {
    format: Flags.option({ options: ['csv', 'json'] as const, default: 'csv' as const, summary: 'Output format.' })(),
    output: Flags.string({ char: 'o', summary: 'Write to this file (default: stdout).' }),
  };

  async run() {
    const { flags } = await this.parse(UsersExport);
    const loaded = await this.inventory(flags.inventory);
    return withUsers(loaded, {}, async (ctx) => {
      const users = await ctx.repo.exportAll();
      if (this.jsonEnabled()) return { users: users.map(exportRecord) };
      const text = flags.format === 'csv' ? await exportCsv(users) : exportJson(users);
      if (flags.output) {
        await writeFileAtomically(flags.output, text);
        process.stderr.write(`Exported ${users.length} user(s) to ${flags.output}.\n`);
      } else process.stdout.write(text);
      return { exported: users.length };
    });
  }
}
