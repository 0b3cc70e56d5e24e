import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../base-command.js';
import { inRolloutOrder, selectHosts } from '../fleet/select-hosts.js';
import { countChanges } from '../provision/plan.js';
import { applyEventsFor } from '../provision/progress.js';
import { planJson, renderApply, renderPlan } from '../provision/render-plan.js';
import { prepareProvision } from '../provision/run.js';
import { auditIdentity } from '../remote/audit-identity.js';
import { changeFlags } from '../ui/change-flags.js';
import { confirmChange } from '../ui/confirm.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { fleetProgress } from '../ui/fleet-progress.js';
import { hostFlags } from '../ui/host-flags.js';

export default class Provision extends WeclickCommand {
  static summary = 'Converge servers to their roles from templates: plan (diffs), confirm, apply. A second run changes nothing.';
  static description = `Computes per host what differs from the desired state (files as unified diffs, packages, containers, services,
firewall), shows it, asks (unless --yes), then applies: management first, then workers, Outline, and the entry
point last. Every rendered file is validated on the host before it replaces the live one (haproxy -c, nft -c,
sshd -t); problems across the fleet (no entry point, two, mixed Marzban versions) stop the run before any change.
A run killed at any point converges on the next run. Roles: base (every host), management, marzban, outline, proxy.

Exit codes: 0 converged (or plan shown) · 1 a host failed or was unreachable · 2 bad flags · 3 the inventory, settings or a rendered file is invalid (nothing changed) · 4 not confirmed.`;
  static examples = [
    '<%= config.bin %> provision srv6',
    '<%= config.bin %> provision --role marzban --dry-run',
    '<%= config.bin %> provision --all --yes',
  ];
  static strict = false;
  static args = { names: Args.string({ required: false, description: 'Server names (several allowed), or use --role / --all' }) };
  static flags = {
    ...hostFlags,
    all: Flags.boolean({ default: false, summary: 'Every server in service (not retired).' }),
    verbose: Flags.boolean({ char: 'v', default: false, summary: 'Also list the steps that are already converged.' }),
    ...changeFlags,
  };

  async run() {
    const { flags, argv } = await this.parse(Provision);
    const names = [...(argv as string[]), ...(flags.hosts ?? [])];
    if (names.length === 0 && !flags.role && !flags.all) throw new WeclickError('say what to provision: server names, --role ROLE, or --all', { exitCode: EXIT.usage });
    const loaded = await this.inventory(flags.inventory);
    const selected = inRolloutOrder(selectHosts(loaded.inventory, { hosts: names, role: flags.role }));
    if (selected.length === 0) throw new WeclickError('no server matches; nothing to provision', { exitCode: EXIT.usage });

    const run = await prepareProvision({ loaded, selected, dryRun: flags['dry-run'], connectTimeout: flags['connect-timeout'], parallel: flags.parallel });
    try {
      const plan = run.plan;
      this.say(this.colorDiff(renderPlan(plan, { verbose: flags.verbose })));
      if (run.generated.length > 0) this.note(`${flags['dry-run'] ? 'Would generate' : 'Generated'} ${run.generated.join(', ')} in ${run.ports.secrets.file}.`);
      if (plan.problems.length > 0) {
        const unreachable = plan.hosts.some((h) => h.error);
        throw new WeclickError(`not applied: ${plan.problems.length} problem(s) found before any change`, { exitCode: unreachable ? EXIT.failed : EXIT.badInput, details: plan.problems, data: { plan: planJson(plan) } });
      }
      const counts = countChanges(plan);
      if (flags['dry-run'] || counts.changes === 0) {
        if (flags['dry-run']) this.say('\nDry run: nothing was changed.');
        return { plan: planJson(plan), applied: null };
      }
      await confirmChange(`Apply ${counts.changes} change(s) on ${counts.hosts} host(s)?`, { yes: flags.yes });
      const changing = plan.hosts.filter((h) => h.steps.some((s) => s.change.kind === 'change')).map((h) => h.server.name);
      const progress = await fleetProgress<unknown>(changing, { json: this.jsonEnabled(), title: 'provision' });
      const outcome = await run.apply({ identity: auditIdentity(), command: `weclick provision`, events: applyEventsFor(progress.events) });
      await progress.finished();
      if (outcome.lockProblems.length > 0) {
        throw new WeclickError('not applied: could not take the weclick lock on every host that changes', { exitCode: EXIT.failed, details: outcome.lockProblems });
      }
      this.say(`\n${renderApply(outcome)}`);
      if (outcome.results.some((r) => r.status === 'failed' || r.status === 'skipped')) process.exitCode = EXIT.failed;
      return { plan: planJson(plan), applied: outcome };
    } finally {
      run.close();
    }
  }
}
