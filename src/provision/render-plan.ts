import type { ApplyOutcome } from './apply.js';
import { countChanges, type ProvisionPlan } from './plan.js';

/** The plan as text: per host its changes (with diffs), what is deliberately skipped, and a summary line. */
export function renderPlan(plan: ProvisionPlan, options: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  for (const host of plan.hosts) {
    const changes = host.steps.filter((s) => s.change.kind === 'change');
    const roles = host.server.roles.join(', ');
    out.push(`${host.server.name} (${roles}): ${host.error ? `unreachable: ${host.error}` : changes.length === 0 ? 'no changes' : `${changes.length} change${changes.length === 1 ? '' : 's'}`}`);
    for (const { step, change } of host.steps) {
      if (change.kind === 'change') {
        out.push(`  ~ [${step.role}] ${change.summary}`);
        if (change.diff) out.push(...change.diff.split('\n').map((l) => `      ${l}`));
      } else if (change.kind === 'skip') out.push(`  - skipped [${step.role}] ${change.reason}`);
      else if (change.kind === 'blocked') out.push(`  ! [${step.role}] ${change.reason.split('\n').join('\n      ')}`);
      else if (options.verbose) out.push(`  = [${step.role}] ${step.describe}${change.detail ? ` (${change.detail})` : ''}`);
    }
  }
  const { changes, hosts, skipped } = countChanges(plan);
  out.push('', `Plan: ${changes} change${changes === 1 ? '' : 's'} on ${hosts} of ${plan.hosts.length} host${plan.hosts.length === 1 ? '' : 's'}${skipped ? `; ${skipped} step${skipped === 1 ? '' : 's'} skipped on purpose (see "skipped")` : ''}.`);
  for (const warning of plan.warnings) out.push(`warning: ${warning}`);
  return out.join('\n');
}

/** The plan as data for --json: no closures, no file contents of sensitive files. */
export function planJson(plan: ProvisionPlan) {
  return {
    summary: countChanges(plan),
    problems: plan.problems,
    warnings: plan.warnings,
    hosts: plan.hosts.map((host) => ({
      name: host.server.name,
      roles: host.server.roles,
      error: host.error,
      steps: host.steps.map(({ step, change }) => ({ id: step.id, role: step.role, describe: step.describe, ...change })),
    })),
  };
}

export function renderApply(outcome: ApplyOutcome): string {
  const out: string[] = [];
  if (outcome.tookOver.length > 0) out.push(`Took over the lock on ${outcome.tookOver.join(', ')}: it was left by an earlier weclick run of yours that is no longer running.`);
  for (const result of outcome.results) {
    out.push(`${result.host}: ${result.status}${result.error ? `: ${result.error}` : ''}`);
    for (const step of result.applied) out.push(`  ✓ ${step.summary}`);
  }
  return out.join('\n');
}
