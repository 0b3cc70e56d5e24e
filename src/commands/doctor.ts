import { WeclickCommand } from '../base-command.js';
import { runDoctorChecks, type Check } from '../doctor/checks.js';
import { dnsChecks } from '../doctor/dns-check.js';
import { loadInventory } from '../inventory/load.js';
import { loadEnvFile } from '../secrets/env-file.js';
import { renderTable } from '../ui/table.js';
import { EXIT } from '../ui/exit-codes.js';

export default class Doctor extends WeclickCommand {
  static summary = 'Check your weclick setup: inventory, secrets (names only), key files, and that Cloudflare accepts the token and the zone exists.';
  static description = `Never prints a secret's value: only which names are set and whether files are locked down.

Exit codes: 0 no failures (warnings allowed) · 1 at least one check failed.`;
  static examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json'];

  async run(): Promise<{ checks: Check[]; failed: number }> {
    const { flags } = await this.parse(Doctor);
    const [loaded, env] = await Promise.all([loadInventory(flags.inventory), loadEnvFile(flags.inventory)]);
    const checks = [...(await runDoctorChecks(loaded, env)), ...(await dnsChecks(loaded, env))];
    const c = this.colors;
    const paint = { ok: c.green, warn: c.yellow, fail: c.red };
    this.say(renderTable(['CHECK', 'STATUS', 'DETAIL'], checks.map((k) => [k.area, paint[k.status](k.status), k.fix ? `${k.detail} — fix: ${k.fix}` : k.detail])));
    const failed = checks.filter((k) => k.status === 'fail').length;
    if (failed > 0) process.exitCode = EXIT.failed;
    return { checks, failed };
  }
}
