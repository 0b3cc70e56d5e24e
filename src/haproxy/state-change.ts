import { acquireFleetLock, releaseFleetLock } from '../remote/fleet-lock.js';
import { auditCommand } from '../remote/lock.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { readServerStates, setServerState, type EntryConnection } from './entry.js';
import { HAPROXY } from './paths.js';
import { adminStateOf, type ServerAdminState } from './runtime.js';

/**
 * Sets a server's runtime state on the entry point under the weclick lock, with an audit line. Returns the
 * state it had. The server-state-file keeps it across reloads; the inventory keeps it across re-renders.
 */
export async function changeServerState(conn: EntryConnection, server: string, state: ServerAdminState, audit: { identity: string; command: string }): Promise<ServerAdminState> {
  const row = (await readServerStates(conn.session)).find((r) => r.backend === HAPROXY.backend && r.server === server);
  if (!row) throw new WeclickError(`${server} is not in the running HAProxy on ${conn.entry.name}: add it first with weclick haproxy sync`, { exitCode: EXIT.failed });
  const before = adminStateOf(row);
  if (before === state) return before;
  const lock = await acquireFleetLock(conn.context, { by: audit.identity, command: audit.command, at: new Date().toISOString(), pid: process.pid });
  if (!lock.acquired) throw new WeclickError(`not changed: the weclick lock on ${conn.entry.name} is held`, { exitCode: EXIT.failed, details: lock.problems });
  try {
    await conn.session.shell(auditCommand(`${new Date().toISOString()} ${audit.identity} ${audit.command}: ${HAPROXY.backend}/${server} ${before} -> ${state}`), { sudo: true, timeoutMs: 10_000 });
    await setServerState(conn.session, server, state);
  } finally {
    await releaseFleetLock(conn.context, [conn.entry.name]);
  }
  return before;
}
