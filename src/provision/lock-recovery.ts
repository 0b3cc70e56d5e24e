import { processAlive as pidAlive } from '../fs/process-alive.js';
import type { FleetContext } from '../remote/fleet-context.js';
import { acquireFleetLock, releaseFleetLock, type LockOutcome } from '../remote/fleet-lock.js';
import { lockStatusCommand, parseLockDetails, releaseLockCommand, type LockDetails } from '../remote/lock.js';
import { runOnFleet } from '../remote/runner.js';
import type { HostSession } from '../remote/session.js';


/** A lock left by a run of ours that was killed: same operator@machine, another pid, and that pid is gone. */
export function isStaleOwnLock(held: LockDetails | null, me: Pick<LockDetails, 'by' | 'pid'>, alive: (pid: number) => boolean = pidAlive): boolean {
  return held !== null && held.by === me.by && held.pid !== me.pid && !alive(held.pid);
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
  const stale = held.filter((r) => isStaleOwnLock(r.value ?? null, details)).map((r) => r.host);
  const others = held.filter((r) => r.value && !stale.includes(r.host));
  if (stale.length === 0 || others.length > 0) return { ...first, tookOver: [] };
  await releaseFleetLock(context, stale);
  const second = await acquireFleetLock(context, details);
  return { ...second, tookOver: second.acquired ? stale : [] };
}

/**
 * Releases the locks a killed run of ours left on hosts that this run reaches but will not change: the takeover
 * above only covers the hosts that change, so a run killed after a host was done would otherwise leave that
 * host locked for good (and another operator locked out). Returns the hosts released.
 */
export async function releaseStaleOwnLocks(sessions: Map<string, HostSession>, hosts: string[], me: Pick<LockDetails, 'by' | 'pid'>): Promise<string[]> {
  const released = await Promise.all(
    hosts.map(async (host) => {
      const session = sessions.get(host);
      if (!session) return undefined;
      const status = await session.shell(lockStatusCommand(), { sudo: true, timeoutMs: 10_000 }).catch(() => undefined);
      if (!status || status.code !== 0 || !isStaleOwnLock(parseLockDetails(status.stdout), me)) return undefined;
      const done = await session.shell(releaseLockCommand(), { sudo: true, timeoutMs: 10_000 }).catch(() => undefined);
      return done?.code === 0 ? host : undefined;
    }),
  );
  return released.filter((h): h is string => h !== undefined);
}
