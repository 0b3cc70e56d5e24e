import { describe, expect, it } from 'vitest';
import { isStaleOwnLock, releaseStaleOwnLocks } from '../../../src/provision/lock-recovery.js';
import { releaseLockCommand, type LockDetails } from '../../../src/remote/lock.js';
import type { HostSession } from '../../../src/remote/session.js';

const me = { by: 'ops@laptop', pid: 4242 };
const lock = (over: Partial<LockDetails>): LockDetails => ({ by: 'ops@laptop', command: 'weclick provision', at: '2025-01-01T00:00:00Z', pid: 1111, ...over });
const encoded = (details: LockDetails) => Buffer.from(JSON.stringify(details)).toString('base64');

/** A session whose lock file holds `held`; records the release commands it is sent. */
function fakeSession(held: LockDetails | null, sent: string[]): HostSession {
  return {
    async shell(line: string) {
      sent.push(line);
      return { code: 0, signal: null, stdout: line === releaseLockCommand() || !held ? '' : encoded(held), stderr: '', timedOut: false, connectionLost: false };
    },
  } as unknown as HostSession;
}

describe('a lock left by a killed run of ours', () => {
  it('is stale only when it is ours, from another pid, and that pid is gone', () => {
    const dead = () => false;
    expect(isStaleOwnLock(lock({}), me, dead)).toBe(true);
    expect(isStaleOwnLock(lock({}), me, () => true)).toBe(false);
    expect(isStaleOwnLock(lock({ by: 'someone@else' }), me, dead)).toBe(false);
    expect(isStaleOwnLock(lock({ pid: me.pid }), me, dead)).toBe(false);
    expect(isStaleOwnLock(null, me, dead)).toBe(false);
  });

  it('is released on hosts the run does not change; anyone else’s lock and live runs are left alone', async () => {
    // A pid that cannot exist on Linux (pid_max is at most 2^22): certainly not alive.
    const gone = 2 ** 30;
    const sent = new Map<string, string[]>([['a', []], ['b', []], ['c', []], ['d', []]]);
    const sessions = new Map<string, HostSession>([
      ['a', fakeSession(lock({ pid: gone }), sent.get('a')!)],
      ['b', fakeSession(lock({ pid: gone, by: 'colleague@desk' }), sent.get('b')!)],
      ['c', fakeSession(lock({ pid: process.pid }), sent.get('c')!)],
      ['d', fakeSession(null, sent.get('d')!)],
    ]);
    const released = await releaseStaleOwnLocks(sessions, ['a', 'b', 'c', 'd', 'missing'], me);
    expect(released).toEqual(['a']);
    expect(sent.get('a')).toContain(releaseLockCommand());
    for (const host of ['b', 'c', 'd']) expect(sent.get(host)).not.toContain(releaseLockCommand());
  });
});
