// Runs a replace's steps in order, recording each in the progress file, and takes them back for --abort.
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { saveProgress, type ReplaceContext } from './context.js';
import { syncDns } from './operations.js';
import { markStep, removeProgress, stepStatus } from './progress.js';
import type { ReplaceStep } from './step.js';

export interface StepEvents {
  onStart?(step: ReplaceStep, index: number): void;
  onDone?(step: ReplaceStep, index: number, detail: string, skipped: boolean): void;
  onFailed?(step: ReplaceStep, index: number, error: Error): void;
}

export interface StepReport {
  id: string;
  title: string;
  status: 'done' | 'skipped' | 'undone';
  detail: string;
}

/** Every step not yet done, in order; the progress file says which after each. Removed when all are done. */
export async function runSteps(ctx: ReplaceContext, steps: ReplaceStep[], events: StepEvents = {}): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (const [index, step] of steps.entries()) {
    if (stepStatus(ctx.progress, step.id) === 'done') {
      const report: StepReport = { id: step.id, title: step.title, status: 'skipped', detail: 'done in an earlier run' };
      reports.push(report);
      events.onDone?.(step, index, report.detail, true);
      continue;
    }
    events.onStart?.(step, index);
    markStep(ctx.progress, step.id, 'running');
    await saveProgress(ctx);
    let detail: string;
    try {
      detail = await step.run(ctx);
    } catch (error) {
      events.onFailed?.(step, index, error as Error);
      throw stopped(step, index, steps.length, error as Error);
    }
    markStep(ctx.progress, step.id, 'done');
    await saveProgress(ctx);
    reports.push({ id: step.id, title: step.title, status: 'done', detail });
    events.onDone?.(step, index, detail, false);
  }
  await removeProgress(ctx.file);
  return reports;
}

function stopped(step: ReplaceStep, index: number, total: number, error: Error): WeclickError {
  const exitCode = error instanceof WeclickError ? error.exitCode : EXIT.failed;
  const details = error instanceof WeclickError ? error.details : [];
  return new WeclickError(`step ${index + 1}/${total} (${step.id}) failed: ${error.message}. The fleet keeps serving as it is; fix the cause, then weclick replace --resume (or --abort)`, {
    exitCode: exitCode === EXIT.ok ? EXIT.failed : exitCode,
    details,
  });
}

/** Refuses (exit 4) once the first step past which there is no way back has started. */
export function assertAbortable(ctx: ReplaceContext, steps: ReplaceStep[]): void {
  const gone = steps.find((s) => s.noReturn && stepStatus(ctx.progress, s.id) !== 'pending');
  if (gone) {
    throw new WeclickError(`too late to abort: ${ctx.progress.old} is already out of service (step ${gone.id}); finish with weclick replace --resume`, { exitCode: EXIT.refused });
  }
}

/** The steps that ran (the interrupted one too), in the order they ran. */
export function stepsThatRan(ctx: ReplaceContext, steps: ReplaceStep[]): ReplaceStep[] {
  return steps.filter((step) => ['done', 'running'].includes(stepStatus(ctx.progress, step.id)));
}

/** Takes back the steps that ran, last first, then lets DNS follow the inventory again. */
export async function abortSteps(ctx: ReplaceContext, steps: ReplaceStep[], events: StepEvents = {}): Promise<StepReport[]> {
  assertAbortable(ctx, steps);
  ctx.progress.phase = 'aborting';
  await saveProgress(ctx);
  const reports: StepReport[] = [];
  const ran = stepsThatRan(ctx, steps).map((step) => ({ step, index: steps.indexOf(step) }));
  for (const { step, index } of ran.reverse()) {
    if (!step.undo) {
      markStep(ctx.progress, step.id, 'undone');
      continue;
    }
    events.onStart?.(step, index);
    let detail: string;
    try {
      detail = await step.undo(ctx);
    } catch (error) {
      events.onFailed?.(step, index, error as Error);
      throw new WeclickError(`undoing ${step.id} failed: ${(error as Error).message}; fix the cause and run weclick replace --abort again`, { exitCode: EXIT.failed });
    }
    markStep(ctx.progress, step.id, 'undone');
    await saveProgress(ctx);
    reports.push({ id: step.id, title: step.title, status: 'undone', detail });
    events.onDone?.(step, index, detail, false);
  }
  if (ran.some(({ step }) => step.id.startsWith('dns-'))) reports.push({ id: 'dns', title: 'DNS back to the inventory', status: 'undone', detail: await syncDns(ctx) });
  await removeProgress(ctx.file);
  return reports;
}
