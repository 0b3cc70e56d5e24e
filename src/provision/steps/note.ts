import type { ProvisionRole, Step } from '../step.js';

/** Something provisioning deliberately does not do here, said in every plan rather than silently skipped. */
export function skipStep(host: string, role: ProvisionRole, id: string, describe: string, reason: string): Step {
  return {
    host,
    role,
    id,
    describe,
    spec: { kind: 'note' },
    probes: [],
    check: () => ({ kind: 'skip', reason: `${describe}: ${reason}` }),
    apply: async () => {},
  };
}

/** A problem found while building the steps (a template that does not render): it stops the run before any change. */
export function blockedStep(host: string, role: ProvisionRole, id: string, reason: string): Step {
  return {
    host,
    role,
    id,
    describe: reason,
    spec: { kind: 'note' },
    probes: [],
    check: () => ({ kind: 'blocked', reason }),
    apply: async () => {
      throw new Error(reason);
    },
  };
}
