import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { countChanges, type DnsPlan } from '../../dns/plan.js';
import { renderPlan, retryNote } from '../../dns/render.js';
import { applyPlan, assertGuard, DnsApplyError, openDns, readPlan, type ApplyResult } from '../../dns/sync.js';
import { loadEnvFile } from '../../secrets/env-file.js';
import { changeFlags } from '../../ui/change-flags.js';
import { confirmChange } from '../../ui/confirm.js';

export default class DnsSync extends WeclickCommand {
  static summary = 'Make the Cloudflare zone match the inventory: plan, confirm, apply in batches, verify.';
  static description = `Shows the plan (as \`weclick dns plan\`), asks (--yes to skip), applies it through Cloudflare's batch endpoint (all-or-nothing per batch of up to 200 changes) and reads the zone again to verify. Only records weclick owns ("managed-by: weclick" in the comment) are changed; --adopt takes over unowned records that already hold a wanted value. A zone with 10 or more owned records where more than 30% would be updated or deleted needs --force.

Exit codes: 0 applied, nothing to do, or dry run · 1 Cloudflare API failure: a rejected first batch applied nothing; with several batches, the message says which were applied, and the plan still to do is shown again · 2 bad flags · 3 invalid inventory, a name outside the zone, or no token · 4 not confirmed, or the mass-change guard refused (nothing sent).`;
  static examples = [
    '<%= config.bin %> dns sync',
    '<%= config.bin %> dns sync --dry-run',
    '<%= config.bin %> dns sync --yes --adopt',
    '<%= config.bin %> dns sync --yes --force --json',
  ];
  static flags = {
    ...changeFlags,
    adopt: Flags.boolean({ default: false, summary: 'Take over unowned records that already hold a wanted value.' }),
    force: Flags.boolean({ default: false, summary: 'Apply even when more than 30% of the owned records would change.' }),
  };

  async run(): Promise<DnsPlan & { applied: number; dryRun: boolean; result?: ApplyResult; requests: number }> {
    const { flags } = await this.parse(DnsSync);
    const loaded = await this.inventory(flags.inventory);
    const session = await openDns(loaded.inventory, await loadEnvFile(flags.inventory), { onRetry: (...a) => this.note(retryNote(...a)) });
    const plan = await readPlan(session, { adopt: flags.adopt });
    this.say(renderPlan(plan, this.colors));
    const done = (extra: { applied: number; dryRun: boolean; result?: ApplyResult }) => ({ ...plan, ...extra, requests: session.api.requests });
    if (plan.changes.length === 0) {
      this.say('\nNothing to do: every record weclick owns matches the inventory.');
      return done({ applied: 0, dryRun: flags['dry-run'] });
    }
    if (flags['dry-run']) {
      this.say('\nDry run: nothing was changed.');
      return done({ applied: 0, dryRun: true });
    }
    assertGuard(plan, flags.force);
    await confirmChange(`Apply ${plan.changes.length} change(s) to zone ${plan.zone}?`, { yes: flags.yes });
    let result: ApplyResult;
    try {
      result = await applyPlan(session, plan, { adopt: flags.adopt, force: flags.force });
    } catch (error) {
      if (error instanceof DnsApplyError && error.remaining) this.say(`\nThe plan again, from the zone as it is now:\n${renderPlan(error.remaining, this.colors)}`);
      throw error;
    }
    if (result.note) this.note(`note: ${result.note}`);
    const n = countChanges(plan);
    this.say(`\nApplied ${result.applied} change(s) (${n.create} created, ${n.update + n.adopt} updated, ${n.delete} deleted) in ${result.batches} batch(es); verified: the zone matches the inventory. ${session.api.requests} API request(s).`);
    return done({ applied: result.applied, dryRun: false, result });
  }
}
