// The moves a replace is made of, each safe to run again: provision towards an inventory, sync DNS, wait for a
// server to answer, drain. They reuse the provisioning, HAProxy and DNS code; nothing here prints.
import type { LoadedInventory } from '../base-command.js';
import { connectEntry, connectServer, readStats, waitForSessions, type DrainProgress } from '../haproxy/entry.js';
import { HAPROXY } from '../haproxy/paths.js';
import type { Server } from '../inventory/schema.js';
import { reachabilityScript } from '../provision/roles/proxy.js';
import { prepareProvision } from '../provision/run.js';
import { readSettings } from '../provision/settings.js';
import type { ProvisionRole } from '../provision/step.js';
import type { HostSession } from '../remote/session.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { currentInventory, note, sleep, type ReplaceContext } from './context.js';

/** Converges `names` to `towards` (an inventory possibly not written yet); throws when anything failed. */
export async function provisionTowards(ctx: ReplaceContext, towards: LoadedInventory, names: string[], only?: ProvisionRole[]): Promise<string> {
  const selected = towards.inventory.servers.filter((s) => names.includes(s.name));
  const run = await prepareProvision({ loaded: towards, inventory: towards.inventory, selected, only, dryRun: false, connectTimeout: ctx.connectTimeout });
  try {
    if (run.plan.problems.length > 0) throw new WeclickError(`provisioning ${names.join(', ')} was refused before any change`, { exitCode: EXIT.failed, details: run.plan.problems });
    const outcome = await run.apply(ctx.audit);
    if (outcome.lockProblems.length > 0) throw new WeclickError(`provisioning ${names.join(', ')}: the weclick lock is held`, { exitCode: EXIT.failed, details: outcome.lockProblems });
    const failed = outcome.results.filter((r) => r.status === 'failed' || r.status === 'skipped');
    if (failed.length > 0) throw new WeclickError(`provisioning failed on ${failed.map((r) => `${r.host}: ${r.error}`).join('; ')}`, { exitCode: EXIT.failed });
    const changes = outcome.results.reduce((n, r) => n + r.applied.length, 0);
    return `${names.join(', ')}: ${changes === 0 ? 'already converged' : `${changes} change(s) applied`}`;
  } finally {
    run.close();
  }
}

/** Makes the Cloudflare zone match the inventory as it is now; a fleet without fleet.cloudflare has nothing to do. */
export async function syncDns(ctx: ReplaceContext): Promise<string> {
  const loaded = await currentInventory(ctx);
  if (!loaded.inventory.fleet.cloudflare) return 'no fleet.cloudflare in the inventory: DNS is not managed by weclick, nothing to do';
  const { openDns, readPlan, applyPlan } = await import('../dns/sync.js');
  const session = await openDns(loaded.inventory, ctx.env, { onRetry: () => note(ctx, 'Cloudflare asked to slow down; retrying') });
  const plan = await readPlan(session);
  if (plan.changes.length === 0) return 'the zone already matches';
  // The replace's plan listed these moves and was confirmed: the mass-change guard does not ask again.
  const result = await applyPlan(session, plan, { force: true });
  return `${result.applied} record change(s): ${plan.changes.map((c) => `${c.action} ${c.name} ${c.type}`).join(', ')}`;
}

async function entrySession<T>(ctx: ReplaceContext, loaded: LoadedInventory, server: Server, fn: (session: HostSession) => Promise<T>): Promise<T> {
  const { session } = await connectServer(loaded, server, { connectTimeout: ctx.connectTimeout });
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}

/** Waits until the entry point can open a TCP connection to the worker's Xray port (what HAProxy will do). */
export async function waitReachableFromEntry(ctx: ReplaceContext, loaded: LoadedInventory, worker: Server): Promise<string> {
  const { settings } = readSettings(ctx.env);
  const conn = await connectEntry(loaded, { connectTimeout: ctx.connectTimeout });
  const target = { name: worker.name, address: worker.ipv4, port: settings.xrayPort, draining: false };
  const started = Date.now();
  try {
    for (;;) {
      const result = await conn.session.shell(reachabilityScript([target]), { sudo: true, timeoutMs: 30_000 });
      if (result.code === 0 && !result.stdout.includes('UNREACHABLE')) return `${worker.name} accepts connections from ${conn.entry.name} on ${worker.ipv4}:${settings.xrayPort}`;
      if (Date.now() - started >= ctx.progress.options.healthTimeoutMs) {
        throw new WeclickError(`${worker.name} does not accept connections from ${conn.entry.name} on ${worker.ipv4}:${settings.xrayPort} after ${Math.round((Date.now() - started) / 1000)} s; look at it, then weclick replace --resume`, { exitCode: EXIT.failed });
      }
      note(ctx, `${worker.name}: not answering on ${worker.ipv4}:${settings.xrayPort} yet`);
      await sleep(2000);
    }
  } finally {
    conn.session.close();
  }
}

/** An entry point serves when its HAProxy runs, listens where users connect, and has a worker that is not down. */
export async function checkEntryServes(ctx: ReplaceContext, loaded: LoadedInventory, entry: Server): Promise<string> {
  const { settings } = readSettings(ctx.env);
  const started = Date.now();
  for (;;) {
    const problem = await entrySession(ctx, loaded, entry, async (session) => {
      const stats = await readStats(session);
      const frontend = stats.find((r) => r.proxy === HAPROXY.frontend && r.server === 'FRONTEND');
      if (!frontend || !frontend.status.startsWith('OPEN')) return `its frontend ${HAPROXY.frontend} is not open`;
      const up = stats.filter((r) => r.proxy === HAPROXY.backend && !['FRONTEND', 'BACKEND'].includes(r.server) && !/DOWN|MAINT/.test(r.status));
      if (up.length === 0) return `no worker in ${HAPROXY.backend} is up`;
      return undefined;
    });
    const listening = problem ?? (await tcpProbe(entry.ipv4, settings.entryPort));
    if (!listening) return `${entry.name} serves: HAProxy runs, ${entry.ipv4}:${settings.entryPort} accepts connections, workers are up`;
    if (Date.now() - started >= ctx.progress.options.healthTimeoutMs) throw new WeclickError(`${entry.name} does not serve yet: ${listening}; look at it, then weclick replace --resume`, { exitCode: EXIT.failed });
    note(ctx, `${entry.name}: ${listening}; checking again`);
    await sleep(2000);
  }
}

/** undefined when a TCP connection to address:port opens within 5 s (from this machine, as a user would connect). */
async function tcpProbe(address: string, port: number): Promise<string | undefined> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port, timeout: 5000 });
    const done = (problem?: string) => (socket.destroy(), resolve(problem));
    socket.once('connect', () => done());
    socket.once('timeout', () => done(`${address}:${port} does not answer`));
    socket.once('error', (error) => done(`${address}:${port}: ${error.message}`));
  });
}

/** Waits until a server's HAProxy frontend (an old entry point) has at most `threshold` connections, or the deadline. */
export async function waitFrontendQuiet(ctx: ReplaceContext, loaded: LoadedInventory, entry: Server): Promise<DrainProgress> {
  const { settings } = readSettings(ctx.env);
  return entrySession(ctx, loaded, entry, (session) =>
    waitForSessions(session, 'FRONTEND', {
      proxy: HAPROXY.frontend,
      endpoint: { direction: 'src', address: entry.ipv4, port: settings.entryPort },
      below: ctx.progress.options.threshold,
      timeoutMs: ctx.progress.options.deadlineMs,
      intervalMs: 2000,
      onTick: (n) => note(ctx, `${entry.name}: ${n} connection(s) still open`),
    }),
  );
}
