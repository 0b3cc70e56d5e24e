// What the crash-converge suite needs to know about one command: how to set its world up and back, and what
// "torn" and "converged" mean for it. One entry per command in crash-targets.ts.
import type { KilledRun, KillTrigger } from './crash-process.js';

export interface CrashWorld {
  /** The command line, run the same way for the measured run, every killed run and every rerun. */
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Output lines worth a kill point of their own: the run is killed as soon as one appears. */
  lines: RegExp[];
  /** More kill points of its own: a file appearing (a lock taken, an atomic write under way), a line plus a delay. */
  events?: KillTrigger[];
  /** Puts the world back where an uninterrupted run starts, so each kill lands in real work. */
  reset(): Promise<void>;
  /** Runs the command again to its end (default: once, as `args`): e.g. waiting out someone else's lock. */
  rerun?(): Promise<KilledRun>;
  /** Right after a kill (the process is gone): what is torn or duplicated now. */
  afterKill(killed: KilledRun): Promise<string[]>;
  /** What the kill left, in a few words, for the log (e.g. "2 of 4 batches applied"). */
  observe?(): Promise<string>;
  /** After the rerun: what did not converge (the rerun's own exit status included). */
  converged(rerun: KilledRun): Promise<string[]>;
  close(): Promise<void>;
}

export interface CrashTarget {
  /** The command, as the figure lists it: `provision`, `users import`, … */
  command: string;
  /** Kill points spread evenly and at random over an uninterrupted run: [ci, full] each. */
  even: [number, number];
  random: [number, number];
  /** Also kill on each of the world's `events` and `lines`, in that order (at full size; at CI size only the first `ciEvents`). */
  ciEvents?: number;
  open(): Promise<CrashWorld>;
}
