// The built CLI as a child process in its own process group, SIGKILLed at a chosen moment: after a delay, as soon
// as a given line appears on its stdout or stderr, or when a given file appears (a lock taken, a temp file of an
// atomic write). Used by the crash-converge suite (issue 9, item 2).
import { spawn } from 'node:child_process';
import { existsSync, watch as watchDir, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { BIN, REPO, weclick, type CliResult } from '../helpers/cli.js';

/**
 * When to kill: `afterMs` from the spawn; once a line matches `line` (then `thenMs` later); or the moment a file
 * whose name matches `file` appears in `dir` (its `nth` appearance, if given).
 */
export type KillTrigger = { afterMs: number } | { line: RegExp; thenMs?: number } | { dir: string; file: RegExp; nth?: number };

export interface KilledRun {
  /** The process was still running when SIGKILL was sent (false: it ended on its own first). */
  killed: boolean;
  /** ms from the spawn to the kill (or to the exit). */
  atMs: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Give up (and kill) after this long even if the trigger never fired. */
  timeoutMs?: number;
}

export const describeTrigger = (trigger: KillTrigger): string =>
  'afterMs' in trigger
    ? `after ${trigger.afterMs} ms`
    : 'line' in trigger
      ? `on /${trigger.line.source}/${trigger.thenMs ? ` +${trigger.thenMs} ms` : ''}`
      : `when /${trigger.file.source}/ appears${trigger.nth ? ` (#${trigger.nth})` : ''}`;

/**
 * Several developers rebuild dist/ in this shared checkout: a run that started while dist/ was being rewritten
 * fails to load its own modules before doing anything. Such a run says nothing about weclick; it is run again.
 */
export const distMissing = (stderr: string): boolean => /ERR_MODULE_NOT_FOUND[\s\S]*\/dist\/|Cannot find module '[^']*\/dist\/|command [\w:]+ not found/.test(stderr);

const settle = () => new Promise((r) => setTimeout(r, 3000));

/** `weclick(...)`, run again (at most 5 times) when it could not load dist/. */
export async function weclickSteady(args: string[], options: Parameters<typeof weclick>[1] = {}): Promise<CliResult> {
  for (let attempt = 1; ; attempt++) {
    const result = await weclick(args, options);
    if (!distMissing(result.stderr) || attempt === 5) return result;
    await settle();
  }
}

function start(args: string[], options: RunOptions) {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so the kill takes anything it started too.
    detached: true,
  });
}

/**
 * Runs `weclick ...args` once and SIGKILLs its whole process group when the trigger fires. Resolves once the
 * process is gone. A trigger that never fires lets the run finish (killed: false).
 */
function runAndKillOnce(args: string[], trigger: KillTrigger, options: RunOptions = {}): Promise<KilledRun> {
  const started = Date.now();
  const child = start(args, options);
  let stdout = '';
  let stderr = '';
  let exited = false;
  let killedAt: number | undefined;
  const timers: NodeJS.Timeout[] = [];
  const kill = () => {
    if (exited || killedAt !== undefined) return;
    killedAt = Date.now() - started;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const onOutput = (text: string) => {
    if (!('line' in trigger) || killedAt !== undefined) return;
    if (text.split('\n').some((line) => trigger.line.test(line))) {
      if (trigger.thenMs) timers.push(setTimeout(kill, trigger.thenMs));
      else kill();
    }
  };
  child.stdout.on('data', (chunk: Buffer) => onOutput((stdout += chunk.toString('utf8'))));
  child.stderr.on('data', (chunk: Buffer) => onOutput((stderr += chunk.toString('utf8'))));
  child.once('exit', () => (exited = true));
  if ('afterMs' in trigger) timers.push(setTimeout(kill, trigger.afterMs));
  let watcher: FSWatcher | undefined;
  if ('file' in trigger) {
    let appearances = 0;
    watcher = watchDir(trigger.dir, (event, name) => {
      // inotify reports a creation (and a removal) as 'rename': count the ones that left the file there.
      if (event !== 'rename' || !name || !trigger.file.test(String(name)) || !existsSync(join(trigger.dir, String(name)))) return;
      if (++appearances >= (trigger.nth ?? 1)) kill();
    });
  }
  timers.push(setTimeout(kill, options.timeoutMs ?? 180_000));
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      timers.forEach(clearTimeout);
      watcher?.close();
      const killed = killedAt !== undefined && signal === 'SIGKILL';
      resolve({ killed, atMs: killed ? killedAt! : Date.now() - started, code, signal, stdout, stderr });
    });
  });
}

/** Runs `weclick ...args` once to its end, recording when each output line appeared (ms from the spawn). */
async function runTimedOnce(args: string[], options: RunOptions = {}): Promise<KilledRun & { lines: Array<{ atMs: number; line: string }> }> {
  const lines: Array<{ atMs: number; line: string }> = [];
  const started = Date.now();
  const child = start(args, options);
  let stdout = '';
  let stderr = '';
  const collect = (stream: NodeJS.ReadableStream, append: (text: string) => void) => {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      append(text);
      const parts = (partial + text).split('\n');
      partial = parts.pop()!;
      for (const line of parts) lines.push({ atMs: Date.now() - started, line });
    });
  };
  collect(child.stdout, (t) => (stdout += t));
  collect(child.stderr, (t) => (stderr += t));
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), options.timeoutMs ?? 180_000);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: false, atMs: Date.now() - started, code, signal, stdout, stderr, lines });
    });
  });
}

/** {@link runAndKillOnce}, started again when the run could not load dist/ (it ended before the kill). */
export async function runAndKill(args: string[], trigger: KillTrigger, options: RunOptions = {}): Promise<KilledRun> {
  for (let attempt = 1; ; attempt++) {
    const result = await runAndKillOnce(args, trigger, options);
    if (result.killed || !distMissing(result.stderr) || attempt === 5) return result;
    await settle();
  }
}

/** {@link runTimedOnce}, run again when it could not load dist/. */
export async function runTimed(args: string[], options: RunOptions = {}): Promise<KilledRun & { lines: Array<{ atMs: number; line: string }> }> {
  for (let attempt = 1; ; attempt++) {
    const result = await runTimedOnce(args, options);
    if (!distMissing(result.stderr) || attempt === 5) return result;
    await settle();
  }
}
