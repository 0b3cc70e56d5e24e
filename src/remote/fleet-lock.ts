import type { FleetContext } from './fleet-context.js';
import { acquireLockCommand, lockStatusCommand, parseLockDetails, releaseLockCommand, type LockDetails } from './lock.js';
import { runOnFleet, type HostResult } from './runner.js';

export interface LockOutcome {
  acquired: boolean;
  problems: string[];
}

/** Takes the lock on every target, or on none: a host already locked makes us give back the rest. */
export async function acquireFleetLock(context: FleetContext, details: LockDetails): Promise<LockOutcome> {
  const results = await runOnFleet<boolean>(
    context.targets,
    async (session) => {
      const taken = await session.shell(acquireLockCommand(details), { sudo: true, timeoutMs: 10_000 });
      if (taken.code === 0) return { changed: true, value: true };
      const held = parseLockDetails((await session.shell(lockStatusCommand(), { sudo: true, timeoutMs: 10_000 })).stdout);
      throw new Error(held ? `locked by ${held.by} since ${held.at} (${held.command}${held.message ? `: ${held.message}` : ''})` : `could not take the lock: ${taken.stderr.trim()}`);
    },
    { connect: context.connect, parallel: context.parallel },
  );
  const problems = results.filter((r) => r.status !== 'changed').map((r) => `${r.host}: ${r.error ?? r.status}`);
  if (problems.length === 0) return { acquired: true, problems };
  await releaseFleetLock(context, results.filter((r) => r.status === 'changed').map((r) => r.host));
  return { acquired: false, problems };
}

export async function releaseFleetLock(context: FleetContext, hosts: string[]): Promise<HostResult<boolean>[]> {
  const targets = context.targets.filter((t) => hosts.includes(t.name));
  return runOnFleet<boolean>(targets, async (session) => {
    const released = await session.shell(releaseLockCommand(), { sudo: true, timeoutMs: 10_000 });
    if (released.code !== 0) throw new Error(released.stderr.trim() || `exit ${released.code}`);
    return { changed: true, value: true };
  }, { connect: context.connect, parallel: context.parallel });
}
