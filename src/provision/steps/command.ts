import { assertRan, runFact, type ApplyOptions, type Change, type HostFactsSnapshot, type ProvisionRole, type RunFact, type Step, type StepHost } from '../step.js';

export interface CommandStepInput {
  host: string;
  role: ProvisionRole;
  id: string;
  describe: string;
  /** Read-only sh snippet whose result says whether the step is done. */
  probe: string;
  /** Given the probe's result: null when converged, else what will change. May return a full Change (skip, blocked). */
  check: (run: RunFact, facts: HostFactsSnapshot, options: ApplyOptions) => string | Change | null;
  /** Shell line run as root; it must be idempotent itself (an interrupted run repeats it). */
  script: (host: StepHost) => string;
  timeoutMs?: number;
}

/** An idempotent action with its own check, like Ansible's `creates`/`unless`. */
export function commandStep(input: CommandStepInput): Step {
  const probeId = input.id;
  return {
    host: input.host,
    role: input.role,
    id: input.id,
    describe: input.describe,
    spec: { kind: 'command', command: input.describe },
    probes: [{ kind: 'run', id: probeId, script: input.probe }],
    check(facts, options): Change {
      const verdict = input.check(runFact(facts, probeId), facts, options);
      if (verdict === null) return { kind: 'none' };
      return typeof verdict === 'string' ? { kind: 'change', summary: verdict } : verdict;
    },
    async apply(host) {
      const result = await host.session.shell(input.script(host), { sudo: true, timeoutMs: input.timeoutMs ?? 300_000 });
      assertRan(result, input.describe);
    },
  };
}
