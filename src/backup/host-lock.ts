import type { HostSession } from '../remote/session.js';
import { WeclickError } from '../ui/errors.js';
import { BACKUP_LOCK_FILE, holdLockCommand } from './host-commands.js';

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Takes the database host's backup lock (flock in /run/lock, held by a command whose stdin we keep open), so two
 * backups — from a laptop and from the scheduled job, say — never run at once. Released when we close stdin, and
 * by the kernel if this process or its connection dies.
 */
export async function takeBackupLock(session: HostSession, details: { by: string; at: string; pid: number; id: string }): Promise<HeldLock> {
  const held = await session.spawn(holdLockCommand(JSON.stringify(details)), { sudo: true });
  let out = '';
  let err = '';
  held.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const locked = await new Promise<boolean>((resolve) => {
    held.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (out.includes('LOCKED\n')) resolve(true);
    });
    void held.done.then(() => resolve(false));
  });
  if (locked) {
    return {
      async release() {
        held.stdin.end();
        await held.done;
      },
    };
  }
  const end = await held.done;
  const host = session.target.name;
  if (end.code === 75) {
    const holder = parseHolder(out);
    throw new WeclickError(`another backup is running on ${host}${holder ? ` (${holder})` : ''}; nothing was done`);
  }
  const why = err.trim().split('\n').pop() || `exit ${end.code}`;
  throw new WeclickError(`${host}: cannot take the backup lock ${BACKUP_LOCK_FILE}: ${why}; nothing was done`);
}

function parseHolder(text: string): string | undefined {
  try {
    const d = JSON.parse(text.trim()) as { by?: string; at?: string; pid?: number; id?: string };
    return `backup ${d.id ?? '?'} started by ${d.by ?? 'unknown'} at ${d.at ?? '?'}, pid ${d.pid ?? '?'}`;
  } catch {
    return undefined;
  }
}
