import pLimit from 'p-limit';
import { connect } from '../remote/connect.js';
import type { FleetContext } from '../remote/fleet-context.js';
import type { HostSession } from '../remote/session.js';

export interface OpenSessions {
  sessions: Map<string, HostSession>;
  /** Hosts that could not be reached, with why. */
  failures: Map<string, string>;
  closeAll(): void;
}

/** One verified SSH session per host, kept open from planning through applying. */
export async function openSessions(context: FleetContext, names: string[]): Promise<OpenSessions> {
  const starts = pLimit(32);
  const sessions = new Map<string, HostSession>();
  const failures = new Map<string, string>();
  await Promise.all(
    context.targets
      .filter((t) => names.includes(t.name))
      .map((target) =>
        starts(async () => {
          try {
            sessions.set(target.name, await connect(target, context.connect));
          } catch (error) {
            failures.set(target.name, (error as Error).message);
          }
        }),
      ),
  );
  return { sessions, failures, closeAll: () => sessions.forEach((s) => s.close()) };
}
