import type { HostSession } from '../remote/session.js';

/** The roles provisioning knows; inventory roles map onto them (see roles/index.ts). */
export const PROVISION_ROLES = ['base', 'management', 'marzban', 'outline', 'proxy'] as const;
export type ProvisionRole = (typeof PROVISION_ROLES)[number];

/**
 * What a step needs to know about its host. Every step of a host declares its probes, and they are
 * gathered together in one SSH round trip (probe-script.ts), so a converged host costs one command.
 */
export type Probe =
  /** sha256, mode and owner of a file; its content too when it differs from `sha256` (for diffs). */
  | { kind: 'file'; path: string; sha256?: string; withContent?: boolean }
  | { kind: 'package'; name: string }
  /** A read-only sh snippet: its exit code and output. Skipped (reported as `same`) while `unlessFile` holds that sha. */
  | { kind: 'run'; id: string; script: string; unlessFile?: { path: string; sha256: string } };

export interface FileFact {
  exists: boolean;
  sha256?: string;
  mode?: number;
  owner?: string;
  group?: string;
  /** The current content, fetched only when it differs from the desired one. */
  content?: string;
  /** A temp file an interrupted run left beside it. */
  leftoverTemp: boolean;
}

export interface RunFact {
  code: number;
  output: string;
  /** The run was skipped because its `unlessFile` already held the wanted content. */
  same: boolean;
}

export interface HostFactsSnapshot {
  serviceManager: 'systemd' | 'none';
  files: Map<string, FileFact>;
  /** Package name → installed version, or null when not installed. */
  packages: Map<string, string | null>;
  runs: Map<string, RunFact>;
}

/** What check() found: nothing to do, a change, a visible skip, or a problem that stops the whole run. */
export type Change =
  | { kind: 'none'; detail?: string }
  | { kind: 'change'; summary: string; diff?: string }
  | { kind: 'skip'; reason: string }
  | { kind: 'blocked'; reason: string };

export interface ApplyOptions {
  /** Hosts that are namespaces of one test machine: firewall, sshd reload and packages are never applied there. */
  namespaceTestHost: boolean;
}

/** What apply() gets: the open session, the facts gathered just before, and the run's options. */
export interface StepHost {
  session: HostSession;
  facts: HostFactsSnapshot;
  options: ApplyOptions;
  /** Opens a new SSH session to the same host (to prove a change did not lock weclick out). */
  reconnect(): Promise<HostSession>;
  /** Local side effects (the secrets file), done through the caller so roles stay pure. */
  local: LocalEffects;
}

export interface LocalEffects {
  saveSecret(path: string[], value: string): Promise<void>;
}

/** The data a step stands for: what unit tests assert on and what --json shows. */
export type StepSpec =
  | { kind: 'file'; path: string; content: string; mode: number; owner?: string; group?: string; sensitive: boolean; validate?: string }
  | { kind: 'packages'; names: string[] }
  | { kind: 'command'; command: string }
  | { kind: 'note' }
  | { kind: 'local'; what: string };

/** One unit of desired state on one host: check compares the host's facts with it, apply makes it so. */
export interface Step {
  host: string;
  role: ProvisionRole;
  /** Stable and unique on its host, e.g. `file:/opt/marzban/.env`. */
  id: string;
  describe: string;
  spec: StepSpec;
  probes: Probe[];
  check(facts: HostFactsSnapshot, options: ApplyOptions): Change;
  apply(host: StepHost): Promise<void>;
}

/** A step's probe results are looked up by key. */
export function probeKey(probe: Probe): string {
  if (probe.kind === 'file') return `file:${probe.path}`;
  if (probe.kind === 'package') return `package:${probe.name}`;
  return `run:${probe.id}`;
}

export const MISSING_FILE: FileFact = { exists: false, leftoverTemp: false };
export const NOT_RUN: RunFact = { code: -1, output: '', same: false };

export function fileFact(facts: HostFactsSnapshot, path: string): FileFact {
  return facts.files.get(path) ?? MISSING_FILE;
}

export function runFact(facts: HostFactsSnapshot, id: string): RunFact {
  return facts.runs.get(id) ?? NOT_RUN;
}

/** Throws with the remote output when a command failed: the message names the step, never a secret. */
export function assertRan(result: { code: number | null; stdout: string; stderr: string; timedOut: boolean }, what: string): void {
  if (result.code === 0) return;
  const why = result.timedOut ? 'timed out' : `exit ${result.code}`;
  const output = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-8).join('\n');
  throw new Error(`${what} failed (${why})${output ? `:\n${output}` : ''}`);
}
