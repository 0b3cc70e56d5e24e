import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarzbanApiStandin } from '../standins/marzban-api/index.js';
import { usersTestSetup, type UsersTestSetup } from '../standins/marzban-api/test-database.js';
import { fleetCtl, host } from './harness.js';
import { pendingPropagation } from '../../src/users/pending.js';
import { loadInventory } from '../../src/inventory/load.js';
import type { LoadedInventory } from '../../src/base-command.js';

const WORKERS = ['srv1', 'srv2', 'srv3'] as const;
let setup: UsersTestSetup;
const apis = new Map<string, MarzbanApiStandin>();
const api = (name: string) => apis.get(name)!;
const json = (stdout: string) => JSON.parse(stdout) as { propagation?: Array<{ worker: string; status: string; error?: string }>; workers?: Array<{ worker: string; status: string }>; pending?: unknown[] };
const statusOf = (out: ReturnType<typeof json>) => Object.fromEntries((out.propagation ?? out.workers ?? []).map((p) => [p.worker, p.status]));
const pendingFor = async () => pendingPropagation((await loadInventory(setup.file)) as LoadedInventory);

beforeAll(async () => {
  setup = await usersTestSetup(['mngmt', ...WORKERS], { env: { MARZBAN_API_URL: 'http://{ipv4}:8000' } });
  for (const name of WORKERS) {
    const standin = new MarzbanApiStandin(host(name).address, 8000, setup.pool);
    await standin.start();
    apis.set(name, standin);
  }
});

afterAll(async () => {
  for (const standin of apis.values()) await standin.stop();
  fleetCtl('start', 'srv3');
  await setup?.drop();
});

describe('users propagate to every worker through its local Marzban API', () => {
  it('add: every worker loads the new user without a restart, with a valid admin token and an empty PUT body', async () => {
    const r = await setup.run(['users', 'add', 'alice', '--data-limit', '10GB', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(statusOf(json(r.stdout))).toEqual({ srv1: 'applied', srv2: 'applied', srv3: 'applied' });
    for (const name of WORKERS) {
      const calls = api(name).callsFor('alice');
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ method: 'PUT', body: '{}', authorized: true, status: 200 });
      expect(api(name).serves('alice')).toBe(true);
      expect(Object.keys(api(name).core.get('alice')!.proxies).sort()).toEqual(['shadowsocks', 'trojan', 'vless', 'vmess']);
    }
    expect(await pendingFor()).toEqual([]);
  });

  it('disable cuts the user off on every worker; enable brings it back', async () => {
    const off = await setup.run(['users', 'disable', 'alice']);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toMatch(/srv1: applied\nsrv2: applied\nsrv3: applied/);
    for (const name of WORKERS) expect(api(name).serves('alice')).toBe(false);
    const on = await setup.run(['users', 'enable', 'alice', '--json']);
    expect(statusOf(json(on.stdout))).toEqual({ srv1: 'applied', srv2: 'applied', srv3: 'applied' });
    for (const name of WORKERS) expect(api(name).serves('alice')).toBe(true);
  });

  it("a worker whose API is down is reported unreachable and queued; sync applies it once the API is back", async () => {
    await api('srv2').stop();
    const r = await setup.run(['users', 'disable', 'alice', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r.stdout);
    expect(statusOf(out)).toEqual({ srv1: 'applied', srv2: 'unreachable', srv3: 'applied' });
    expect(out.propagation!.find((p) => p.worker === 'srv2')!.error).toMatch(/Marzban API at http:\/\/127\.0\.0\.22:8000 did not answer/);
    expect((await pendingFor()).map((p) => [p.worker, p.users])).toEqual([['srv2', 1]]);
    const still = await setup.run(['users', 'sync']);
    expect(still.code).toBe(1);
    expect(still.stdout).toContain('srv2: unreachable (queued');
    const before = api('srv2').calls.length;
    await api('srv2').start();
    const sync = await setup.run(['users', 'sync', '--json']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(statusOf(json(sync.stdout))).toEqual({ srv2: 'applied' });
    expect(api('srv2').calls.slice(before).map((c) => c.path)).toEqual(['/api/user/alice']);
    expect(api('srv2').serves('alice')).toBe(false);
    expect(await pendingFor()).toEqual([]);
  });

  it('a worker that is down over SSH keeps its queue until it comes back; the change is never lost', async () => {
    fleetCtl('stop', 'srv3');
    try {
      const r = await setup.run(['users', 'enable', 'alice', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(statusOf(json(r.stdout))).toEqual({ srv1: 'applied', srv2: 'applied', srv3: 'unreachable' });
      const add = await setup.run(['users', 'add', 'bob', '--json']);
      expect(statusOf(json(add.stdout)).srv3).toBe('unreachable');
      // srv3's Marzban never heard of either change: it still has the old state in its core.
      expect(api('srv3').serves('alice')).toBe(false);
      expect(api('srv3').serves('bob')).toBe(false);
      expect((await pendingFor()).map((p) => [p.worker, p.users])).toEqual([['srv3', 2]]);
      const dry = await setup.run(['users', 'sync', '--dry-run']);
      expect(dry.stdout).toMatch(/srv3\s+2\s/);
      expect((await setup.run(['users', 'sync'])).code).toBe(1);
    } finally {
      fleetCtl('start', 'srv3');
    }
    const sync = await setup.run(['users', 'sync', '--json']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(json(sync.stdout).workers).toEqual([{ worker: 'srv3', status: 'applied', applied: 2, queued: 0 }]);
    expect(api('srv3').serves('alice')).toBe(true);
    expect(api('srv3').serves('bob')).toBe(true);
    expect(await pendingFor()).toEqual([]);
  });

  it('revoke-sub pushes the new credentials to every core', async () => {
    const before = api('srv1').core.get('bob')!.proxies;
    const r = await setup.run(['users', 'revoke-sub', 'bob', '--json']);
    expect(r.code, r.stderr).toBe(0);
    for (const name of WORKERS) {
      const now = api(name).core.get('bob')!.proxies as Record<string, { id?: string; password?: string }>;
      expect(now.vless!.id).not.toBe((before as Record<string, { id: string }>).vless!.id);
      expect(now.trojan!.password).not.toBe((before as Record<string, { password: string }>).trojan!.password);
    }
  });

  it('delete disables everywhere first and removes the row only when every worker has dropped the user', async () => {
    await api('srv1').stop();
    const r = await setup.run(['users', 'delete', 'bob', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).deleted).toBe(false);
    const [rows] = await setup.pool.query('SELECT status FROM users WHERE username = ?', ['bob']);
    expect(rows).toEqual([{ status: 'disabled' }]);
    expect(api('srv2').serves('bob')).toBe(false);
    await api('srv1').start();
    // srv1 restarted: like Marzban it loads only active users, and sync finishes the deletion.
    const sync = await setup.run(['users', 'sync', '--json']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(JSON.parse(sync.stdout).deleted).toEqual(['bob']);
    const [gone] = await setup.pool.query('SELECT COUNT(*) AS n FROM users WHERE username = ?', ['bob']);
    expect(gone).toEqual([{ n: 0 }]);
    const [orphans] = await setup.pool.query('SELECT COUNT(*) AS n FROM proxies p LEFT JOIN users u ON u.id = p.user_id WHERE u.id IS NULL');
    expect(orphans).toEqual([{ n: 0 }]);
  });

  it('import propagates every new user to every worker', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = `${setup.dir}/batch.csv`;
    writeFileSync(file, `username,data_limit\n${Array.from({ length: 30 }, (_, i) => `batch_${i},1GB`).join('\n')}\n`);
    const r = await setup.run(['users', 'import', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(statusOf(json(r.stdout))).toEqual({ srv1: 'applied', srv2: 'applied', srv3: 'applied' });
    for (const name of WORKERS) expect(Array.from({ length: 30 }, (_, i) => api(name).serves(`batch_${i}`)).every(Boolean)).toBe(true);
  });
});
