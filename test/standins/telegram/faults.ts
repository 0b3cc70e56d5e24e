// Scripted failures for tests: 429 with retry_after, 5xx, a connection cut mid-upload, a slow answer.
import type { Fault, FaultMatch } from './types.js';

interface QueuedFault {
  fault: Fault;
  method?: string;
  skip: number;
  remaining: number;
}

export class FaultQueue {
  private queue: QueuedFault[] = [];

  add(fault: Fault, match: FaultMatch = {}): void {
    const times = match.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`fail(): times must be a positive integer, got ${times}`);
    this.queue.push({ fault, method: match.method?.toLowerCase(), skip: match.skip ?? 0, remaining: times });
  }

  get size(): number {
    return this.queue.length;
  }

  /** The first queued fault matching this method; requests it lets through (skip) are counted down. */
  take(method: string): Fault | undefined {
    const lower = method.toLowerCase();
    for (const entry of this.queue) {
      if (entry.method && entry.method !== lower) continue;
      if (entry.skip > 0) {
        entry.skip -= 1;
        return undefined;
      }
      entry.remaining -= 1;
      if (entry.remaining === 0) this.queue.splice(this.queue.indexOf(entry), 1);
      return entry.fault;
    }
    return undefined;
  }
}
