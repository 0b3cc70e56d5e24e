import type { Inventory, Server } from '../inventory/schema.js';
import type { HostSession } from '../remote/session.js';
import { parseProbeOutput, probeScript } from './probe-script.js';
import { stepsForServer } from './roles/index.js';
import { marzbanHosts, type ProvisionSecrets } from './secrets.js';
import type { OpenSessions } from './sessions.js';
import type { ProvisionSettings } from './settings.js';
import type { ApplyOptions, Change, HostFactsSnapshot, Probe, ProvisionRole, Step } from './step.js';
import type { TemplateSet } from './templates.js';
import { DEPLOYED_IMAGE_PROBE, marzbanVersionProblems, parseDeployedImage } from './validate-fleet.js';

export interface PlannedStep {
  step: Step;
  change: Change;
}

export interface HostPlan {
  server: Server;
  steps: PlannedStep[];
  error?: string;
}

export interface ProvisionPlan {
  hosts: HostPlan[];
  /** Anything here stops the run before any change: fleet problems, invalid rendered files, unreachable hosts. */
  problems: string[];
  warnings: string[];
}

export interface PlanInput {
  inventory: Inventory;
  selected: Server[];
  settings: ProvisionSettings;
  secrets: ProvisionSecrets;
  templates: TemplateSet;
  /** Only these roles' steps (e.g. `weclick haproxy sync` plans the proxy role alone). */
  only?: ProvisionRole[];
}

export const applyOptionsFor = (settings: ProvisionSettings): ApplyOptions => ({ namespaceTestHost: settings.namespaceTestHosts });

/** Builds every selected host's steps (pure) and the hosts whose Marzban version must be read. */
export function buildSteps(input: PlanInput): Map<string, Step[]> {
  return new Map(input.selected.map((server) => [server.name, stepsForServer({ ...input, server }, input.only)]));
}

/** Hosts a plan must reach: the selected ones, and every Marzban host (to compare versions on the shared database). */
export function hostsToReach(input: PlanInput): string[] {
  const marzban = input.only && !input.only.some((r) => r === 'marzban' || r === 'management') ? [] : marzbanHosts(input.inventory).map((s) => s.name);
  return [...new Set([...input.selected.map((s) => s.name), ...marzban])];
}

/** Gathers each host's facts in one round trip and checks every step against them. Nothing is changed. */
export async function planProvision(input: PlanInput, open: OpenSessions): Promise<ProvisionPlan> {
  const stepsByHost = buildSteps(input);
  const options = applyOptionsFor(input.settings);
  const problems: string[] = [];
  const warnings: string[] = [];
  const selected = new Set(input.selected.map((s) => s.name));
  const deployed = new Map<string, string | undefined>();
  const runsMarzban = new Set(marzbanHosts(input.inventory).map((s) => s.name));

  const hosts = await Promise.all(
    hostsToReach(input).map(async (name): Promise<HostPlan | null> => {
      const server = input.inventory.servers.find((s) => s.name === name)!;
      const session = open.sessions.get(name);
      if (!session) {
        const why = open.failures.get(name) ?? 'not connected';
        if (selected.has(name)) problems.push(`${name}: unreachable (${why}); nothing was changed anywhere`);
        else warnings.push(`${name}: unreachable, its Marzban version could not be compared (${why})`);
        return selected.has(name) ? { server, steps: [], error: why } : null;
      }
      const steps = stepsByHost.get(name) ?? [];
      const probes: Probe[] = [...steps.flatMap((s) => s.probes), ...(runsMarzban.has(name) ? [{ kind: 'run' as const, id: 'deployed-marzban', script: DEPLOYED_IMAGE_PROBE }] : [])];
      let facts: HostFactsSnapshot;
      try {
        facts = await gatherFacts(session, probes);
      } catch (error) {
        const why = (error as Error).message;
        if (selected.has(name)) problems.push(`${name}: cannot read its state (${why})`);
        else warnings.push(`${name}: cannot read its Marzban version (${why})`);
        return selected.has(name) ? { server, steps: [], error: why } : null;
      }
      if (runsMarzban.has(name)) deployed.set(name, parseDeployedImage(facts.runs.get('deployed-marzban')?.output ?? ''));
      if (!selected.has(name)) return null;
      return { server, steps: steps.map((step) => ({ step, change: safeCheck(step, facts, options) })) };
    }),
  );

  const planned = hosts.filter((h): h is HostPlan => h !== null);
  if (!input.only || input.only.some((r) => r === 'marzban' || r === 'management')) {
    const touched = new Set(planned.filter((h) => h.server.roles.some((r) => r === 'marzban' || r === 'management' || r === 'subscription')).map((h) => h.server.name));
    problems.push(...marzbanVersionProblems(input.inventory.fleet.marzban?.image, deployed, touched));
  }
  for (const host of planned) for (const { change } of host.steps) if (change.kind === 'blocked') problems.push(change.reason);
  return { hosts: planned, problems, warnings };
}

/** Runs the probe script on a host and parses it. */
export async function gatherFacts(session: HostSession, probes: Probe[]): Promise<HostFactsSnapshot> {
  const result = await session.run(['sh', '-s'], { stdin: probeScript(probes), sudo: true, timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(result.stderr.trim() || `probe exited ${result.code}`);
  return parseProbeOutput(result.stdout, probes);
}

function safeCheck(step: Step, facts: HostFactsSnapshot, options: ApplyOptions): Change {
  try {
    return step.check(facts, options);
  } catch (error) {
    return { kind: 'blocked', reason: `${step.host}: ${step.describe}: ${(error as Error).message}` };
  }
}

export function countChanges(plan: Pick<ProvisionPlan, 'hosts'>): { changes: number; hosts: number; skipped: number } {
  let changes = 0;
  let hosts = 0;
  let skipped = 0;
  for (const host of plan.hosts) {
    const n = host.steps.filter((s) => s.change.kind === 'change').length;
    changes += n;
    if (n > 0) hosts++;
    skipped += host.steps.filter((s) => s.change.kind === 'skip').length;
  }
  return { changes, hosts, skipped };
}
