// The crash-converge loop for one target: measure an uninterrupted run, then for each kill point put the world
// back, start the command, SIGKILL it at that point, look for torn state, rerun it to its end, check convergence.
import { sized, SCALE } from './figures.js';
import { describeTrigger, runAndKill, runTimed, type KillTrigger } from './crash-process.js';
import { tail } from './crash-checks.js';
import type { CrashTarget } from './crash-target.js';

export interface KillPointResult {
  command: string;
  trigger: string;
  /** Whether the kill landed while the command ran (false: it had ended first; not counted as a kill point). */
  landed: boolean;
  atMs: number;
  problems: string[];
}

export interface TargetOutcome {
  command: string;
  baselineMs: number;
  points: KillPointResult[];
}

/** Kill points over a run of `durationMs`: evenly spread, at random, then the given events (lines, files). */
export function killPoints(durationMs: number, even: number, random: number, events: KillTrigger[], rng: () => number = Math.random): KillTrigger[] {
  const points: KillTrigger[] = [];
  for (let i = 1; i <= even; i++) points.push({ afterMs: Math.round((durationMs * i) / (even + 1)) });
  for (let i = 0; i < random; i++) points.push({ afterMs: Math.round(durationMs * (0.02 + 0.96 * rng())) });
  return [...points, ...events];
}

export async function tryKillPoints(target: CrashTarget, log: (text: string) => void = () => undefined): Promise<TargetOutcome> {
  const opened = Date.now();
  const world = await target.open();
  try {
    const run = { env: world.env, cwd: world.cwd };
    // The uninterrupted run: its length spreads the kill points. At full size it must pass the checks too (at CI size
    // every rerun after a kill is checked the same way, so this only saves time).
    await world.reset();
    const baseline = await runTimed(world.args, run);
    const baseProblems = SCALE === 'full' ? await world.converged(baseline) : baseline.code === 0 ? [] : [`exit ${baseline.code}: ${tail(baseline.stderr)}`];
    if (baseProblems.length > 0) throw new Error(`${target.command}: an uninterrupted run does not converge: ${baseProblems.join('; ')}`);
    log(`${target.command}: uninterrupted run ${baseline.atMs} ms`);
    const all: KillTrigger[] = [...(world.events ?? []), ...world.lines.map((line) => ({ line }))];
    const events = SCALE === 'full' ? all : all.slice(0, target.ciEvents ?? 0);
    for (const event of events) {
      if ('line' in event && !baseline.lines.some((l) => event.line.test(l.line))) throw new Error(`${target.command}: the uninterrupted run never printed a line matching ${event.line} (output: ${tail(baseline.stdout + baseline.stderr)})`);
    }
    const triggers = killPoints(baseline.atMs, sized(...target.even), sized(...target.random), events);
    const points: KillPointResult[] = [];
    for (const trigger of triggers) {
      await world.reset();
      const killed = await runAndKill(world.args, trigger, run);
      const result: KillPointResult = { command: target.command, trigger: describeTrigger(trigger), landed: killed.killed, atMs: killed.atMs, problems: [] };
      if (killed.killed) result.problems.push(...(await world.afterKill(killed)).map((p) => `after the kill: ${p}`));
      const seen = killed.killed && world.observe ? ` (${await world.observe()})` : '';
      const rerun = world.rerun ? await world.rerun() : await runTimed(world.args, run);
      result.problems.push(...(await world.converged(rerun)).map((p) => `after the rerun: ${p}`));
      log(`${target.command} ${result.trigger}: ${killed.killed ? `killed at ${killed.atMs} ms${seen}` : `ended first (exit ${killed.code})`}, rerun ${rerun.atMs} ms${result.problems.length ? `: ${result.problems.join('; ')}` : ''}`);
      points.push(result);
    }
    log(`${target.command}: ${points.length} kill point(s) in ${Math.round((Date.now() - opened) / 1000)} s with setup`);
    return { command: target.command, baselineMs: baseline.atMs, points };
  } finally {
    await world.close();
  }
}
