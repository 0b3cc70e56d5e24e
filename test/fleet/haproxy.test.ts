// Real HAProxy (Debian's 2.6) started by `weclick provision` on the test host `go` (127.0.0.11), its config
// rendered from the inventory and validated by the real `haproxy -c`. The workers' Xray inbounds are STAND-INS:
// tiny Node TCP servers on the workers' addresses that parse the PROXY v2 header HAProxy sends (send-proxy-v2,
// so the config under test is the real one), greet with their name, then echo. Everything else is real.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAPROXY } from '../../src/haproxy/paths.js';
import { reloadScript } from '../../src/haproxy/reload.js';
import { adminStateOf, parseServersState, runtimeArgv } from '../../src/haproxy/runtime.js';
import type { HostSession } from '../../src/remote/session.js';
import { REPO, weclick } from '../helpers/cli.js';
import { openHost, portBase, resetProvisionedHost, writeInventory, type InventoryServer } from '../standins/docker/fleet-helpers.js';
import { connectThrough, echo, startBackend, type Backend } from '../unit/haproxy/proxy-v2-backend.js';
import { hostFile } from './harness.js';

const ENTRY = '127.0.0.11';
const ENTRY_PORT = portBase();
const XRAY_PORT = portBase() + 1;
const env = { WECLICK_NAMESPACE_TEST_HOSTS: '1', WECLICK_ENTRY_PORT: String(ENTRY_PORT), WECLICK_XRAY_PORT: String(XRAY_PORT) };

const go: InventoryServer = { name: 'go', address: ENTRY, roles: ['proxy'] };
const worker = (name: string, address: string, state?: InventoryServer['state']): InventoryServer => ({ name, address, roles: ['marzban'], state });

let dir: string;
let file: string;
let session: HostSession;
const backends = new Map<string, Backend>();
const sockets: Socket[] = [];

const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => weclick([...args, '-i', file], { env: { ...env, ...extra } });
const through = async () => {
  const connection = await connectThrough(ENTRY, ENTRY_PORT);
  sockets.push(connection.socket);
  return connection;
};
const greetings = async (n: number) => {
  const open = await Promise.all(Array.from({ length: n }, () => through()));
  return open.map((c) => c.greeting.replace('hello from ', ''));
};
const closeAll = () => sockets.splice(0).forEach((s) => s.destroy());
const pid = async () => (await session.run(['cat', HAPROXY.pidFile])).stdout.trim();
const alive = async (p: string) => (await session.run(['kill', '-0', p])).code === 0;
const states = async () => parseServersState((await session.run(runtimeArgv(`show servers state ${HAPROXY.backend}`))).stdout);

beforeAll(async () => {
  session = await openHost('go');
  await resetProvisionedHost(session);
  dir = mkdtempSync(join(tmpdir(), 'weclick-haproxy-'));
  file = writeInventory(dir, [go, worker('srv1', '127.0.0.21'), worker('srv2', '127.0.0.22')]);
  backends.set('srv1', await startBackend('srv1', '127.0.0.21', XRAY_PORT));
  backends.set('srv2', await startBackend('srv2', '127.0.0.22', XRAY_PORT));
});

afterAll(async () => {
  closeAll();
  for (const backend of backends.values()) await backend.close();
  if (session) {
    await resetProvisionedHost(session);
    session.close();
  }
});

describe('HAProxy on the entry point, for real', () => {
  it('provision go starts HAProxy with the rendered config; real TCP connections through it reach both workers', async () => {
    const run = await cli(['provision', 'go', '--yes']);
    expect(run.stderr).toMatch(/^go: changed \(/m);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain('✓ start HAProxy');
    expect(hostFile('go', HAPROXY.config)).toContain(`bind ${ENTRY}:${ENTRY_PORT}`);
    const seen = await greetings(4);
    expect(new Set(seen)).toEqual(new Set(['srv1', 'srv2']));
    // The PROXY v2 header carried the client's address (every client here is 127.0.0.1: one network namespace).
    expect(backends.get('srv1')!.connections.at(-1)!.source).toMatchObject({ address: '127.0.0.1' });
    closeAll();
  });

  it('a second provision of the entry point changes nothing (base and proxy roles)', async () => {
    const run = await cli(['provision', 'go', '--dry-run', '--json']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const plan = JSON.parse(run.stdout).plan;
    expect(plan.summary).toEqual({ changes: 0, hosts: 0, skipped: 3 });
    expect(plan.hosts[0].steps.filter((s: { kind: string }) => s.kind === 'skip').map((s: { reason: string }) => s.reason)).toEqual([
      expect.stringContaining('time sync'),
      expect.stringContaining('NOT loaded'),
      expect.stringContaining('sshd NOT reloaded'),
    ]);
  });

  it('a reload while a connection is open keeps it open; the new config adds a worker', async () => {
    const open = await through();
    const before = await pid();
    backends.set('srv3', await startBackend('srv3', '127.0.0.23', XRAY_PORT));
    file = writeInventory(dir, [go, worker('srv1', '127.0.0.21'), worker('srv2', '127.0.0.22'), worker('srv3', '127.0.0.23')]);

    const run = await cli(['haproxy', 'sync', '--yes']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain('+    server srv3 127.0.0.23:');
    expect(run.stdout).toContain('✓ reload HAProxy gracefully');
    const after = await pid();
    expect(after).not.toBe(before);
    // The old process still holds the open tunnel, and it still works both ways.
    expect(await alive(before)).toBe(true);
    expect(await echo(open.socket, 'still there?')).toBe('still there?');
    expect(await greetings(3)).toContain('srv3');
    closeAll();
    await expect.poll(() => alive(before), { timeout: 10_000 }).toBe(false);
  });

  it('a broken template is rejected on the host (haproxy -c) and the old config keeps serving', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'weclick-templates-'));
    cpSync(join(REPO, 'templates'), broken, { recursive: true });
    const cfg = join(broken, 'proxy/haproxy.cfg.hbs');
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('    timeout connect 5s\n', '    timeout connect 5s\n    bogus-keyword yes\n'));
    const live = hostFile('go', HAPROXY.config);
    const before = await pid();
    file = writeInventory(dir, [go, worker('srv1', '127.0.0.21'), worker('srv2', '127.0.0.22'), worker('srv3', '127.0.0.23'), worker('srv5', '127.0.0.25')]);

    const run = await cli(['haproxy', 'sync', '--yes'], { WECLICK_TEMPLATES_DIR: broken });
    expect(run.code, run.stderr + run.stdout).toBe(3);
    expect(run.stderr).toContain('not applied: the old configuration keeps serving');
    expect(run.stderr).toContain('rejected by `haproxy -c` on go');
    expect(run.stderr).toMatch(/unknown keyword 'bogus-keyword'/);
    expect(hostFile('go', HAPROXY.config)).toBe(live);
    expect(await pid()).toBe(before);
    expect((await greetings(1))[0]).toMatch(/^srv[123]$/);
    closeAll();
    file = writeInventory(dir, [go, worker('srv1', '127.0.0.21'), worker('srv2', '127.0.0.22'), worker('srv3', '127.0.0.23')]);
  });

  it('a reload that fails (the new port is taken) leaves the old process and the old config serving, and says why', async () => {
    const taken = createServer(() => undefined);
    await new Promise<void>((resolve) => taken.listen(ENTRY_PORT + 2, ENTRY, resolve));
    const live = hostFile('go', HAPROXY.config);
    const before = await pid();
    try {
      const run = await cli(['haproxy', 'sync', '--yes'], { WECLICK_ENTRY_PORT: String(ENTRY_PORT + 2) });
      expect(run.code, run.stderr + run.stdout).toBe(1);
      expect(run.stdout).toContain(`the new HAProxy did not start; the old one (pid ${before}) keeps serving`);
      expect(run.stdout).toContain('restored the previous /etc/haproxy/haproxy.cfg');
      expect(run.stdout).toMatch(/cannot bind socket/i);
    } finally {
      taken.close();
    }
    expect(hostFile('go', HAPROXY.config)).toBe(live);
    expect(await pid()).toBe(before);
    expect((await greetings(1))[0]).toMatch(/^srv[123]$/);
    closeAll();
    // Nothing is left half-done: the next run with the old settings has nothing to do.
    const again = await cli(['haproxy', 'sync', '--dry-run', '--json']);
    expect(JSON.parse(again.stdout).plan.summary.changes).toBe(0);
  });

  it('a new worker that does not accept connections yet is not added', async () => {
    const live = hostFile('go', HAPROXY.config);
    file = writeInventory(dir, [go, worker('srv1', '127.0.0.21'), worker('srv2', '127.0.0.22'), worker('srv3', '127.0.0.23'), worker('srv4', '127.0.0.24')]);
    const run = await cli(['haproxy', 'sync', '--yes']);
    expect(run.code, run.stderr + run.stdout).toBe(3);
    expect(run.stderr).toContain(`not adding srv4 127.0.0.24:${XRAY_PORT} to the entry point: it does not accept connections from go yet`);
    expect(hostFile('go', HAPROXY.config)).toBe(live);
    file = writeInventory(dir, [go, worker('srv1', '127.0.0.21'), worker('srv2', '127.0.0.22'), worker('srv3', '127.0.0.23')]);
  });

  it('drain moves new connections away, in HAProxy and in the inventory', async () => {
    const run = await cli(['haproxy', 'drain', 'srv1', '--yes']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain('srv1: ready → drain on go');
    expect(readFileSync(file, 'utf8')).toMatch(/name: srv1,.*state: draining/);
    const seen = await greetings(6);
    expect(seen).not.toContain('srv1');
    expect(new Set(seen)).toEqual(new Set(['srv2', 'srv3']));
    closeAll();
    const status = await cli(['haproxy', 'status', '--json']);
    expect(JSON.parse(status.stdout).backends).toContainEqual(expect.objectContaining({ server: 'srv1', status: 'DRAIN', inventory: 'draining' }));
    expect(status.code, status.stderr + status.stdout).toBe(0);
  });

  it('the drain survives a graceful reload (the state is dumped to the server-state-file first)', async () => {
    const before = await pid();
    const reload = await session.shell(reloadScript());
    expect(reload.code, reload.stderr + reload.stdout).toBe(0);
    // HAProxy itself says so while it loads the state file.
    expect(reload.stderr).toContain('Server workers/srv1 remains in forced drain mode.');
    expect(await pid()).not.toBe(before);
    expect((await states()).map((r) => [r.server, adminStateOf(r)])).toEqual([
      ['srv1', 'drain'],
      ['srv2', 'ready'],
      ['srv3', 'ready'],
    ]);
    expect(await greetings(4)).not.toContain('srv1');
    closeAll();
  });

  it('haproxy sync renders the drain into the config and keeps it; --wait returns once the last session ends', async () => {
    const sync = await cli(['haproxy', 'sync', '--yes']);
    expect(sync.code, sync.stderr + sync.stdout).toBe(0);
    expect(hostFile('go', HAPROXY.config)).toMatch(/server srv1 127\.0\.0\.21:\d+ {2}# draining \(inventory\)/);
    expect((await states()).find((r) => r.server === 'srv1')!.adminState & 0x08).toBe(0x08);

    const open = await through();
    const held = open.greeting.replace('hello from ', '');
    const waiting = cli(['haproxy', 'drain', held, '--wait', '--timeout', '30s', '--yes']);
    await new Promise((r) => setTimeout(r, 2500));
    open.socket.destroy();
    const drained = await waiting;
    expect(drained.stderr + drained.stdout).toContain('no sessions left');
    expect(drained.code, drained.stderr + drained.stdout).toBe(0);
    expect(drained.stderr).toContain(`${held}: 1 session(s) open`);
    expect(drained.stdout).toMatch(new RegExp(`${held}: no sessions left`));
    expect((await cli(['haproxy', 'ready', held, '--yes'])).code).toBe(0);
  });

  it('ready sends users to the worker again', async () => {
    const run = await cli(['haproxy', 'ready', 'srv1', '--yes']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain('srv1: drain → ready on go');
    expect(readFileSync(file, 'utf8')).toMatch(/name: srv1,.*state: active/);
    const seen = await greetings(6);
    expect(seen).toContain('srv1');
    closeAll();
  });

  it('status says when HAProxy and the inventory disagree (exit 1)', async () => {
    const maint = await session.run(runtimeArgv('set server workers/srv3 state maint'));
    expect(maint.code, maint.stderr + maint.stdout).toBe(0);
    const status = await cli(['haproxy', 'status']);
    expect(status.code, status.stderr + status.stdout).toBe(1);
    expect(status.stdout).toMatch(/srv3 +MAINT +active/);
    expect(status.stdout).toContain('! srv3 is active in the inventory but MAINT in HAProxy');
    // provision puts the runtime state back where the inventory says.
    const fix = await cli(['haproxy', 'sync', '--yes']);
    expect(fix.stdout).toContain('srv3: maint → ready');
    expect((await cli(['haproxy', 'status'])).code).toBe(0);
  });
});
