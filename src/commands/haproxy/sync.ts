import { WeclickCommand } from '../../base-command.js';
import { theEntryPoint } from '../../haproxy/entry.js';
import { countChanges } from '../../provision/plan.js';
import { applyEventsFor } from '../../provision/progress.js';
import { planJson, renderApply, renderPlan } from '../../provision/render-plan.js';
import { prepareProvision } from '../../provision/run.js';
import { auditIdentity } from '../../remote/audit-identity.js';
import { changeFlags } from '../../ui/change-flags.js';
import { confirmChange } from '../../ui/confirm.js';
import { WeclickError } from '../../ui/errors.js';
import { EXIT } from '../../ui/exit-codes.js';
import { fleetProgress } from '../../ui/fleet-progress.js';

export default class HaproxySync extends WeclickCommand {
  static summary = "Render the entry point's haproxy.cfg from the inventory, validate it there (haproxy -c), reload gracefully.";
  static description = `The proxy role of \`weclick provision\` on the entry point alone: the config as a diff, then (after confirmation) the
new file is checked with \`haproxy -c\` on the host before it replaces the live one, runtime states are dumped to
the server-state-file, and HAProxy reloads (-sf or systemd) so open tunnels stay up. A server the new config adds
must accept connections from the entry point first. If validation or the reload fails, the old config keeps
serving and the error says why.

Exit codes: 0 in sync · 1 the reload failed or the entry point is unreachable · 2 bad flags · 3 the rendered config is invalid, or not exactly one entry point · 4 not confirmed.`;
  static examples = ['<%= config.bin %> haproxy sync --dry-run', '<%= config.bin %> haproxy sync --yes'];
  static flags = { ...changeFlags };

  async run() {
    const { flags } = await this.parse(HaproxySync);
    const loaded = await this.inventory(flags.inventory);
    const entry = theEntryPoint(loaded.inventory);
    const run = await prepareProvision({ loaded, selected: [entry], only: ['proxy'], dryRun: flags['dry-run'] });
    try {
      this.say(this.colorDiff(renderPlan(run.plan)));
      if (run.plan.problems.length > 0) {
        throw new WeclickError(`not applied: the old configuration keeps serving`, { exitCode: run.plan.hosts.some((h) => h.error) ? EXIT.failed : EXIT.badInput, details: run.plan.problems });
      }
      const counts = countChanges(run.plan);
      if (flags['dry-run'] || counts.changes === 0) return { plan: planJson(run.plan), applied: null };
      await confirmChange(`Apply ${counts.changes} change(s) on ${entry.name}?`, { yes: flags.yes });
      const progress = await fleetProgress<unknown>([entry.name], { json: this.jsonEnabled(), title: 'haproxy sync' });
      const outcome = await run.apply({ identity: auditIdentity(), command: 'weclick haproxy sync', events: applyEventsFor(progress.events) });
      await progress.finished();
      if (outcome.lockProblems.length > 0) throw new WeclickError('not applied: the weclick lock on the entry point is held', { exitCode: EXIT.failed, details: outcome.lockProblems });
      this.say(`\n${renderApply(outcome)}`);
      if (outcome.results.some((r) => r.status === 'failed')) process.exitCode = EXIT.failed;
      return { plan: planJson(run.plan), applied: outcome };
    } finally {
      run.close();
    }
  }
}
