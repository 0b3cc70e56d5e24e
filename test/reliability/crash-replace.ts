// Crash target: `weclick replace` of the entry point (bench5 → bench6, real HAProxy on both) in front of a worker
// (bench4). A killed replace is finished with `weclick replace --resume` (or started again, when the kill came before
// its record was written). STAND-INS: the worker's Xray inbound (a Node TCP server that parses PROXY v2).
// SSH, files and HAProxy are real; no Cloudflare zone is configured, so the DNS steps have nothing to do.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../../src/inventory/load.js';
import { LOCK_DIR } from '../../src/remote/lock.js';
import type { HostSession } from '../../src/remote/session.js';
import { readProgress } from '../../src/replace/progress.js';
import { openHost, portBase, resetProvisionedHost, writeAccounts, writeInventory, type InventoryServer } from '../standins/docker/fleet-helpers.js';
import { connectThrough, startBackend } from '../unit/haproxy/proxy-v2-backend.js';
import { localLeftovers, tail } from './crash-checks.js';
import { weclickSteady as weclick, type KilledRun } from './crash-process.js';
import type { CrashTarget, CrashWorld } from './crash-target.js';

const worker: InventoryServer = { name: 'bench4', address: '127.0.0.104', roles: ['marzban'] };
const oldEntry: InventoryServer = { name: 'bench5', address: '127.0.0.105', roles: ['proxy'] };
const newEntry = { name: 'bench6', address: '127.0.0.106' };

export const replaceTarget: CrashTarget = {
  command: 'replace',
  even: [1, 5],
  random: [0, 4],
  ciEvents: 1,
  async open(): Promise<CrashWorld> {
    // portBase()+12..13: away from the ports the other targets and fleet tests of this process use.
    const base = portBase() + 12;
    const env = { WECLICK_NAMESPACE_TEST_HOSTS: '1', WECLICK_ENTRY_PORT: String(base), WECLICK_XRAY_PORT: String(base + 1) };
    const sessions = new Map<string, HostSession>();
    for (const name of [worker.name, oldEntry.name, newEntry.name]) sessions.set(name, await openHost(name));
    const dir = mkdtempSync(join(tmpdir(), 'weclick-crash-replace-'));
    const file = writeInventory(dir, [oldEntry, worker]);
    const before = readFileSync(file, 'utf8');
    const backend = await startBackend(worker.name, worker.address, base + 1);
    const startArgs = ['replace', oldEntry.name, '--with', newEntry.name, '--ip', newEntry.address, '--provider', 'test', '--expires', '2031-01-01', '--deadline', '20s', '--yes', '-i', file];
    const cli = (args: string[]) => weclick([...args, '-i', file], { env, timeoutMs: 120_000 });

    const reset = async () => {
      for (const session of sessions.values()) {
        await resetProvisionedHost(session);
        await session.run(['rm', '-rf', LOCK_DIR]);
      }
      writeFileSync(file, before);
      // The worker's MySQL account, as `weclick db grant` records it: provisioning its firewall renders its role.
      writeAccounts(dir, [worker]);
      for (const leftover of ['weclick.replace.json', 'weclick.replace.lock']) await rm(join(dir, leftover), { force: true });
      // The world a replace starts from: the old entry point serves the worker.
      const up = await cli(['provision', oldEntry.name, '--yes']);
      if (up.code !== 0) throw new Error(`provisioning the old entry point failed (${up.code}): ${tail(up.stderr + up.stdout)}`);
    };
    await reset();

    return {
      args: startArgs,
      env,
      lines: [/^\[3\/10\] provision/, /^\[5\/10\] .* active/, /^\[8\/10\] mark/],
      // The inventory being rewritten (the atomic write's temp file beside it).
      events: [{ dir, file: /^\.weclick\.yaml\.weclick-.+\.tmp$/ }],
      reset,
      async rerun(): Promise<KilledRun> {
        // The record says where it stopped; a kill before the record existed is started again as it was.
        const resume = existsSync(join(dir, 'weclick.replace.json'));
        const r = await weclick(resume ? ['replace', '--resume', '--yes', '-i', file] : startArgs, { env, timeoutMs: 120_000 });
        return { killed: false, atMs: r.ms, code: r.code, signal: null, stdout: r.stdout, stderr: r.stderr };
      },
      async afterKill() {
        const problems: string[] = [];
        const loaded = await loadInventory(file);
        if (!loaded.ok) problems.push('the inventory no longer loads after the kill');
        // The record, when there is one, is whole: --resume can read it.
        await readProgress(file).catch((error: Error) => problems.push(`the replace record is torn: ${error.message}`));
        return problems;
      },
      async observe() {
        const record = await readProgress(file).catch(() => undefined);
        return record ? `${record.steps.filter((s) => s.status === 'done').length} of ${record.steps.length} steps done` : 'no record yet (killed while planning or staging)';
      },
      async converged(rerun) {
        const problems: string[] = [];
        if (rerun.code !== 0) problems.push(`the rerun failed (exit ${rerun.code}): ${tail(rerun.stderr + rerun.stdout)}`);
        const loaded = await loadInventory(file);
        if (!loaded.ok) return [...problems, 'the inventory no longer loads'];
        const state = (name: string) => loaded.inventory.servers.find((s) => s.name === name);
        if (state(oldEntry.name)?.state !== 'retired') problems.push(`${oldEntry.name} is ${state(oldEntry.name)?.state}, not retired`);
        if (state(newEntry.name)?.state !== 'active' || !state(newEntry.name)?.roles.includes('proxy')) problems.push(`${newEntry.name} is not the active entry point`);
        if (loaded.inventory.servers.filter((s) => s.name === newEntry.name).length !== 1) problems.push(`${newEntry.name} is in the inventory more than once`);
        if (existsSync(join(dir, 'weclick.replace.json'))) problems.push('the replace record is still there after the rerun');
        const again = await cli(['provision', newEntry.name, '--dry-run', '--json']);
        const changes = again.code === 0 ? JSON.parse(again.stdout).plan.summary.changes : -1;
        if (changes !== 0) problems.push(`after the rerun, provision ${newEntry.name} still plans ${changes} change(s) (exit ${again.code})`);
        problems.push(...localLeftovers(file, { locks: true }));
        try {
          const open = await connectThrough(newEntry.address, base);
          if (open.greeting !== `hello from ${worker.name}`) problems.push(`the new entry point answered ${JSON.stringify(open.greeting)}`);
          open.socket.destroy();
        } catch (error) {
          problems.push(`no connection through the new entry point after the rerun: ${(error as Error).message}`);
        }
        return problems;
      },
      async close() {
        await backend.close();
        for (const session of sessions.values()) {
          await resetProvisionedHost(session).catch(() => undefined);
          await session.run(['rm', '-rf', LOCK_DIR]).catch(() => undefined);
          session.close();
        }
      },
    };
  },
};
