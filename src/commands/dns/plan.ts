import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import type { DnsPlan } from '../../dns/plan.js';
import { renderPlan, retryNote } from '../../dns/render.js';
import { openDns, readPlan } from '../../dns/sync.js';
import { loadEnvFile } from '../../secrets/env-file.js';

/** `dns plan --exit-code`: the zone differs from the inventory (terraform's "2", which weclick uses for bad flags). */
export const DRIFT_EXIT_CODE = 5;

export default class DnsPlanCommand extends WeclickCommand {
  static summary = 'Show how the Cloudflare zone would change to match the inventory (changes nothing).';
  static description = `Reads the zone (fleet.cloudflare.zone, else fleet.domain) with CLOUDFLARE_API_TOKEN from the .env beside the inventory, and lists the creates, updates and deletes as before → after. Only records whose comment carries "managed-by: weclick" are ever changed; records weclick does not own that stand in the way are listed, not touched.

Exit codes: 0 plan shown · 1 Cloudflare API failure (token refused, zone not found, rate limit, 5xx) · 2 bad flags · 3 invalid inventory, a name outside the zone, or no token · 5 with --exit-code: the zone differs from the inventory (changes or conflicts).`;
  static examples = ['<%= config.bin %> dns plan', '<%= config.bin %> dns plan --adopt', '<%= config.bin %> dns plan --exit-code --json'];
  static flags = {
    adopt: Flags.boolean({ default: false, summary: 'Plan to take over unowned records that already hold a wanted value.' }),
    'exit-code': Flags.boolean({ default: false, summary: `Exit ${DRIFT_EXIT_CODE} when the zone differs from the inventory (for monitoring).` }),
  };

  async run(): Promise<DnsPlan> {
    const { flags } = await this.parse(DnsPlanCommand);
    const loaded = await this.inventory(flags.inventory);
    const session = await openDns(loaded.inventory, await loadEnvFile(flags.inventory), { onRetry: (...a) => this.note(retryNote(...a)) });
    const plan = await readPlan(session, { adopt: flags.adopt });
    this.say(renderPlan(plan, this.colors));
    if (flags['exit-code'] && (plan.changes.length > 0 || plan.conflicts.length > 0)) process.exitCode = DRIFT_EXIT_CODE;
    return plan;
  }
}
