// Figures of the reliability suite (issue 9). Each test records what it tried and what failed; the test command
// and `npm run reliability` print them as one table (scripts/reliability-table.js).
import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `full` under `npm run reliability`; the reduced size otherwise (the test command, CI). */
export const SCALE: 'full' | 'ci' = process.env.WECLICK_RELIABILITY === 'full' ? 'full' : 'ci';

/** The number to use at this scale. */
export function sized(ci: number, full: number): number {
  return SCALE === 'full' ? full : ci;
}

export interface Figure {
  /** Short stable id, e.g. `secrets`, `crash`, `haproxy-load`, `fuzz`, `host-trust`, `permissions`. */
  id: string;
  /** What the figure proves, one line: "Secrets never leak". */
  promise: string;
  /** What was tried, counted: e.g. 212 command paths, 48 kill points, 1200 connections. */
  tried: number;
  unit: string;
  /** Failures of the promise found (the goal is 0). */
  failed: number;
  /** Optional detail: sizes, timings, what "failed" means. */
  detail?: string;
}

export function figuresFile(): string {
  return process.env.WECLICK_FIGURES ?? join(process.env.WECLICK_FLEET_DIR ?? tmpdir(), 'reliability.jsonl');
}

export function recordFigure(figure: Figure): void {
  appendFileSync(figuresFile(), `${JSON.stringify({ ...figure, scale: SCALE, at: new Date().toISOString() })}\n`);
}
