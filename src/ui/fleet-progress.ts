import type { HostResult, RunnerEvents } from '../remote/runner.js';
import { colorsFor } from './colors.js';
import { redact } from './redact.js';

const MARK: Record<HostResult<unknown>['status'], string> = { ok: 'ok', changed: 'changed', failed: 'FAILED', unreachable: 'UNREACHABLE', skipped: 'skipped' };

export interface FleetProgress<T> {
  events: RunnerEvents<T>;
  /** Waits for the progress display to finish drawing. */
  finished(): Promise<void>;
}

/**
 * Progress for a fleet run, on stderr so stdout stays clean for results and --json. On a
 * terminal, a listr2 task per host; without one (CI, pipes, cron), one plain line per host as it
 * finishes, prefixed with the host's name. Silent under --json. The exit code is computed by the
 * caller from the results, never by listr2.
 */
export async function fleetProgress<T>(hosts: string[], options: { json: boolean; title: string }): Promise<FleetProgress<T>> {
  if (options.json) return { events: {}, finished: async () => {} };
  if (process.stderr.isTTY && !process.env.CI) return listrProgress<T>(hosts, options.title);
  const c = colorsFor(process.stderr);
  const paint = { ok: c.green, changed: c.yellow, failed: c.red, unreachable: c.red, skipped: c.dim };
  return {
    events: {
      onResult(result) {
        process.stderr.write(redact(`${result.host}: ${paint[result.status](MARK[result.status])} (${seconds(result)})${result.error ? `: ${result.error}` : ''}\n`));
      },
    },
    finished: async () => {},
  };
}

async function listrProgress<T>(hosts: string[], title: string): Promise<FleetProgress<T>> {
  const { Listr } = await import('listr2');
  const settle = new Map<string, (result: HostResult<T>) => void>();
  const waits = new Map(hosts.map((h) => [h, new Promise<HostResult<T>>((resolve) => settle.set(h, resolve))]));
  const list = new Listr(
    hosts.map((host) => ({
      title: host,
      task: async (_: unknown, task: { title: string; skip(message: string): void }) => {
        const result = await waits.get(host)!;
        task.title = redact(`${host}: ${MARK[result.status]} (${seconds(result)})${result.error ? ` — ${result.error}` : ''}`);
        if (result.status === 'failed' || result.status === 'unreachable') throw new Error(task.title);
        if (result.status === 'skipped') task.skip(task.title);
      },
    })),
    { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false }, registerSignalListeners: false },
  );
  const running = list.run().catch(() => undefined);
  return {
    events: { onResult: (result) => settle.get(result.host)?.(result) },
    finished: async () => void (await running),
  };
  void title;
}

const seconds = (r: HostResult<unknown>) => `${(r.durationMs / 1000).toFixed(2)}s`;
