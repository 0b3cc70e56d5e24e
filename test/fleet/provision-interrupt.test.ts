// A provision run killed (SIGKILL) at several points converges on the next run, and no file is ever torn.
// Hosts: a worker (bench15), Outline (bench16), the entry point (go, real HAProxy). STAND-INS: the `docker`
// command (test/standins/docker) and the worker's Xray inbound (a Node TCP server that parses PROXY v2).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostSession } from '../../src/remote/session.js';
import { BIN, weclick } from '../helpers/cli.js';
import { installDockerStandin } from '../standins/docker/install.js';
import { openHost, portBase, resetProvisionedHost, writeAccounts, writeInventory, type InventoryServer } from '../standins/docker/fleet-helpers.js';
import { connectThrough, startBackend, type Backend } from '../unit/haproxy/proxy-v2-backend.js';
import { hostFile } from './harness.js';

const base = portBase() + 5;
const env = { WECLICK_NAMESPACE_TEST_HOSTS: '1', WECLICK_ENTRY_PORT: String(base), WECLICK_XRAY_PORT: String(base + 1), WECLICK_OUTLINE_API_PORT: String(base + 2), WECLICK_OUTLINE_KEYS_PORT: String(base + 3) };
const worker: InventoryServer = { name: 'bench15', address: '127.0.0.115', roles: ['marzban'] };
const outline: InventoryServer = { name: 'bench16', address: '127.0.0.116', roles: ['outline'] };
const go: InventoryServer = { name: 'go', address: '127.0.0.11', roles: ['proxy'] };
const HOSTS = [worker, outline, go];
/** Files the machine itself has: a host shows the machine's copy until provisioning replaces it. */
const MACHINE_FILES = ['/etc/haproxy/haproxy.cfg', '/etc/nftables.conf', '/etc/apt/apt.conf.d/20auto-upgrades'];

let dir: string;
let file: string;
let backend: Backend;
const sessions = new Map<string, HostSession>();
const auditBaseline = new Map<string, number>();
const auditLines = (host: string) => (hostFile(host, '/var/log/weclick/audit.log') ?? '').split('\n').filter((l) => l.includes('weclick provision'));
const changesSoFar = () => HOSTS.reduce((n, h) => n + auditLines(h.name).length - auditBaseline.get(h.name)!, 0);

/** Starts `provision --all --yes` and SIGKILLs it as soon as `after` changes have begun in all (their audit lines). */
function killAfter(after: number): Promise<{ killedAt: number; exited: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'provision', '--all', '--yes', '-i', file], { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: 'ignore' });
    let done = false;
    const timer = setInterval(() => {
      if (done) return;
      const seen = changesSoFar();
      if (seen >= after) {
        done = true;
        child.kill('SIGKILL');
        clearInterval(timer);
        child.once('exit', () => resolve({ killedAt: seen, exited: false }));
      }
    }, 3);
    child.once('exit', () => {
      if (done) return;
      done = true;
      clearInterval(timer);
      resolve({ killedAt: changesSoFar(), exited: true });
    });
  });
}

beforeAll(async () => {
  for (const server of HOSTS) {
    const session = await openHost(server.name);
    sessions.set(server.name, session);
    await resetProvisionedHost(session);
    auditBaseline.set(server.name, auditLines(server.name).length);
  }
  await installDockerStandin(sessions.get(worker.name)!);
  await installDockerStandin(sessions.get(outline.name)!);
  dir = mkdtempSync(join(tmpdir(), 'weclick-interrupt-'));
  file = writeInventory(dir, HOSTS);
  writeAccounts(dir, [worker]);
  backend = await startBackend(worker.name, worker.address, base + 1);
});

afterAll(async () => {
  await backend?.close();
  for (const session of sessions.values()) {
    await resetProvisionedHost(session);
    session.close();
  }
});

describe('a run killed at any point converges on the next run', () => {
  it('SIGKILL after 1, 4, 8, 12, 16 and 20 changes; every rerun goes on; nothing is ever torn', async () => {
    const plan = JSON.parse((await weclick(['provision', '--all', '--dry-run', '--json', '-i', file], { env })).stdout).plan;
    const files: Array<[string, string]> = plan.hosts.flatMap((h: { name: string; steps: Array<{ id: string }> }) =>
      h.steps.filter((s) => s.id.startsWith('file:')).map((s) => [h.name, s.id.slice('file:'.length)] as [string, string]),
    );
    const total = plan.summary.changes;
    expect(total).toBeGreaterThan(20);

    const snapshots: Array<Map<string, string | undefined>> = [];
    const kills: number[] = [];
    for (const point of [1, 4, 8, 12, 16, 20]) {
      // `point` counts every change begun since the start, across the killed runs.
      const result = await killAfter(point);
      if (!result.exited) kills.push(result.killedAt);
      snapshots.push(new Map(files.map(([host, path]) => [`${host}:${path}`, hostFile(host, path)])));
      if (result.exited) break;
    }
    // Each run was killed in the middle (none ran to its end), right after the change it was waiting for began.
    expect(kills).toHaveLength(6);
    kills.forEach((at, i) => expect(at, `kill #${i + 1}`).toBeGreaterThanOrEqual([1, 4, 8, 12, 16, 20][i]!));

    // The next run takes over the lock the killed run left (ours, its process gone) and finishes.
    const rerun = await weclick(['provision', '--all', '--yes', '-i', file], { env, timeoutMs: 120_000 });
    expect(rerun.code, rerun.stderr + rerun.stdout).toBe(0);
    expect(rerun.stdout).toContain('Took over the lock on');
    const again = JSON.parse((await weclick(['provision', '--all', '--dry-run', '--json', '-i', file], { env })).stdout).plan;
    expect(again.summary.changes).toBe(0);

    // No torn file: at every kill, each managed file was absent, the machine's original, or exactly the final one.
    const final = new Map(files.map(([host, path]) => [`${host}:${path}`, hostFile(host, path)]));
    for (const [index, snapshot] of snapshots.entries()) {
      for (const [key, content] of snapshot) {
        const path = key.slice(key.indexOf(':') + 1);
        const allowed = [undefined, final.get(key), ...(MACHINE_FILES.includes(path) && existsSync(path) ? [readFileSync(path, 'utf8')] : [])];
        expect(allowed, `${key} after kill #${index + 1}`).toContain(content);
      }
    }
    // Temp files of interrupted writes are gone, and the converged fleet serves.
    for (const [host, path] of files) expect(hostFile(host, `${path}.weclick-new`), `${host}:${path}.weclick-new`).toBeUndefined();
    const open = await connectThrough('127.0.0.11', base);
    expect(open.greeting).toBe('hello from bench15');
    open.socket.destroy();
    expect(hostFile(outline.name, '/opt/outline/access.txt')).toMatch(/^certSha256:[0-9A-F]{64}\napiUrl:https:\/\/127\.0\.0\.116:\d+\/\S+\n$/);
  }, 300_000);
});
