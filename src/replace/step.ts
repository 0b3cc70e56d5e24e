import type { ReplaceContext } from './context.js';

/** One step of a replace: safe to run again after an interruption; `undo` returns towards the old server. */
export interface ReplaceStep {
  id: string;
  /** The plan line. */
  title: string;
  /** Does the step; returns one line saying what it found or did. */
  run(ctx: ReplaceContext): Promise<string>;
  /** Takes the step back for --abort; absent when there is nothing to take back. */
  undo?(ctx: ReplaceContext): Promise<string>;
  /** Once this step has started, --abort is refused: the old server is gone from service. */
  noReturn?: boolean;
}
