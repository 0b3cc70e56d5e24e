import { configuredServers, haproxyContext } from '../../haproxy/config.js';
import { HAPROXY } from '../../haproxy/paths.js';
import { reloadScript, runningProbe } from '../../haproxy/reload.js';
import { adminStateOf, parseServersState, runtimeArgv, runtimeLine, setStateCommand, type ServerAdminState } from '../../haproxy/runtime.js';
import type { HaproxyServer } from '../context.js';
import { quoteArg } from '../../remote/shell.js';
import { activationStep } from '../steps/activate.js';
import { fileStep, sha256 } from '../steps/file.js';
import { packagesStep } from '../steps/packages.js';
import { assertRan, fileFact, runFact, type Change, type HostFactsSnapshot, type Step } from '../step.js';
import type { RoleInput } from './input.js';

/** The entry point: HAProxy from the distribution, haproxy.cfg from the inventory, graceful reloads, runtime states. */
export function proxyRole(input: RoleInput): Step[] {
  const { server, inventory, settings, templates } = input;
  const host = server.name;
  const context = haproxyContext(inventory, server, settings);
  const config = templates.render('proxy/haproxy.cfg.hbs', context);
  return [
    packagesStep(host, 'proxy', ['haproxy', 'socat'], 'entry point, runtime API'),
    haproxyConfigStep(host, config, context.servers),
    activationStep({
      host,
      role: 'proxy',
      id: 'haproxy:reload',
      describe: 'HAProxy running with this configuration',
      marker: 'haproxy',
      hash: sha256(config),
      probes: [{ kind: 'run', id: 'haproxy-running', script: runningProbe() }],
      running: (facts) => runFact(facts, 'haproxy-running').code === 0,
      summary: (_reason, facts) =>
        runFact(facts, 'haproxy-running').code !== 0 ? 'start HAProxy' : 'reload HAProxy gracefully (open tunnels stay on the old process; drain/maint states kept)',
      script: () => reloadScript(),
    }),
    runtimeStatesStep(host, context.servers),
  ];
}

/**
 * haproxy.cfg, validated with `haproxy -c` on the host (the candidate while planning, the uploaded file before it
 * replaces the live one). A server the new config adds must accept TCP connections from the entry point first,
 * so users are never sent to a worker that is not up.
 */
function haproxyConfigStep(host: string, config: string, servers: HaproxyServer[]): Step {
  const file = fileStep({
    host,
    role: 'proxy',
    path: HAPROXY.config,
    content: config,
    mode: 0o644,
    owner: 'root',
    keepPrevious: true,
    validate: { name: 'haproxy -c', script: 'haproxy -c -f "$1"' },
  });
  const reachId = 'haproxy:reachable';
  const want = sha256(config);
  const added = (facts: HostFactsSnapshot): HaproxyServer[] => {
    const live = fileFact(facts, HAPROXY.config);
    if (live.exists && live.sha256 === want) return [];
    const present = new Set(live.content !== undefined ? configuredServers(live.content) : []);
    return servers.filter((s) => !present.has(s.name));
  };
  const unreachable = (output: string) => output.split('\n').filter((l) => l.startsWith('UNREACHABLE '));
  return {
    ...file,
    probes: [...file.probes, { kind: 'run', id: reachId, script: reachabilityScript(servers), unlessFile: { path: HAPROXY.config, sha256: want } }],
    check(facts, options): Change {
      const change = file.check(facts, options);
      if (change.kind !== 'change') return change;
      const newNames = new Set(added(facts).map((s) => s.name));
      const down = unreachable(runFact(facts, reachId).output).filter((l) => newNames.has(l.split(' ')[1]!));
      if (down.length > 0) {
        return { kind: 'blocked', reason: `${host}: not adding ${down.map((l) => l.split(' ').slice(1).join(' ')).join(', ')} to the entry point: it does not accept connections from ${host} yet (provision it first; HAProxy would send users to it)` };
      }
      return change;
    },
    async apply(stepHost) {
      const newServers = added(stepHost.facts);
      if (newServers.length > 0) {
        const result = await stepHost.session.shell(reachabilityScript(newServers), { sudo: true, timeoutMs: 30_000 });
        const down = unreachable(result.stdout);
        if (down.length > 0) throw new Error(`not adding ${down.map((l) => l.split(' ').slice(1).join(' ')).join(', ')}: no TCP connection from ${host}; the entry point keeps its current configuration`);
      }
      await file.apply(stepHost);
    },
  };
}

/** Prints `UNREACHABLE name address:port` for each server that refuses a TCP connection from this host. */
export function reachabilityScript(servers: HaproxyServer[]): string {
  if (servers.length === 0) return 'true';
  return servers
    .map((s) => `timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ ${quoteArg(s.address)} ${s.port} 2>/dev/null || echo ${quoteArg(`UNREACHABLE ${s.name} ${s.address}:${s.port}`)}`)
    .join('\n');
}

/** Runtime admin states follow the inventory: draining servers in drain, active ones ready. */
function runtimeStatesStep(host: string, servers: HaproxyServer[]): Step {
  const probeId = 'haproxy-states';
  const wantOf = (name: string): ServerAdminState => (servers.find((s) => s.name === name)?.draining ? 'drain' : 'ready');
  const mismatches = (output: string) =>
    parseServersState(output)
      .filter((row) => row.backend === HAPROXY.backend && servers.some((s) => s.name === row.server))
      .filter((row) => adminStateOf(row) !== wantOf(row.server))
      .map((row) => ({ server: row.server, from: adminStateOf(row), to: wantOf(row.server) }));
  return {
    host,
    role: 'proxy',
    id: 'haproxy:states',
    describe: 'runtime server states match the inventory',
    spec: { kind: 'command', command: 'set server workers/NAME state drain|ready' },
    probes: [{ kind: 'run', id: probeId, script: runtimeLine(`show servers state ${HAPROXY.backend}`) }],
    check(facts): Change {
      const run = runFact(facts, probeId);
      const draining = servers.filter((s) => s.draining).map((s) => s.name);
      if (run.code !== 0) return draining.length > 0 ? { kind: 'change', summary: `put ${draining.join(', ')} in drain once HAProxy runs` } : { kind: 'none' };
      const wrong = mismatches(run.output);
      return wrong.length === 0 ? { kind: 'none' } : { kind: 'change', summary: wrong.map((w) => `${w.server}: ${w.from} → ${w.to}`).join(', ') };
    },
    async apply({ session }) {
      const state = await session.run(runtimeArgv(`show servers state ${HAPROXY.backend}`), { sudo: true, timeoutMs: 15_000 });
      assertRan(state, 'reading the runtime server states');
      for (const wrong of mismatches(state.stdout)) {
        const result = await session.run(runtimeArgv(setStateCommand(HAPROXY.backend, wrong.server, wrong.to)), { sudo: true, timeoutMs: 15_000 });
        assertRan(result, `setting ${wrong.server} to ${wrong.to}`);
        if (result.stdout.trim()) throw new Error(`HAProxy refused "${setStateCommand(HAPROXY.backend, wrong.server, wrong.to)}": ${result.stdout.trim()}`);
      }
    },
  };
}
