// Crash anywhere, converge after (issue 9, item 2): each command of crash-targets.ts is run once uninterrupted
// (to measure it), then SIGKILLed (its whole process group) at points spread evenly and at random over that run,
// on given output lines and when given files appear. After each kill: nothing torn or duplicated; then the same
// command is run again to its end and the world must have converged. Stand-ins are named in each crash-*.ts.
import { describe, expect, it } from 'vitest';
import { fleet } from '../fleet/harness.js';
import { tryKillPoints, type KillPointResult } from './crash-loop.js';
import { CRASH_TARGETS } from './crash-targets.js';
import { recordFigure, SCALE } from './figures.js';

describe('crash anywhere, converge after', () => {
  it(`SIGKILL at many points of ${CRASH_TARGETS.map((t) => t.command).join(', ')}; every rerun converges`, async () => {
    fleet(); // the real test fleet, or a clear failure
    const results: KillPointResult[] = [];
    const timings: string[] = [];
    for (const target of CRASH_TARGETS) {
      const outcome = await tryKillPoints(target, (line) => console.log(line));
      results.push(...outcome.points);
      const landed = outcome.points.filter((p) => p.landed).length;
      timings.push(`${target.command} ${landed}/${outcome.points.length} (run ${(outcome.baselineMs / 1000).toFixed(1)} s)`);
    }
    const landed = results.filter((p) => p.landed);
    const failures = results.filter((p) => p.problems.length > 0);
    recordFigure({
      id: 'crash',
      promise: 'Crash anywhere, converge after',
      tried: landed.length,
      unit: 'kill points',
      failed: failures.length,
      detail: `SIGKILL landed mid-run / kill points per command: ${timings.join('; ')}; a failure is any torn file, torn inventory or catalog, duplicated user or backup part, half-applied DNS batch, leftover temp file or lock, or a rerun that does not converge`,
    });
    // Every command must actually have been killed in the middle, or the figure proves nothing.
    for (const target of CRASH_TARGETS) expect(landed.filter((p) => p.command === target.command).length, `kills that landed in ${target.command}`).toBeGreaterThan(0);
    expect(failures.map((f) => `${f.command} ${f.trigger}: ${f.problems.join('; ')}`), `failures (${SCALE} size)`).toEqual([]);
  }, 900_000);
});
