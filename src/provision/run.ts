import type { LoadedInventory } from '../base-command.js';
import type { Inventory, Server } from '../inventory/schema.js';
import { auditIdentity } from '../remote/audit-identity.js';
import { connect } from '../remote/connect.js';
import { fleetContext } from '../remote/fleet-context.js';
import { loadEnvFile } from '../secrets/env-file.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { applyProvision, type ApplyEvents, type ApplyOutcome } from './apply.js';
import { releaseStaleOwnLocks } from './lock-recovery.js';
import { applyOptionsFor, hostsToReach, planProvision, type ProvisionPlan } from './plan.js';
import { provisionPorts, type ProvisionPorts } from './ports.js';
import { gatherSecrets } from './secrets.js';
import { openSessions } from './sessions.js';
import { readSettings, type ProvisionSettings } from './settings.js';
import type { ProvisionRole } from './step.js';
import { loadTemplates } from './templates.js';
import { provisionRolesOf } from './roles/index.js';
import { validateFleet } from './validate-fleet.js';

export interface ProvisionRun {
  plan: ProvisionPlan;
  settings: ProvisionSettings;
  ports: ProvisionPorts;
  /** Secret paths generated for this run (saved unless it is a dry run). */
  generated: string[];
  /** Hosts this run will not change where a killed run of ours had left its lock: released while planning. */
  staleLocksReleased: string[];
  apply(options: { identity: string; command: string; events?: ApplyEvents }): Promise<ApplyOutcome>;
  close(): void;
}

export interface ProvisionRequest {
  loaded: LoadedInventory;
  /** The inventory to converge to; defaults to the loaded one (decommission passes the edited one). */
  inventory?: Inventory;
  selected: Server[];
  dryRun: boolean;
  only?: ProvisionRole[];
  connectTimeout?: number;
  parallel?: number;
}

/**
 * Everything before the question: settings, secrets, templates, fleet validation, then one round trip per host
 * to plan. Throws (exit 3) on a problem found before anything could change.
 */
export async function prepareProvision(request: ProvisionRequest): Promise<ProvisionRun> {
  const inventory = request.inventory ?? request.loaded.inventory;
  const env = await loadEnvFile(request.loaded.file);
  const { settings, problems: settingProblems } = readSettings(env);
  if (settingProblems.length > 0) throw badInput('provisioning settings are invalid; nothing was changed', settingProblems);
  const ports = await provisionPorts(request.loaded.file);
  const rendersMarzban = request.selected.some((s) => provisionRolesOf(s.roles).some((r) => (r === 'marzban' || r === 'management') && (!request.only || request.only.includes(r))));
  const { secrets, generated } = await gatherSecrets(ports, inventory, env, { dryRun: request.dryRun, generate: rendersMarzban });
  let templates;
  try {
    templates = await loadTemplates();
  } catch (error) {
    throw badInput((error as Error).message, []);
  }
  const fleetProblems = validateFleet(inventory, request.selected, secrets, ports.accounts);
  if (fleetProblems.length > 0) throw badInput('the fleet cannot be provisioned as it is; nothing was changed', fleetProblems);

  const input = { inventory, selected: request.selected, settings, secrets, templates, only: request.only };
  const reach = hostsToReach(input);
  const context = await fleetContext(request.loaded, inventory.servers.filter((s) => reach.includes(s.name)), { connectTimeout: request.connectTimeout, parallel: request.parallel });
  const open = await openSessions(context, reach);
  let plan: ProvisionPlan;
  let staleLocksReleased: string[] = [];
  try {
    plan = await planProvision(input, open);
    // Hosts that change get a killed run's lock taken over when applying; the others are freed here.
    const unchanged = plan.hosts.filter((h) => !h.steps.some((s) => s.change.kind === 'change')).map((h) => h.server.name);
    if (!request.dryRun) staleLocksReleased = await releaseStaleOwnLocks(open.sessions, unchanged, { by: auditIdentity(), pid: process.pid });
  } catch (error) {
    open.closeAll();
    throw error;
  }
  return {
    plan,
    settings,
    ports,
    generated,
    staleLocksReleased,
    apply: ({ identity, command, events }) =>
      applyProvision(plan, {
        context,
        sessions: open.sessions,
        reconnect: (host) => connect(context.targets.find((t) => t.name === host)!, context.connect),
        local: { saveSecret: (path, value) => ports.secrets.set(path, value) },
        options: applyOptionsFor(settings),
        identity,
        command,
        events,
      }),
    close: () => open.closeAll(),
  };
}

function badInput(message: string, details: string[]): WeclickError {
  return new WeclickError(message, { exitCode: EXIT.badInput, details, data: { problems: details } });
}
