// Crash target: `weclick provision --all --yes` on spare bench hosts: a Marzban worker (bench1) and an entry point
// with real HAProxy (bench3); Outline (bench2) too at full size. STAND-INS: the `docker` command (test/standins/docker)
// and the worker's Xray inbound (a Node TCP server that parses PROXY v2). Files, SSH and HAProxy are real.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { LOCK_DIR } from '../../src/remote/lock.js';
import type { HostSession } from '../../src/remote/session.js';
import { quoteArg } from '../../src/remote/shell.js';
import { MARKER_DIR } from '../../src/provision/steps/file.js';
import { hostFile } from '../fleet/harness.js';
import { weclickSteady as weclick } from './crash-process.js';
import { installDockerStandin } from '../standins/docker/install.js';
import { openHost, portBase, resetProvisionedHost, writeAccounts, writeInventory, type InventoryServer } from '../standins/docker/fleet-helpers.js';
import { connectThrough, startBackend } from '../unit/haproxy/proxy-v2-backend.js';
import { inventoryProblems, localLeftovers, tail } from './crash-checks.js';
import type { CrashTarget, CrashWorld } from './crash-target.js';
import { SCALE } from './figures.js';

const worker: InventoryServer = { name: 'bench1', address: '127.0.0.101', roles: ['marzban'] };
const outline: InventoryServer = { name: 'bench2', address: '127.0.0.102', roles: ['outline'] };
const entry: InventoryServer = { name: 'bench3', address: '127.0.0.103', roles: ['proxy'] };
const HOSTS = SCALE === 'full' ? [worker, outline, entry] : [worker, entry];

export const provisionTarget: CrashTarget = {
  command: 'provision',
  even: [1, 6],
  random: [0, 4],
  ciEvents: 0,
  async open(): Promise<CrashWorld> {
    // portBase()+6..9: away from the ports other fleet tests of this process use (+0..+5).
    const base = portBase() + 6;
    const env = { WECLICK_NAMESPACE_TEST_HOSTS: '1', WECLICK_ENTRY_PORT: String(base), WECLICK_XRAY_PORT: String(base + 1), WECLICK_OUTLINE_API_PORT: String(base + 2), WECLICK_OUTLINE_KEYS_PORT: String(base + 3) };
    const sessions = new Map<string, HostSession>();
    for (const server of HOSTS) sessions.set(server.name, await openHost(server.name));
    const dir = mkdtempSync(join(tmpdir(), 'weclick-crash-provision-'));
    const file = writeInventory(dir, HOSTS);
    const inventoryText = readFileSync(file, 'utf8');
    const backend = await startBackend(worker.name, worker.address, base + 1);

    /** The managed files right after the kill (none when the run ended before its kill point). */
    let atKill: Map<string, string | undefined> | undefined;
    /** The managed files (host, path), from the plan of a fresh host; and what they held after the last reset. */
    let files: Array<[string, string]> = [];
    const snapshot = () => new Map(files.map(([host, path]) => [`${host}:${path}`, hostFile(host, path)]));
    let before = snapshot();

    const reset = async () => {
      atKill = undefined;
      for (const session of sessions.values()) {
        await resetProvisionedHost(session);
        // A lock a failed rerun left was reported by that kill point; the next one starts unlocked.
        await session.run(['rm', '-rf', LOCK_DIR]);
      }
      for (const server of HOSTS.filter((h) => h.roles.includes('marzban') || h.roles.includes('outline'))) await installDockerStandin(sessions.get(server.name)!);
      // The secrets file back to the accounts only: every run generates (and must save) the REALITY keys again.
      writeAccounts(dir, [worker]);
      // "The previous file" of each kill point is what this reset left (on a fresh fleet, the first reset leaves
      // nothing in the host's own layer; later ones put the machine's file back there).
      before = snapshot();
    };
    await reset();
    const dryRun = async () => {
      const r = await weclick(['provision', '--all', '--dry-run', '--json', '-i', file], { env, timeoutMs: 60_000 });
      if (r.code !== 0) throw new Error(`provision --dry-run failed (${r.code}): ${tail(r.stderr)}`);
      return JSON.parse(r.stdout).plan as { summary: { changes: number }; hosts: Array<{ name: string; steps: Array<{ id: string }> }> };
    };
    files = (await dryRun()).hosts.flatMap((h) => h.steps.filter((s) => s.id.startsWith('file:')).map((s) => [h.name, s.id.slice('file:'.length)] as [string, string]));
    if (files.length < 10) throw new Error(`provision plans only ${files.length} files on a fresh fleet`);
    before = snapshot();

    /** Temp files of interrupted writes still on a host: PATH.weclick-new, PATH.weclick-<hex>, markers' .tmp. */
    const hostLeftovers = async () => {
      const problems: string[] = [];
      for (const server of HOSTS) {
        const dirs = [...new Set([...files.filter(([h]) => h === server.name).map(([, p]) => dirname(p)), MARKER_DIR])];
        const found = await sessions.get(server.name)!.shell(`find ${dirs.map(quoteArg).join(' ')} -maxdepth 1 \\( -name '*.weclick-new' -o -name '*.weclick-[0-9a-f]*' -o -name '*.tmp' \\) 2>/dev/null; true`);
        for (const path of found.stdout.split('\n').filter(Boolean)) problems.push(`${server.name}:${path} left behind`);
        const lock = await sessions.get(server.name)!.run(['test', '-e', LOCK_DIR]);
        if (lock.code === 0) problems.push(`${server.name}: the fleet lock ${LOCK_DIR} is still held after the rerun`);
      }
      return problems;
    };

    return {
      args: ['provision', '--all', '--yes', '-i', file],
      env,
      lines: [/^Generated /, /^bench1: changed/, ...(HOSTS.includes(outline) ? [/^bench2: changed/] : [])],
      // The generated secrets being written (the atomic write's temp file beside the inventory).
      events: [{ dir, file: /^\.weclick\.secrets\.yaml\.weclick-.+\.tmp$/ }],
      reset,
      async afterKill() {
        // Commands the killed run had started on the hosts go on without it: let them end before looking.
        await new Promise((r) => setTimeout(r, 500));
        atKill = snapshot();
        const problems = await inventoryProblems(file, [inventoryText]);
        try {
          const secrets = parse(readFileSync(join(dir, 'weclick.secrets.yaml'), 'utf8'));
          if (!secrets?.mysql?.accounts?.[worker.name]) problems.push('weclick.secrets.yaml lost the MySQL accounts');
        } catch (error) {
          problems.push(`weclick.secrets.yaml is torn: ${(error as Error).message.split('\n')[0]}`);
        }
        return problems;
      },
      async observe() {
        const changed = [...(atKill ?? [])].filter(([key, content]) => content !== before.get(key)).length;
        return `${changed} of ${files.length} managed files written`;
      },
      async converged(rerun) {
        const problems: string[] = [];
        if (rerun.code !== 0) problems.push(`the rerun failed (exit ${rerun.code}): ${tail(rerun.stderr + rerun.stdout)}`);
        const again = await dryRun();
        if (again.summary.changes !== 0) problems.push(`after the rerun, provision still plans ${again.summary.changes} change(s)`);
        // No torn file: at the kill, each managed file was the one before, or exactly the converged one.
        const final = snapshot();
        for (const [key, content] of atKill ?? []) {
          if (content !== before.get(key) && content !== final.get(key)) problems.push(`${key} was torn at the kill (${content?.length ?? 0} bytes: neither the previous file nor the rendered one)`);
        }
        problems.push(...(await hostLeftovers()), ...localLeftovers(file, { locks: true }), ...(await inventoryProblems(file, [inventoryText])));
        // The converged fleet serves: a connection through the entry point reaches the worker.
        try {
          const open = await connectThrough(entry.address, base);
          if (open.greeting !== `hello from ${worker.name}`) problems.push(`the entry point answered ${JSON.stringify(open.greeting)}`);
          open.socket.destroy();
        } catch (error) {
          problems.push(`no connection through the entry point after the rerun: ${(error as Error).message}`);
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
