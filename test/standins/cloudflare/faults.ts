// Scripted failures for tests: rate limits, server errors and slow answers.
import type { Fault, FaultMatch } from './types.js';

interface QueuedFault {
  fault: Fault;
  remaining: number;
  match?: FaultMatch;
}

export class FaultQueue {
  private queue: QueuedFault[] = [];

  add(fault: Fault, times: number, match?: FaultMatch): void {
    if (!Number.isInteger(times) || times < 1) throw new Error(`fail(): times must be a positive integer, got ${times}`);
    this.queue.push({ fault, remaining: times, match });
  }

  /** The first queued fault that matches this request, consuming one use of it. */
  take(method: string, path: string): Fault | undefined {
    const entry = this.queue.find((q) => matches(q.match, method, path));
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.queue.splice(this.queue.indexOf(entry), 1);
    return entry.fault;
  }
}

function matches(match: FaultMatch | undefined, method: string, path: string): boolean {
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== method) return false;
  return !match.pathIncludes || path.includes(match.pathIncludes);
}
