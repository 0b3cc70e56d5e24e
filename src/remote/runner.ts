import pLimit from 'p-limit';
import { connect, ConnectError, type ConnectOptions } from './connect.js';
import type { HostSession } from './session.js';
import type { HostTarget } from './target.js';

export type HostStatus = 'ok' | 'changed' | 'failed' | 'unreachable' | 'skipped';

export interface HostResult<T> {
  host: string;
  status: HostStatus;
  value?: T;
  error?: string;
  durationMs: number;
}

/** What a step reports for one host: whether it changed anything, and its data. */
export interface StepOutcome<T> {
  changed: boolean;
  value: T;
}

export interface RunnerEvents<T> {
  onStart?(host: string): void;
  onResult?(result: HostResult<T>): void;
}

export interface FleetRunOptions<T> extends RunnerEvents<T> {
  connect: ConnectOptions;
  /** Hosts worked on at once. */
  parallel: number;
  /** Simultaneous connection starts (key exchange is CPU-bound; sshd drops bursts past MaxStartups). */
  connectConcurrency?: number;
  /** Stop starting new hosts after the first failure; hosts already running still finish. */
  failFast?: boolean;
}

export interface FleetSummary {
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
  skipped: number;
}

/**
 * Runs a step on every host in parallel (bounded). Every host finishes and gets a result, one
 * connection per host is reused for the whole step, and the step never runs on a host whose
 * key did not verify.
 */
export async function runOnFleet<T>(targets: HostTarget[], step: (session: HostSession) => Promise<StepOutcome<T>>, options: FleetRunOptions<T>): Promise<HostResult<T>[]> {
  const hosts = pLimit(Math.max(1, options.parallel));
  const starts = pLimit(Math.max(1, options.connectConcurrency ?? 32));
  let stop = false;
  return Promise.all(
    targets.map((target) =>
      hosts(async () => {
        const started = Date.now();
        const finish = (result: Omit<HostResult<T>, 'host' | 'durationMs'>): HostResult<T> => {
          const full = { host: target.name, durationMs: Date.now() - started, ...result };
          if ((full.status === 'failed' || full.status === 'unreachable') && options.failFast) stop = true;
          options.onResult?.(full);
          return full;
        };
        if (stop) return finish({ status: 'skipped', error: 'not started: an earlier host failed (--fail-fast)' });
        options.onStart?.(target.name);
        let session: HostSession;
        try {
          session = await starts(() => connect(target, options.connect));
        } catch (error) {
          const kind = error instanceof ConnectError ? error.kind : 'unreachable';
          return finish({ status: kind === 'unreachable' ? 'unreachable' : 'failed', error: (error as Error).message });
        }
        try {
          const outcome = await step(session);
          return finish({ status: outcome.changed ? 'changed' : 'ok', value: outcome.value });
        } catch (error) {
          // A step may attach what it saw (e.g. a failed command's output) as `value`.
          return finish({ status: 'failed', error: (error as Error).message, value: (error as { value?: T }).value });
        } finally {
          session.close();
        }
      }),
    ),
  );
}

export function summarize(results: HostResult<unknown>[]): FleetSummary {
  const summary: FleetSummary = { ok: 0, changed: 0, failed: 0, unreachable: 0, skipped: 0 };
  for (const r of results) summary[r.status]++;
  return summary;
}
