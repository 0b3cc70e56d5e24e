import { commandLine } from '../../remote/shell.js';
import { assertRan, type Change, type ProvisionRole, type Step } from '../step.js';

/** Packages from the distribution: checked with dpkg-query, installed with apt-get (never on a namespace test host). */
export function packagesStep(host: string, role: ProvisionRole, names: string[], why: string): Step {
  return {
    host,
    role,
    id: `packages:${names.join(',')}`,
    describe: `packages ${names.join(', ')} (${why})`,
    spec: { kind: 'packages', names },
    probes: names.map((name) => ({ kind: 'package' as const, name })),
    check(facts, options): Change {
      const missing = names.filter((n) => !facts.packages.get(n));
      const present = names.filter((n) => facts.packages.get(n)).map((n) => `${n} ${facts.packages.get(n)}`);
      if (missing.length === 0) return { kind: 'none', detail: `present: ${present.join(', ')}` };
      if (options.namespaceTestHost) {
        return {
          kind: 'blocked',
          reason: `${host}: ${missing.join(', ')} not installed; packages are never installed on a namespace test host (it shares /usr with the machine): install them on the machine (scripts/install-system-deps.sh)`,
        };
      }
      return { kind: 'change', summary: `apt-get install ${missing.join(' ')}` };
    },
    async apply({ session, facts }) {
      const missing = names.filter((n) => !facts.packages.get(n));
      const line = `export DEBIAN_FRONTEND=noninteractive; apt-get -q update && ${commandLine(['apt-get', '-q', '-y', '-o', 'DPkg::Lock::Timeout=120', 'install', '--no-install-recommends', ...missing])}`;
      assertRan(await session.shell(line, { sudo: true, timeoutMs: 900_000 }), `installing ${missing.join(', ')}`);
    },
  };
}
