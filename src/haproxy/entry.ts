import type { LoadedInventory } from '../base-command.js';
import type { Inventory, Server } from '../inventory/schema.js';
import { connect } from '../remote/connect.js';
import { fleetContext, type FleetContext } from '../remote/fleet-context.js';
import type { HostSession } from '../remote/session.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { entryPoints } from './config.js';
import { HAPROXY } from './paths.js';
import { parseServersState, parseShowStat, runtimeArgv, setStateCommand, type ServerAdminState, type ServerStateRow, type StatRow } from './runtime.js';

/** The one entry point, or exit 3 saying why there is not exactly one. */
export function theEntryPoint(inventory: Inventory): Server {
  const entries = entryPoints(inventory);
  if (entries.length === 1) return entries[0]!;
  throw new WeclickError(entries.length === 0 ? 'the inventory has no entry point (no active server holds the proxy role)' : `two entry points: ${entries.map((s) => s.name).join(', ')} hold the proxy role`, {
    exitCode: EXIT.badInput,
  });
}

/** A Marzban worker by name that HAProxy balances to, or exit 3. */
export function theWorker(inventory: Inventory, name: string): Server {
  const server = inventory.servers.find((s) => s.name === name);
  if (!server) throw new WeclickError(`no server named '${name}' in the inventory`, { exitCode: EXIT.badInput });
  if (!server.roles.includes('marzban')) throw new WeclickError(`${name} is not a Marzban worker (roles: ${server.roles.join(', ')}): HAProxy does not balance to it`, { exitCode: EXIT.badInput });
  if (server.state === 'retired') throw new WeclickError(`${name} is retired: it is no longer in HAProxy`, { exitCode: EXIT.badInput });
  return server;
}

export interface EntryConnection {
  entry: Server;
  context: FleetContext;
  session: HostSession;
}

export async function connectEntry(loaded: LoadedInventory, options: { connectTimeout?: number } = {}): Promise<EntryConnection> {
  const entry = theEntryPoint(loaded.inventory);
  return { entry, ...(await connectServer(loaded, entry, { ...options, what: 'the entry point ' })) };
}

/** One session to one server (an entry point, old or new), or exit 1 saying it cannot be reached. */
export async function connectServer(loaded: LoadedInventory, server: Server, options: { connectTimeout?: number; what?: string } = {}): Promise<{ context: FleetContext; session: HostSession }> {
  const context = await fleetContext(loaded, [server], { connectTimeout: options.connectTimeout });
  try {
    return { context, session: await connect(context.targets[0]!, context.connect) };
  } catch (error) {
    throw new WeclickError(`cannot reach ${options.what ?? ''}${server.name}: ${(error as Error).message}`, { exitCode: EXIT.failed });
  }
}

async function runtime(session: HostSession, command: string): Promise<string> {
  const result = await session.run(runtimeArgv(command), { sudo: true, timeoutMs: 15_000 });
  if (result.code !== 0) {
    throw new WeclickError(`HAProxy's runtime API on ${session.target.name} does not answer (${HAPROXY.socket}): ${(result.stderr || result.stdout).trim() || `exit ${result.code}`}; is HAProxy running? (weclick haproxy sync)`, { exitCode: EXIT.failed });
  }
  return result.stdout;
}

export async function readStats(session: HostSession): Promise<StatRow[]> {
  return parseShowStat(await runtime(session, 'show stat'));
}

export async function readServerStates(session: HostSession): Promise<ServerStateRow[]> {
  return parseServersState(await runtime(session, `show servers state ${HAPROXY.backend}`));
}

/** Sets a server's admin state; HAProxy answers nothing on success and a message otherwise. */
export async function setServerState(session: HostSession, server: string, state: ServerAdminState): Promise<void> {
  const answer = (await runtime(session, setStateCommand(HAPROXY.backend, server, state))).trim();
  if (answer) throw new WeclickError(`HAProxy refused to set ${server} to ${state}: ${answer}`, { exitCode: EXIT.failed });
}

/** Where a host's connections go (dst: to a worker) or arrive (src: at the entry point's own port). */
export interface Endpoint {
  direction: 'dst' | 'src';
  address: string;
  port: number;
}

/** `ss` lists established TCP connections of every process on the host, old HAProxy processes included. */
export function establishedArgv(endpoint: Endpoint): string[] {
  return ['ss', '-Htn', 'state', 'established', endpoint.direction, `${endpoint.address}:${endpoint.port}`];
}

async function establishedConnections(session: HostSession, endpoint: Endpoint): Promise<number> {
  const result = await session.run(establishedArgv(endpoint), { timeoutMs: 15_000 });
  if (result.code !== 0) return 0;
  return result.stdout.split('\n').filter((line) => line.trim() !== '').length;
}

export interface DrainProgress {
  drained: boolean;
  sessions: number;
  waitedMs: number;
}

/**
 * Polls the server's current sessions until at most `below` (default 0) are left or the deadline passes.
 * `proxy` names the frontend or backend (default the workers' backend; an entry point's own load is FRONTEND of
 * the frontend).
 */
export async function waitForSessions(session: HostSession, server: string, options: { timeoutMs: number; intervalMs?: number; below?: number; proxy?: string; endpoint?: Endpoint; onTick?: (sessions: number) => void }): Promise<DrainProgress> {
  const started = Date.now();
  const proxy = options.proxy ?? HAPROXY.backend;
  for (;;) {
    const row = (await readStats(session)).find((r) => r.proxy === proxy && r.server === server);
    // The runtime API sees only the newest process: connections an older one kept through a reload count too.
    const held = options.endpoint ? await establishedConnections(session, options.endpoint) : 0;
    const sessions = Math.max(row?.currentSessions ?? 0, held);
    options.onTick?.(sessions);
    const waitedMs = Date.now() - started;
    if (sessions <= (options.below ?? 0)) return { drained: true, sessions, waitedMs };
    if (waitedMs >= options.timeoutMs) return { drained: false, sessions, waitedMs };
    await new Promise((r) => setTimeout(r, Math.min(options.intervalMs ?? 1000, Math.max(1, options.timeoutMs - waitedMs))));
  }
}
