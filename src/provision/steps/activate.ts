import { assertRan, fileFact, type Change, type HostFactsSnapshot, type Probe, type ProvisionRole, type Step, type StepHost } from '../step.js';
import { markerContent, markerPath, sha256, writeMarkerLine } from './file.js';

export type ActivationReason = 'changed' | 'not-running';

export interface ActivationInput {
  host: string;
  role: ProvisionRole;
  id: string;
  describe: string;
  /** Marker name under /var/lib/weclick/applied. */
  marker: string;
  /** Hash of everything this activation loads (file contents, image tags). */
  hash: string;
  probes?: Probe[];
  /** False when the service is not running (so it must be started even if the marker matches); undefined = unknown. */
  running?: (facts: HostFactsSnapshot) => boolean | undefined;
  summary: (reason: ActivationReason, facts: HostFactsSnapshot) => string;
  /** The shell line that (re)loads; run as root. The marker is written only after it succeeds. */
  script: (reason: ActivationReason, host: StepHost) => string;
  /** Checks after the script (e.g. a new SSH session still works); throw to fail the step. */
  verify?: (host: StepHost) => Promise<void>;
  /** Never applied on a namespace test host: shown as skipped, with this reason, in every plan. */
  skipOnNamespaceHost?: string;
  timeoutMs?: number;
}

/**
 * Loads files into a running service (reload HAProxy, compose up, load a firewall) when what it last loaded
 * differs from what is wanted, as recorded by a marker written after success: a run killed between writing
 * the files and reloading reloads on the next run.
 */
export function activationStep(input: ActivationInput): Step {
  const marker = markerPath(input.marker);
  const wantMarker = sha256(markerContent(input.hash));
  const reasonOf = (facts: HostFactsSnapshot): ActivationReason | null => {
    const fact = fileFact(facts, marker);
    if (!fact.exists || fact.sha256 !== wantMarker) return 'changed';
    return input.running?.(facts) === false ? 'not-running' : null;
  };
  return {
    host: input.host,
    role: input.role,
    id: input.id,
    describe: input.describe,
    spec: { kind: 'command', command: input.describe },
    probes: [{ kind: 'file', path: marker, sha256: wantMarker }, ...(input.probes ?? [])],
    check(facts, options): Change {
      if (input.skipOnNamespaceHost && options.namespaceTestHost) return { kind: 'skip', reason: `${input.describe}: ${input.skipOnNamespaceHost}` };
      const reason = reasonOf(facts);
      return reason ? { kind: 'change', summary: input.summary(reason, facts) } : { kind: 'none' };
    },
    async apply(host) {
      const reason = reasonOf(host.facts) ?? 'changed';
      const result = await host.session.shell(input.script(reason, host), { sudo: true, timeoutMs: input.timeoutMs ?? 180_000 });
      assertRan(result, input.describe);
      await input.verify?.(host);
      const written = await host.session.shell(writeMarkerLine(input.marker, input.hash), { sudo: true, timeoutMs: 10_000 });
      assertRan(written, `recording ${marker}`);
    },
  };
}
