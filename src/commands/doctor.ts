import * as Flags from '@oclif/core/flags';
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

--security runs the security checks instead, on this machine only (no network): secret file modes (.env,
weclick.secrets.yaml, the age identity, SSH keys), secrets written into the inventory itself, a pinned host key
for every server in known_hosts, backup recipients and where the identity lives, secret files committed to or not
ignored by git, DEBUG, and MySQL TLS / plain-http API URLs. Each check is ok, warn or fail, with the fix.

Exit codes: 0 no failures (warnings allowed) · 1 at least one check failed · 2 bad flags.`;
  static examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json', '<%= config.bin %> doctor --security'];
  static flags = {
    security: Flags.boolean({ default: false, summary: 'Only the security checks (offline): file modes, secrets in the inventory, host keys, backup keys, git, DEBUG, TLS.' }),
  };

  async run(): Promise<{ checks: Check[]; failed: number; warnings: number }> {
    const { flags } = await this.parse(Doctor);
    // Doctor reads a too-open .env on purpose: saying so is its job.
    const [loaded, env] = await Promise.all([loadInventory(flags.inventory), loadEnvFile(flags.inventory, { allowOpen: true })]);
    const checks = flags.security ? await securityChecksFor(loaded, env) : [...(await runDoctorChecks(loaded, env)), ...(await dnsChecks(loaded, env))];
    const c = this.colors;
    const paint = { ok: c.green, warn: c.yellow, fail: c.red };
    this.say(renderTable(['CHECK', 'STATUS', 'DETAIL'], checks.map((k) => [k.area, paint[k.status](k.status), k.fix ? `${k.detail} — fix: ${k.fix}` : k.detail])));
    const failed = checks.filter((k) => k.status === 'fail').length;
    if (failed > 0) process.exitCode = EXIT.failed;
    return { checks, failed, warnings: checks.filter((k) => k.status === 'warn').length };
  }
}

async function securityChecksFor(...args: Parameters<typeof import('../doctor/security-facts.js').gatherSecurityFacts>): Promise<Check[]> {
  const [{ gatherSecurityFacts }, { securityChecks }] = await Promise.all([import('../doctor/security-facts.js'), import('../doctor/security.js')]);
  return securityChecks(await gatherSecurityFacts(...args));
}
