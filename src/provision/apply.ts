import type { Server } from '../inventory/schema.js';
import type { FleetContext } from '../remote/fleet-context.js';
import { releaseFleetLock } from '../remote/fleet-lock.js';
import { auditCommand } from '../remote/lock.js';
import type { HostSession } from '../remote/session.js';
import { acquireWithTakeover } from './lock-recovery.js';
import { gatherFacts, type HostPlan, type ProvisionPlan } from './plan.js';
import { provisionRolesOf } from './roles/index.js';
import type { ApplyOptions, Change, LocalEffects, Step } from './step.js';

export interface AppliedStep {
  id: string;
  describe: string;
  summary: string;
}

export interface HostApplyResult {
  host: string;
  status: 'changed' | 'ok' | 'failed' | 'skipped';
  applied: AppliedStep[];
  error?: string;
}

export interface ApplyEvents {
  onHostStart?(host: string): void;
  onStep?(host: string, step: AppliedStep): void;
  onHostDone?(result: HostApplyResult): void;
}

export interface ApplyDeps {
  context: FleetContext;
  sessions: Map<string, HostSession>;
  reconnect(host: string): Promise<HostSession>;
  local: LocalEffects;
  options: ApplyOptions;
  identity: string;
  command: string;
  events?: ApplyEvents;
}

export interface ApplyOutcome {
  results: HostApplyResult[];
  /** Hosts whose lock was left by a killed run of ours and taken over. */
  tookOver: string[];
  lockProblems: string[];
}

/**
 * Rollout order across the fleet: the management server first, then workers, then Outline, the entry point
 * last, so it never sends users to a worker that is not ready. Hosts of one phase run in parallel.
 */
export function rolloutPhase(server: Server): number {
  const roles = provisionRolesOf(server.roles);
  if (roles.includes('management')) return 0;
  if (roles.includes('proxy')) return 3;
  if (roles.includes('marzban')) return 1;
  return 2;
}

/**
 * Applies a plan: takes the lock on the hosts that change, and on each host gathers its facts again and applies
 * the steps still needed, in order, with an audit line per change. If a host before the entry point fails, the
 * entry point is left as it is.
 */
export async function applyProvision(plan: ProvisionPlan, deps: ApplyDeps): Promise<ApplyOutcome> {
  const changing = plan.hosts.filter((h) => h.steps.some((s) => s.change.kind === 'change'));
  if (changing.length === 0) return { results: [], tookOver: [], lockProblems: [] };
  const lockContext = { ...deps.context, targets: deps.context.targets.filter((t) => changing.some((h) => h.server.name === t.name)) };
  const lock = await acquireWithTakeover(lockContext, { by: deps.identity, command: deps.command, at: new Date().toISOString(), pid: process.pid });
  if (!lock.acquired) return { results: [], tookOver: [], lockProblems: lock.problems };

  const results: HostApplyResult[] = [];
  try {
    const phases = [0, 1, 2, 3].map((phase) => changing.filter((h) => rolloutPhase(h.server) === phase));
    for (const [phase, hosts] of phases.entries()) {
      const failed = results.filter((r) => r.status === 'failed').map((r) => r.host);
      if (phase === 3 && failed.length > 0) {
        for (const host of hosts) {
          const result: HostApplyResult = { host: host.server.name, status: 'skipped', applied: [], error: `not changed: ${failed.join(', ')} failed, and the entry point must not send users to a host that is not ready` };
          results.push(result);
          deps.events?.onHostDone?.(result);
        }
        continue;
      }
      results.push(...(await Promise.all(hosts.map((host) => applyHost(host, deps)))));
    }
  } finally {
    await releaseFleetLock(lockContext, lockContext.targets.map((t) => t.name)).catch(() => undefined);
  }
  return { results, tookOver: lock.tookOver, lockProblems: [] };
}

async function applyHost(plan: HostPlan, deps: ApplyDeps): Promise<HostApplyResult> {
  const host = plan.server.name;
  const session = deps.sessions.get(host);
  const applied: AppliedStep[] = [];
  deps.events?.onHostStart?.(host);
  const finish = (result: HostApplyResult) => (deps.events?.onHostDone?.(result), result);
  if (!session) return finish({ host, status: 'failed', applied, error: 'no session' });
  let current: Step | undefined;
  try {
    // Facts again, right before changing anything: the plan may be minutes old (the operator read it).
    const steps = plan.steps.map((s) => s.step);
    let facts = await gatherFacts(session, steps.flatMap((s) => s.probes));
    for (const step of steps) {
      current = step;
      const change: Change = step.check(facts, deps.options);
      if (change.kind === 'blocked') throw new Error(change.reason);
      if (change.kind !== 'change') continue;
      const done = { id: step.id, describe: step.describe, summary: change.summary };
      const audit = `${new Date().toISOString()} ${deps.identity} ${deps.command}: ${host}: ${change.summary}`;
      await session.shell(auditCommand(audit), { sudo: true, timeoutMs: 10_000 });
      await step.apply({ session, facts, options: deps.options, reconnect: () => deps.reconnect(host), local: deps.local });
      applied.push(done);
      deps.events?.onStep?.(host, done);
      // A step that installs software changes what later steps see (docker, compose): look again.
      if (step.spec.kind === 'packages' || step.id === 'docker') facts = await gatherFacts(session, steps.flatMap((s) => s.probes));
    }
    return finish({ host, status: applied.length > 0 ? 'changed' : 'ok', applied });
  } catch (error) {
    const where = current ? `${current.describe}: ` : '';
    return finish({ host, status: 'failed', applied, error: `${where}${(error as Error).message}` });
  }
}
