import type { LoadedInventory } from '../base-command.js';
import type { Server } from '../inventory/schema.js';
import { connect, ConnectError } from '../remote/connect.js';
import { fleetContext } from '../remote/fleet-context.js';
import type { HostSession } from '../remote/session.js';
import { WeclickError } from '../ui/errors.js';

/** One verified SSH session per server (host keys from known_hosts, as every weclick command). */
export async function openSessions(loaded: LoadedInventory, servers: Server[], connectTimeout?: number): Promise<Map<string, HostSession>> {
  const unique = [...new Map(servers.map((s) => [s.name, s])).values()];
  const context = await fleetContext(loaded, unique, connectTimeout ? { connectTimeout } : {});
  const sessions = new Map<string, HostSession>();
  try {
    for (const target of context.targets) sessions.set(target.name, await connect(target, { ...context.connect, keepaliveIntervalMs: 10_000 }));
  } catch (error) {
    for (const s of sessions.values()) s.close();
    if (error instanceof ConnectError) throw new WeclickError(error.message);
    throw error;
  }
  return sessions;
}

export function closeAll(sessions: Map<string, HostSession> | undefined): void {
  for (const s of sessions?.values() ?? []) s.close();
}
