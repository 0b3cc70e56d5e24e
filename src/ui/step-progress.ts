import { colorsFor } from './colors.js';
import { redact } from './redact.js';

/** What a step-by-step operation (a replace) reports as it goes. */
export interface StepProgressEvents {
  onStart?(step: { id: string; title: string }, index: number): void;
  onDone?(step: { id: string; title: string }, index: number, detail: string, skipped: boolean): void;
  onFailed?(step: { id: string; title: string }, index: number, error: Error): void;
}

export interface StepProgress {
  events: StepProgressEvents;
  /** A line of detail under the running step. */
  detail(text: string): void;
  finished(): Promise<void>;
}

/**
 * Progress of a sequence of steps on stderr. On a terminal, listr2 (one task per step, details under the running
 * one); without one (CI, pipes, cron), one plain line as each step starts and ends. Silent under --json.
 */
export async function stepProgress(steps: Array<{ id: string; title: string }>, options: { json: boolean }): Promise<StepProgress> {
  if (options.json) return { events: {}, detail: () => undefined, finished: async () => {} };
  if (process.stderr.isTTY && !process.env.CI) return listrSteps(steps);
  const c = colorsFor(process.stderr);
  const line = (text: string) => process.stderr.write(redact(`${text}\n`));
  const n = steps.length;
  return {
    events: {
      onStart: (step, i) => line(`[${i + 1}/${n}] ${step.title} …`),
      onDone: (step, i, detail, skipped) => line(`[${i + 1}/${n}] ${skipped ? c.dim('skipped') : c.green('done')}: ${detail}`),
      onFailed: (step, i, error) => line(`[${i + 1}/${n}] ${c.red('FAILED')}: ${error.message}`),
    },
    detail: (text) => line(`      ${text}`),
    finished: async () => {},
  };
}

async function listrSteps(steps: Array<{ id: string; title: string }>): Promise<StepProgress> {
  const { Listr } = await import('listr2');
  type Outcome = { detail: string; skipped: boolean } | { error: Error };
  const settle = new Map<string, (o: Outcome) => void>();
  const waits = new Map(steps.map((s) => [s.id, new Promise<Outcome>((resolve) => settle.set(s.id, resolve))]));
  let current: { output: string } | undefined;
  const list = new Listr(
    steps.map((step) => ({
      title: step.title,
      task: async (_: unknown, task: { title: string; output: string; skip(message: string): void }) => {
        current = task;
        const outcome = await waits.get(step.id)!;
        if ('error' in outcome) throw new Error(redact(outcome.error.message));
        task.title = redact(`${step.title}: ${outcome.detail}`);
        if (outcome.skipped) task.skip(task.title);
      },
    })),
    { exitOnError: true, rendererOptions: { collapseErrors: false }, registerSignalListeners: false },
  );
  const running = list.run().catch(() => undefined);
  return {
    events: {
      onDone: (step, _i, detail, skipped) => settle.get(step.id)?.({ detail, skipped }),
      onFailed: (step, _i, error) => settle.get(step.id)?.({ error }),
    },
    detail: (text) => {
      if (current) current.output = redact(text);
    },
    finished: async () => {
      // Steps never reached (a failure stopped the run) must not keep listr waiting.
      for (const resolve of settle.values()) resolve({ error: new Error('not run') });
      await running;
    },
  };
}
