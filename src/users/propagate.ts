import type { Pool } from 'mysql2/promise';
import type { LoadedInventory } from '../base-command.js';
import type { Inventory, Server } from '../inventory/schema.js';
import { fleetContext } from '../remote/fleet-context.js';
import { runOnFleet, type RunnerEvents } from '../remote/runner.js';
import type { HostSession } from '../remote/session.js';
import { clearPending, notePendingFailure, pendingRows, type PendingRow } from './pending.js';
import { WECLICK_ADMIN } from './schema.js';
import { adminToken } from './token.js';

// How a change reaches every worker without a restart: Marzban reads users into its Xray core only at start, and
// its API pushes a change only to its own core. So for each worker we call that worker's own local API,
// PUT /api/user/{name} with an empty body: Marzban re-reads the user from the shared database and, in the same
// request, adds it to (active, on_hold) or removes it from (any other status) its core over Xray's gRPC API.
// Other users' connections are untouched. The call runs as `curl --config -` over the SSH connection: the API
// listens on 127.0.0.1 only, nothing needs forwarding (sshd may forbid it), and the bearer token and body go
// through stdin, never the command line (visible in `ps` on the host).

/** Workers whose Marzban serves users: role marzban, not retired (a draining worker still serves open connections). */
export function propagationWorkers(inventory: Inventory): Server[] {
  return inventory.servers.filter((s) => s.roles.includes('marzban') && s.state !== 'retired');
}

/** Where a worker's API answers, seen from the worker itself. {ipv4} stands for the worker's address. */
export function apiBase(template: string, server: Pick<Server, 'ipv4'>): string {
  return template.replaceAll('{ipv4}', server.ipv4).replace(/\/+$/, '');
}

const quote = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/** A curl config (read from stdin) that refreshes each user in turn over one kept-alive connection. */
export function curlConfig(base: string, usernames: string[], token: string): string {
  return usernames
    .map((name) =>
      [
        `url = ${quote(`${base}/api/user/${encodeURIComponent(name)}`)}`,
        'request = "PUT"',
        `header = ${quote(`Authorization: Bearer ${token}`)}`,
        'header = "Content-Type: application/json"',
        'data-raw = "{}"',
        'silent',
        'output = "/dev/null"',
        `write-out = ${quote(`${name} %{http_code}\\n`)}`,
        'connect-timeout = 3',
        'max-time = 15',
      ].join('\n'),
    )
    .join('\nnext\n');
}

export type CallOutcome = 'applied' | 'gone' | 'unreachable' | 'failed';

export interface CallResult {
  username: string;
  outcome: CallOutcome;
  detail?: string;
}

/** Reads curl's "<user> <http code>" lines; a user with no line was never tried (curl died). */
export function parseCurlOutput(stdout: string, usernames: string[], base: string): CallResult[] {
  const codes = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) (\d{3})$/.exec(line.trim());
    if (m) codes.set(m[1]!, m[2]!);
  }
  return usernames.map((username) => {
    const code = codes.get(username);
    if (code === undefined) return { username, outcome: 'failed', detail: 'curl gave no answer for this user' };
    if (code === '000') return { username, outcome: 'unreachable', detail: `Marzban API at ${base} did not answer` };
    if (code.startsWith('2')) return { username, outcome: 'applied' };
    if (code === '404') return { username, outcome: 'gone', detail: 'user no longer in the database' };
    if (code === '401' || code === '403') return { username, outcome: 'failed', detail: `Marzban refused weclick's admin token (HTTP ${code}); run \`weclick db migrate\` to restore the '${WECLICK_ADMIN}' admin` };
    return { username, outcome: 'failed', detail: `Marzban answered HTTP ${code}` };
  });
}

export type WorkerOutcome = 'applied' | 'unreachable' | 'failed';

export interface WorkerReport {
  worker: string;
  status: WorkerOutcome;
  applied: number;
  queued: number;
  error?: string;
}

export interface PropagationOptions {
  pool: Pool;
  loaded: LoadedInventory;
  jwtSecret: string;
  /** Marzban API base as seen from a worker; default http://127.0.0.1:8000. */
  apiUrl: string;
  /** Only these users (a change command); all pending work when undefined (sync). */
  usernames?: string[];
  events?: RunnerEvents<CallResult[]>;
  batchSize?: number;
}

/**
 * Applies pending rows on every worker that has some: one SSH connection per worker, batches of users per curl
 * run. Rows a worker confirmed are deleted; the others stay queued with their error for `weclick users sync`.
 */
export async function propagate(options: PropagationOptions): Promise<WorkerReport[]> {
  const servers = propagationWorkers(options.loaded.inventory);
  const rows = await pendingRows(options.pool, { ...(options.usernames ? { usernames: options.usernames } : {}), workers: servers.map((s) => s.name) });
  const byWorker = new Map<string, PendingRow[]>();
  for (const row of rows) byWorker.set(row.worker, [...(byWorker.get(row.worker) ?? []), row]);
  const targets = servers.filter((s) => byWorker.has(s.name));
  if (targets.length === 0) return [];
  const context = await fleetContext(options.loaded, targets);
  const batch = options.batchSize ?? 200;
  const results = await runOnFleet<CallResult[]>(
    context.targets,
    async (session) => {
      const server = targets.find((s) => s.name === session.target.name)!;
      const names = [...new Set(byWorker.get(server.name)!.map((r) => r.username))];
      return { changed: true, value: await refreshOnWorker(session, apiBase(options.apiUrl, server), names, options.jwtSecret, batch) };
    },
    { connect: context.connect, parallel: context.parallel, ...(options.events ?? {}) },
  );
  const reports: WorkerReport[] = [];
  for (const result of results) {
    const worker = result.host;
    const pending = byWorker.get(worker)!;
    const upToId = Math.max(...pending.map((r) => r.id));
    const names = [...new Set(pending.map((r) => r.username))];
    if (!result.value) {
      const error = result.error ?? result.status;
      await notePendingFailure(options.pool, worker, names, upToId, error);
      // A refused host key or login is not "down for a while": it is reported as a failure (exit 1), still queued.
      reports.push({ worker, status: result.status === 'failed' ? 'failed' : 'unreachable', applied: 0, queued: names.length, error });
      continue;
    }
    const done = result.value.filter((c) => c.outcome === 'applied' || c.outcome === 'gone').map((c) => c.username);
    const left = result.value.filter((c) => c.outcome === 'unreachable' || c.outcome === 'failed');
    await clearPending(options.pool, worker, done, upToId);
    for (const [detail, users] of groupBy(left, (c) => c.detail ?? c.outcome)) await notePendingFailure(options.pool, worker, users, upToId, detail);
    const status: WorkerOutcome = left.length === 0 ? 'applied' : left.every((c) => c.outcome === 'unreachable') ? 'unreachable' : 'failed';
    const gone = result.value.filter((c) => c.outcome === 'gone').length;
    reports.push({
      worker,
      status,
      applied: done.length,
      queued: left.length,
      ...(left.length ? { error: left[0]!.detail } : gone ? { error: `${gone} user(s) no longer in the database` } : {}),
    });
  }
  return reports.sort((a, b) => a.worker.localeCompare(b.worker));
}

async function refreshOnWorker(session: HostSession, base: string, usernames: string[], secret: string, batch: number): Promise<CallResult[]> {
  const out: CallResult[] = [];
  for (let i = 0; i < usernames.length; i += batch) {
    const names = usernames.slice(i, i + batch);
    // A fresh token per batch: a long sync must not outlive it.
    const config = curlConfig(base, names, adminToken(WECLICK_ADMIN, secret, Date.now() / 1000));
    const run = await session.run(['curl', '--config', '-'], { stdin: config, timeoutMs: 30_000 + names.length * 2_000 });
    if (run.connectionLost) throw new Error('SSH connection lost while calling the Marzban API');
    if (run.code === 127) throw new Error('curl is not installed on the host (needed to reach its local Marzban API)');
    const results = parseCurlOutput(run.stdout, names, base);
    out.push(...results);
    // The API is down: the rest of the batches would fail the same way, one timeout each.
    if (results.every((r) => r.outcome === 'unreachable')) {
      out.push(...usernames.slice(i + batch).map((username) => ({ username, outcome: 'unreachable' as const, detail: results[0]?.detail })));
      break;
    }
  }
  return out;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), (item as unknown as CallResult).username]);
  return out;
}
