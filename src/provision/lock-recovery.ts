import type { FleetContext } from '../remote/fleet-context.js';
import { acquireFleetLock, releaseFleetLock, type LockOutcome } from '../remote/fleet-lock.js';
import { lockStatusCommand, parseLockDetails, type LockDetails } from '../remote/lock.js';
import { runOnFleet } from '../remote/runner.js';

/** True while a process with this pid exists on this machine. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the fleet lock; a lock left by a run of ours that was killed (same operator@machine, its pid gone) is
 * taken over, so that a killed run converges on the next one. Anyone else's lock is respected.
 */
export async function acquireWithTakeover(context: FleetContext, details: LockDetails): Promise<LockOutcome & { tookOver: string[] }> {
  const first = await acquireFleetLock(context, details);
  if (first.acquired) return { ...first, tookOver: [] };
  const held = await runOnFleet<LockDetails | null>(context.targets, async (session) => ({ changed: false, value: parseLockDetails((await session.shell(lockStatusCommand(), { sudo: true, timeoutMs: 10_000 })).stdout) }), {
    connect: context.connect,
    parallel: context.parallel,
  });
  const stale = held.filter((r) => r.value && r.value.by === details.by && r.value.pid !== details.pid && !pidAlive(r.value.pid)).map((r) => r.host);
  const others = held.filter((r) => r.value && !stale.includes(r.host));
  if (stale.length === 0 || others.length > 0) return { ...first, tookOver: [] };
  await releaseFleetLock(context, stale);
  const second = await acquireFleetLock(context, details);
  return { ...second, tookOver: second.acquired ? stale : [] };
}
