// The record of a replace in progress, beside the inventory: which steps are done, so `--resume` continues where
// a run stopped and `--abort` knows what to undo. Written atomically after every step.
import { readFile, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import * as z from 'zod';
import { writeFileAtomically } from '../fs/atomic-write.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { processAlive as alive } from '../fs/process-alive.js';

export const REPLACE_KINDS = ['worker', 'entry', 'management'] as const;
export type ReplaceKind = (typeof REPLACE_KINDS)[number];

const stepRecord = z.object({
  id: z.string(),
  status: z.enum(['pending', 'running', 'done', 'undone']),
  at: z.string().optional(),
});

const progressSchema = z.object({
  version: z.literal(1),
  kind: z.enum(REPLACE_KINDS),
  old: z.string(),
  new: z.string(),
  startedAt: z.string(),
  by: z.string(),
  /** How NEW looked before the replace (absent: the replace added it). */
  newBefore: z.object({ state: z.string(), roles: z.array(z.string()) }).optional(),
  options: z.object({ deadlineMs: z.number(), threshold: z.number().int().min(0), healthTimeoutMs: z.number() }),
  phase: z.enum(['running', 'aborting']),
  steps: z.array(stepRecord),
  /** What later steps and the undo need: the backup id, accounts created, workers re-pointed. */
  data: z.object({
    backupId: z.string().optional(),
    accountCreated: z.boolean().optional(),
    oldFrozen: z.boolean().optional(),
    repointed: z.array(z.string()).optional(),
  }),
});

export type ReplaceProgress = z.infer<typeof progressSchema>;
export type StepStatus = ReplaceProgress['steps'][number]['status'];

/** weclick.yaml → weclick.replace.json in the same folder. */
export function progressPath(inventoryFile: string): string {
  return join(dirname(inventoryFile), `${basename(inventoryFile, extname(inventoryFile))}.replace.json`);
}

export async function readProgress(inventoryFile: string): Promise<ReplaceProgress | undefined> {
  const file = progressPath(inventoryFile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new WeclickError(`${file} is not valid JSON: the replace record is damaged; fix or remove it (it only records which steps are done)`, { exitCode: EXIT.badInput });
  }
  const parsed = progressSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new WeclickError(`${file}: ${issue.path.join('.') || '(top)'}: ${issue.message}; the replace record is damaged`, { exitCode: EXIT.badInput });
  }
  return parsed.data;
}

export async function writeProgress(inventoryFile: string, progress: ReplaceProgress): Promise<void> {
  await writeFileAtomically(progressPath(inventoryFile), `${JSON.stringify(progress, null, 2)}\n`, 0o600);
}

export async function removeProgress(inventoryFile: string): Promise<void> {
  await rm(progressPath(inventoryFile), { force: true });
}

export function stepStatus(progress: ReplaceProgress, id: string): StepStatus {
  return progress.steps.find((s) => s.id === id)?.status ?? 'pending';
}

export function markStep(progress: ReplaceProgress, id: string, status: StepStatus): void {
  const record = progress.steps.find((s) => s.id === id);
  if (record) Object.assign(record, { status, at: new Date().toISOString() });
  else progress.steps.push({ id, status, at: new Date().toISOString() });
}

/**
 * One replace command at a time per inventory: an exclusive lock file beside the record, holding our pid. A lock
 * whose process is gone (killed) is taken over. Returns the release function.
 */
export async function lockReplace(inventoryFile: string): Promise<() => Promise<void>> {
  const { open, readFile: read, rm: remove } = await import('node:fs/promises');
  const file = progressPath(inventoryFile).replace(/\.json$/, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => remove(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await read(file, 'utf8').catch(() => '')).trim());
      if (pid > 0 && pid !== process.pid && alive(pid)) {
        throw new WeclickError(`another weclick replace (pid ${pid}) is working on this fleet; wait for it, or stop it first (${file})`, { exitCode: EXIT.refused });
      }
      await remove(file, { force: true });
    }
  }
  throw new WeclickError(`cannot take ${file}`, { exitCode: EXIT.failed });
}
