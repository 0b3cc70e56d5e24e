import type { LoadedInventory } from '../base-command.js';
import { writeFileAtomically } from '../fs/atomic-write.js';
import { entryPoints } from '../haproxy/config.js';
import { connectEntry, readServerStates, waitForSessions, type DrainProgress } from '../haproxy/entry.js';
import { HAPROXY } from '../haproxy/paths.js';
import { changeServerState } from '../haproxy/state-change.js';
import { loadInventory } from '../inventory/load.js';
import { planInventoryEdit, type InventoryEditPlan } from '../inventory/plan-edit.js';
import type { Server } from '../inventory/schema.js';
import { findServer } from '../inventory/select.js';
import { serverIndex } from '../inventory/server-index.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import type { ApplyOutcome } from './apply.js';
import type { DnsRecordChange, ProvisionPorts, RevokeOutcome } from './ports.js';
import { prepareProvision } from './run.js';
import { readSettings } from './settings.js';
import { loadEnvFile } from '../secrets/env-file.js';

export interface DecommissionPlan {
  server: Server;
  /** A Marzban worker behind the entry point: drained and taken out of HAProxy first. */
  worker: boolean;
  entry?: Server;
  runsMarzban: boolean;
  retire: InventoryEditPlan;
  dnsDropped: DnsRecordChange[];
  deadlineMs: number;
  /** The plan in words, in order. */
  steps: string[];
}

const stateEdit = (loaded: LoadedInventory, name: string, state: string) => planInventoryEdit(loaded, (doc) => doc.setIn(['servers', serverIndex(doc, name), 'state'], state));

export async function planDecommission(loaded: LoadedInventory, name: string, ports: ProvisionPorts, deadlineMs: number): Promise<DecommissionPlan> {
  const server = findServer(loaded.inventory, name);
  if (server.roles.includes('proxy')) throw new WeclickError(`${name} is the entry point: bring up its replacement and move the proxy role first`, { exitCode: EXIT.badInput });
  const worker = server.roles.includes('marzban');
  const entry = worker ? entryPoints(loaded.inventory)[0] : undefined;
  if (worker && !entry) throw new WeclickError('the inventory has no entry point to drain the worker on', { exitCode: EXIT.badInput });
  const runsMarzban = server.roles.some((r) => r === 'marzban' || r === 'management' || r === 'subscription');
  const retire = stateEdit(loaded, name, 'retired');
  const dnsDropped = await ports.dnsRecordsDropped(loaded.inventory, retire.result.inventory);
  const minutes = `${Math.round(deadlineMs / 60_000) || `${Math.round(deadlineMs / 1000)}s`}${deadlineMs >= 60_000 ? ' min' : ''}`;
  const steps = [
    ...(worker
      ? [
          `drain ${name} on ${entry!.name} (runtime API) and mark it draining in the inventory`,
          `wait until its sessions end, at most ${minutes}; tunnels still open then stay on the old HAProxy process until hard-stop-after`,
          `remove ${name} from haproxy.cfg on ${entry!.name}, validate it there (haproxy -c) and reload gracefully`,
        ]
      : []),
    ...(runsMarzban ? [`revoke ${name}'s MySQL account (every address) and forget its password`] : []),
    `mark ${name} retired in ${loaded.file}`,
  ];
  return { server, worker, entry, runsMarzban, retire, dnsDropped, deadlineMs, steps };
}

export interface DecommissionEvents {
  onStep?(text: string): void;
  onSessions?(sessions: number): void;
}

export interface DecommissionOutcome {
  drained?: DrainProgress;
  haproxy?: ApplyOutcome;
  revoke?: RevokeOutcome;
  revokeError?: string;
  retired: boolean;
}

export async function runDecommission(loaded: LoadedInventory, plan: DecommissionPlan, ports: ProvisionPorts, audit: { identity: string; command: string }, events: DecommissionEvents = {}): Promise<DecommissionOutcome> {
  const name = plan.server.name;
  const outcome: DecommissionOutcome = { retired: false };
  if (plan.worker) {
    const conn = await connectEntry(loaded);
    try {
      const inHaproxy = (await readServerStates(conn.session)).some((r) => r.backend === HAPROXY.backend && r.server === name);
      if (inHaproxy) {
        await changeServerState(conn, name, 'drain', audit);
        events.onStep?.(`${name}: in drain on ${conn.entry.name}`);
      } else events.onStep?.(`${name} is not in the running HAProxy on ${conn.entry.name}: nothing to drain`);
      const draining = stateEdit(loaded, name, 'draining');
      if (draining.changed) await writeFileAtomically(draining.file, draining.after);
      if (inHaproxy) {
        const endpoint = { direction: 'dst' as const, address: plan.server.ipv4, port: readSettings(await loadEnvFile(loaded.file)).settings.xrayPort };
        outcome.drained = await waitForSessions(conn.session, name, { timeoutMs: plan.deadlineMs, endpoint, onTick: events.onSessions });
        events.onStep?.(outcome.drained.drained ? `${name}: no sessions left` : `${name}: ${outcome.drained.sessions} session(s) still open at the deadline; they stay on the old HAProxy process`);
      }
    } finally {
      conn.session.close();
    }
    // Out of the backend: the entry point converges to the inventory in which the server is retired.
    const current = await reload(loaded.file);
    const run = await prepareProvision({ loaded: current, inventory: stateEdit(current, name, 'retired').result.inventory, selected: [plan.entry!], only: ['proxy'], dryRun: false });
    try {
      if (run.plan.problems.length > 0) throw new WeclickError(`${name} is drained but still in HAProxy: the new configuration was refused`, { exitCode: EXIT.failed, details: run.plan.problems });
      outcome.haproxy = await run.apply(audit);
      const failed = outcome.haproxy.results.find((r) => r.status === 'failed');
      if (failed || outcome.haproxy.lockProblems.length > 0) {
        throw new WeclickError(`${name} is drained but still in HAProxy: ${failed?.error ?? outcome.haproxy.lockProblems.join('; ')}`, { exitCode: EXIT.failed });
      }
      events.onStep?.(`${name}: removed from HAProxy on ${plan.entry!.name}`);
    } finally {
      run.close();
    }
  }
  if (plan.runsMarzban) {
    try {
      outcome.revoke = await ports.accounts.revokeWorkerAccount(plan.server, await reload(loaded.file));
      events.onStep?.(`${name}: MySQL account ${outcome.revoke.detail}`);
    } catch (error) {
      outcome.revokeError = (error as Error).message;
    }
  }
  const retire = stateEdit(await reload(loaded.file), name, 'retired');
  if (retire.changed) await writeFileAtomically(retire.file, retire.after);
  outcome.retired = true;
  return outcome;
}

async function reload(file: string): Promise<LoadedInventory> {
  const result = await loadInventory(file);
  if (!result.ok) throw new WeclickError(`${file} became invalid during decommission`, { exitCode: EXIT.failed, details: result.problems.map((p) => p.message) });
  return result;
}
