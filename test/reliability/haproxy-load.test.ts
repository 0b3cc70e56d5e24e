// HAProxy under load (issue 9, item 3): real HAProxy (Debian's 2.6) on the test host `go` (127.0.0.11), started
// and reloaded by weclick, carries long-lived and short connections from load-generator.ts while `weclick haproxy
// sync` reloads it with changed backends and a worker is drained and made ready again. STAND-INS: the workers'
// Xray inbounds are Node TCP servers on srv1..srv3's addresses that parse PROXY v2, greet and echo
// (test/unit/haproxy/proxy-v2-backend.ts). Counted as failed: any connection refused, reset, closed, unanswered,
// or answered with other bytes than it sent; a long-lived connection must survive every reload.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAPROXY } from '../../src/haproxy/paths.js';
import { runtimeArgv } from '../../src/haproxy/runtime.js';
import type { HostSession } from '../../src/remote/session.js';
import { openHost, portBase, resetProvisionedHost, writeInventory, type InventoryServer } from '../standins/docker/fleet-helpers.js';
import { startBackend, type Backend } from '../unit/haproxy/proxy-v2-backend.js';
import { weclickSteady } from './crash-process.js';
import { recordFigure, SCALE, sized } from './figures.js';
import { LoadGenerator } from './load-generator.js';

const ENTRY = '127.0.0.11';
// Away from haproxy.test.ts (portBase() and +1), which shares `go` but never runs at the same time (files run serially).
const ENTRY_PORT = portBase() + 3;
const XRAY_PORT = portBase() + 4;
const env = { WECLICK_NAMESPACE_TEST_HOSTS: '1', WECLICK_ENTRY_PORT: String(ENTRY_PORT), WECLICK_XRAY_PORT: String(XRAY_PORT) };
const WORKERS = { srv1: '127.0.0.21', srv2: '127.0.0.22', srv3: '127.0.0.23' } as const;
type Worker = keyof typeof WORKERS;

const LONG = sized(50, 200);
const SHORT = sized(300, 1000);
const CYCLES = sized(1, 2);

let dir: string;
let file: string;
let session: HostSession;
const backends: Backend[] = [];
const states = new Map<Worker, 'active' | 'draining'>();
/** What the limits test read, for the figure's detail. */
const limits: string[] = [];

const go: InventoryServer = { name: 'go', address: ENTRY, roles: ['proxy'] };
const inventoryWith = (workers: Worker[]) => {
  file = writeInventory(dir, [go, ...workers.map((w) => ({ name: w, address: WORKERS[w], roles: ['marzban'], state: states.get(w) ?? 'active' }))]);
};
const cli = async (args: string[]) => {
  const r = await weclickSteady([...args, '-i', file], { env, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`weclick ${args.join(' ')} failed (exit ${r.code}): ${r.stderr}${r.stdout}`);
  return r;
};
const runtime = async (command: string) => (await session.run(runtimeArgv(command), { sudo: true, timeoutMs: 15_000 })).stdout;
const pid = async () => (await session.run(['cat', HAPROXY.pidFile])).stdout.trim();
const info = async () => Object.fromEntries((await runtime('show info')).split('\n').map((l) => l.split(': ')).filter((p) => p.length === 2)) as Record<string, string>;

beforeAll(async () => {
  session = await openHost('go');
  await resetProvisionedHost(session);
  dir = mkdtempSync(join(tmpdir(), 'weclick-haproxy-load-'));
  for (const [name, address] of Object.entries(WORKERS)) backends.push(await startBackend(name, address, XRAY_PORT));
  inventoryWith(['srv1', 'srv2']);
  await cli(['provision', 'go', '--yes']);
}, 120_000);

afterAll(async () => {
  for (const backend of backends) await backend.close();
  if (session) {
    await resetProvisionedHost(session);
    session.close();
  }
});

describe('the load generator', () => {
  it('counts what goes wrong: refused, reset, no answer, wrong bytes, a long connection closed', async () => {
    // A local server (not HAProxy) that misbehaves on purpose, one way per connection in turn.
    let n = 0;
    const open = new Set<Socket>();
    const server = createServer((socket) => {
      open.add(socket);
      socket.on('error', () => undefined);
      const mode = n++ % 4;
      socket.write(`hello from bad${mode}\n`);
      socket.on('data', (chunk) => {
        if (mode === 0) socket.write(chunk); // good
        else if (mode === 1) socket.resetAndDestroy(); // reset
        else if (mode === 2) socket.write(`X${chunk.toString()}`); // wrong bytes
        // mode 3: never answers
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const load = new LoadGenerator({ host: '127.0.0.1', port, long: 4, echoEveryMs: 200, answerTimeoutMs: 700 });
    await load.openLong();
    await load.shortsUntil(8, 50, () => true);
    await new Promise((r) => setTimeout(r, 500));
    for (const socket of open) socket.destroy(); // the good long connection is closed under it too
    await load.stop();
    server.close();
    const refused = new LoadGenerator({ host: '127.0.0.1', port, long: 0 });
    await refused.shortsUntil(1, 10, () => true);
    const kinds = new Set([...load.counts.failures, ...refused.counts.failures].map((f) => f.kind));
    expect([...kinds].sort()).toEqual(['closed', 'mismatch', 'no answer', 'refused', 'reset'].sort());
    expect(load.longAlive).toBe(0);
  });
});

describe('HAProxy under load', () => {
  it('the limits can carry the load: file descriptors of this process and of HAProxy, maxconn', async () => {
    // This process holds both ends of every proxied connection (the client and the worker stand-in).
    const needed = 2 * (LONG + 200) + 256;
    const ulimit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
    expect(ulimit, `ulimit -n of the test process (${ulimit}) is below the ${needed} descriptors the load needs`).toBeGreaterThanOrEqual(needed);
    const haproxy = await info();
    const maxconn = Number(haproxy.Maxconn);
    expect(maxconn, 'HAProxy maxconn').toBeGreaterThanOrEqual(LONG + 200);
    // HAProxy needs two descriptors per connection; it raises its own limit, and says so when it cannot.
    expect(Number(haproxy['Ulimit-n']), `HAProxy's descriptor limit against its Maxsock ${haproxy.Maxsock}`).toBeGreaterThanOrEqual(Number(haproxy.Maxsock));
    const frontend = (await runtime('show stat')).split('\n').find((l) => l.startsWith(`${HAPROXY.frontend},FRONTEND,`))!;
    const slim = Number(frontend.split(',')[6]);
    expect(slim, "the frontend's session limit").toBeGreaterThanOrEqual(maxconn);
    limits.push(`HAProxy maxconn ${maxconn} (frontend ${slim}), its fd limit ${haproxy['Ulimit-n']} for ${haproxy.Maxsock} sockets; ulimit -n here ${ulimit}`);
  });

  it(`${LONG} long-lived and ${SHORT} short connections through reloads and a drain: none fails`, async () => {
    const load = new LoadGenerator({ host: ENTRY, port: ENTRY_PORT, long: LONG, echoEveryMs: 1000, answerTimeoutMs: 5000 });
    await load.openLong();
    expect(load.counts.longOpened, JSON.stringify(load.counts.failures.slice(0, 5))).toBe(LONG);
    const pids = [await pid()];
    const drainWindows: Array<{ from: number; to: number }> = [];
    const at = () => load.elapsed();
    let opsDone = false;
    const ops = (async () => {
      const sync = async (workers: Worker[]) => {
        inventoryWith(workers);
        const r = await cli(['haproxy', 'sync', '--yes']);
        expect(r.stdout).toContain('reload HAProxy gracefully');
        pids.push(await pid());
      };
      try {
        for (let cycle = 0; cycle < CYCLES; cycle++) {
          await new Promise((r) => setTimeout(r, 1000));
          await sync(['srv1', 'srv2', 'srv3']);
          await cli(['haproxy', 'drain', 'srv1', '--yes']);
          states.set('srv1', 'draining');
          const from = at();
          // srv2 leaves the config: its open tunnels stay on the old process.
          await sync(['srv1', 'srv3']);
          await new Promise((r) => setTimeout(r, 1000));
          const to = at();
          drainWindows.push({ from, to });
          await cli(['haproxy', 'ready', 'srv1', '--yes']);
          states.set('srv1', 'active');
          await sync(['srv1', 'srv2']);
        }
      } finally {
        opsDone = true;
      }
    })();
    // A steady rate that spreads the short connections over the reloads (about 4 s of operations each).
    const perSecond = SHORT / (CYCLES * 14);
    await Promise.all([ops, load.shortsUntil(SHORT, perSecond, () => opsDone)]);
    await load.stop();

    const { counts } = load;
    const failures = counts.failures;
    const reloads = pids.filter((p, i) => i > 0 && p !== pids[i - 1]).length;
    recordFigure({
      id: 'haproxy-load',
      promise: 'HAProxy under load: no connection lost through reloads and drains',
      tried: counts.longOpened + counts.shortStarted,
      unit: 'connections',
      failed: failures.length,
      detail: `${counts.longOpened} long-lived (echoing every 1 s, ${counts.longEchoes} echoes) + ${counts.shortStarted} short (${perSecond.toFixed(0)}/s) through ${reloads} graceful reloads by \`haproxy sync\` (backends added and removed) and ${drainWindows.length} drain/ready cycle(s); ${limits.join('; ')}; failed = refused, reset, closed, no answer within 5 s, or wrong bytes`,
    });
    // The reloads happened (a new HAProxy process each time), and the long-lived connections outlived them.
    expect(reloads).toBe(3 * CYCLES);
    expect(load.longAlive).toBe(LONG);
    // While srv1 drained, no new connection went to it.
    const drained = counts.shortGreetings.filter((g) => drainWindows.some((w) => g.atMs >= w.from && g.atMs <= w.to));
    expect(drained.length).toBeGreaterThan(0);
    expect(drained.filter((g) => g.worker === 'srv1')).toEqual([]);
    expect(failures.map((f) => `${f.connection} ${f.kind} at ${f.atMs} ms: ${f.detail}`), `failed connections (${SCALE} size)`).toEqual([]);
  }, 240_000);
});
