import { daysBetween } from '../expiry/calendar-day.js';
import type { Server } from '../inventory/schema.js';
import { factsProbeScript, parseFacts } from './facts.js';
import { commandLine } from './shell.js';
import type { FleetContext } from './fleet-context.js';
import { runOnFleet, type HostResult, type RunnerEvents } from './runner.js';
import { statusRow, type HostStatusRow } from './status.js';

/** One round trip per host: connect, run the facts probe, turn facts into a status row. */
export async function gatherStatus(servers: Server[], context: FleetContext, today: string, events: RunnerEvents<HostStatusRow>): Promise<HostStatusRow[]> {
  const byName = new Map(servers.map((s) => [s.name, s]));
  const results = await runOnFleet<HostStatusRow>(
    context.targets,
    async (session) => {
      const server = byName.get(session.target.name)!;
      // Our own read-only script: a local guard timer is enough, no remote `timeout` process per host.
      const probe = await session.exec(commandLine(['sh', '-c', factsProbeScript()]), { timeoutMs: 30_000 });
      if (probe.connectionLost) throw new Error('connection lost during the facts probe');
      return { changed: false, value: statusRow(server, parseFacts(probe.stdout), session.connectMs, daysBetween(today, server.expires)) };
    },
    { connect: context.connect, parallel: context.parallel, ...events },
  );
  return results.map((r: HostResult<HostStatusRow>) => r.value ?? unreachableRow(byName.get(r.host)!, r, today));
}

function unreachableRow(server: Server, result: HostResult<HostStatusRow>, today: string): HostStatusRow {
  return { name: server.name, reachable: false, services: [], daysLeft: daysBetween(today, server.expires), error: result.error ?? result.status };
}
