// The step runner behind `replace`, `--resume` and `--abort`, with steps that record what they were asked to do.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReplaceContext } from '../../../src/replace/context.js';
import { lockReplace, progressPath, readProgress, type ReplaceProgress } from '../../../src/replace/progress.js';
import { abortSteps, runSteps } from '../../../src/replace/run.js';
import type { ReplaceStep } from '../../../src/replace/step.js';
import { WeclickError } from '../../../src/ui/errors.js';

function world(failAt?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'weclick-replace-run-'));
  // No fleet.cloudflare: the DNS sync at the end of an abort has nothing to do.
  const file = join(dir, 'weclick.yaml');
  writeFileSync(file, 'fleet:\n  domain: weclick.tech\nservers: []\n');
  const log: string[] = [];
  const step = (id: string, extra: Partial<ReplaceStep> = {}): ReplaceStep => ({
    id,
    title: `do ${id}`,
    run: async () => {
      log.push(`run ${id}`);
      if (id === failAt) throw new Error(`${id} broke`);
      return `${id} ok`;
    },
    undo: async () => (log.push(`undo ${id}`), `${id} undone`),
    ...extra,
  });
  const steps = [step('stage'), step('provision-new'), step('switch'), step('retire-old', { noReturn: true, undo: undefined })];
  const progress: ReplaceProgress = {
    version: 1, kind: 'worker', old: 'srv1', new: 'srv6', startedAt: '2026-11-26T00:00:00Z', by: 'test',
    options: { deadlineMs: 1000, threshold: 0, healthTimeoutMs: 1000 }, phase: 'running', steps: steps.map((s) => ({ id: s.id, status: 'pending' })), data: {},
  };
  const ctx: ReplaceContext = { file, env: { path: join(dir, '.env'), exists: false, values: {} }, progress, audit: { identity: 't', command: 'weclick replace' }, events: {} };
  return { dir, file, log, steps, ctx };
}

describe('runSteps', () => {
  it('runs every step in order and removes the record when all are done', async () => {
    const w = world();
    const reports = await runSteps(w.ctx, w.steps);
    expect(w.log).toEqual(['run stage', 'run provision-new', 'run switch', 'run retire-old']);
    expect(reports.map((r) => `${r.id}:${r.status}`)).toEqual(['stage:done', 'provision-new:done', 'switch:done', 'retire-old:done']);
    expect(existsSync(progressPath(w.file))).toBe(false);
  });

  it('a failing step keeps the record (that step "running"); a resume skips what is done and runs it again', async () => {
    const w = world('switch');
    const error = await runSteps(w.ctx, w.steps).catch((e) => e);
    expect(error).toBeInstanceOf(WeclickError);
    expect(error.message).toBe('step 3/4 (switch) failed: switch broke. The fleet keeps serving as it is; fix the cause, then weclick replace --resume (or --abort)');
    const saved = await readProgress(w.file);
    expect(saved!.steps.map((s) => `${s.id}:${s.status}`)).toEqual(['stage:done', 'provision-new:done', 'switch:running', 'retire-old:pending']);

    const again = world();
    const resumed = await runSteps({ ...again.ctx, file: w.file, progress: saved! }, again.steps);
    expect(again.log).toEqual(['run switch', 'run retire-old']);
    expect(resumed.filter((r) => r.status === 'skipped').map((r) => r.id)).toEqual(['stage', 'provision-new']);
  });
});

describe('abortSteps', () => {
  it('takes back what ran (the interrupted step too), last first, and removes the record', async () => {
    const w = world('switch');
    await runSteps(w.ctx, w.steps).catch(() => undefined);
    w.log.length = 0;
    const reports = await abortSteps(w.ctx, w.steps);
    expect(w.log).toEqual(['undo switch', 'undo provision-new', 'undo stage']);
    expect(reports.map((r) => r.id)).toEqual(['switch', 'provision-new', 'stage']);
    expect(existsSync(progressPath(w.file))).toBe(false);
  });

  it('is refused once the point of no return has started, and changes nothing', async () => {
    const w = world('retire-old');
    await runSteps(w.ctx, w.steps).catch(() => undefined);
    const before = readFileSync(progressPath(w.file), 'utf8');
    w.log.length = 0;
    const error = await abortSteps(w.ctx, w.steps).catch((e) => e);
    expect(error.message).toBe('too late to abort: srv1 is already out of service (step retire-old); finish with weclick replace --resume');
    expect(error.exitCode).toBe(4);
    expect(w.log).toEqual([]);
    expect(readFileSync(progressPath(w.file), 'utf8')).toBe(before);
  });
});

describe('the replace record', () => {
  it('a damaged record is one line naming the file, never a stack', async () => {
    const w = world();
    writeFileSync(progressPath(w.file), '{"version": 1, "kind": "worker"');
    await expect(readProgress(w.file)).rejects.toThrow(`${progressPath(w.file)} is not valid JSON: the replace record is damaged`);
    writeFileSync(progressPath(w.file), JSON.stringify({ ...w.ctx.progress, kind: 'outline' }));
    await expect(readProgress(w.file)).rejects.toThrow(/weclick\.replace\.json: kind: .*the replace record is damaged/);
  });
});

describe('one replace at a time', () => {
  it('a second command is refused while the first holds the lock; a lock left by a killed process is taken over', async () => {
    const w = world();
    const release = await lockReplace(w.file);
    const lockFile = progressPath(w.file).replace(/\.json$/, '.lock');
    // Another live process holds it (this test's parent stands in for it).
    writeFileSync(lockFile, `${process.ppid}\n`);
    const refused = await lockReplace(w.file).catch((e) => e);
    expect(refused.message).toMatch(new RegExp(`another weclick replace \\(pid ${process.ppid}\\) is working on this fleet`));
    expect(refused.exitCode).toBe(4);
    // A pid that no longer exists: taken over.
    writeFileSync(lockFile, '2147483646\n');
    const again = await lockReplace(w.file);
    expect(readFileSync(lockFile, 'utf8')).toBe(`${process.pid}\n`);
    await again();
    expect(existsSync(lockFile)).toBe(false);
    await release();
  });
});
