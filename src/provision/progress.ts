import type { HostResult, RunnerEvents } from '../remote/runner.js';
import type { ApplyEvents, HostApplyResult } from './apply.js';

/** Adapts apply events to the fleet progress display (one line or task per host). */
export function applyEventsFor(progress: RunnerEvents<unknown>, extra: ApplyEvents = {}): ApplyEvents {
  const started = new Map<string, number>();
  return {
    onHostStart(host) {
      started.set(host, Date.now());
      progress.onStart?.(host);
      extra.onHostStart?.(host);
    },
    onStep: extra.onStep,
    onHostDone(result: HostApplyResult) {
      const status: HostResult<unknown>['status'] = result.status;
      progress.onResult?.({ host: result.host, status, error: result.error, durationMs: Date.now() - (started.get(result.host) ?? Date.now()) });
      extra.onHostDone?.(result);
    },
  };
}
