import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import type { LoadResult } from './inventory/load.js';
import type { Inventory } from './inventory/schema.js';
import type { InventoryEditPlan } from './inventory/plan-edit.js';
import { formatProblem } from './inventory/problems.js';
import { colorsFor } from './ui/colors.js';
import { confirmChange } from './ui/confirm.js';
import { WeclickError } from './ui/errors.js';
import { EXIT } from './ui/exit-codes.js';
import { escapeUnsafe, oneLineMessage, type ParseErrorShape } from './ui/one-line.js';
import { redact, redactValue } from './ui/redact.js';

export type LoadedInventory = Extract<LoadResult, { ok: true }>;

/**
 * What every weclick command shares: --inventory, --json, error rendering and exit codes.
 * Subclasses parse flags, call the domain and render; nothing below commands/ prints.
 */
export abstract class WeclickCommand extends Command {
  static enableJsonFlag = true;

  static baseFlags = {
    inventory: Flags.string({
      char: 'i',
      env: 'WECLICK_INVENTORY',
      default: 'weclick.yaml',
      helpGroup: 'GLOBAL',
      summary: 'Inventory file (env WECLICK_INVENTORY).',
    }),
  };

  /** Exit code used when the inventory cannot be read (monitoring commands use 3 = UNKNOWN). */
  protected badInputExitCode: number = EXIT.badInput;
  /** Exit code used for bad flags or arguments. */
  protected usageExitCode: number = EXIT.usage;

  protected get colors() {
    return colorsFor(process.stdout);
  }

  protected async inventory(file: string): Promise<LoadedInventory> {
    // Loaded lazily: yaml and zod are most of a read-only command's start-up (see readInventory).
    const { loadInventory } = await import('./inventory/load.js');
    const result = await loadInventory(file);
    if (result.ok) {
      const { writeCachedInventory } = await import('./inventory/cache.js');
      await writeCachedInventory(file, result.text, this.config.version, result.inventory);
      return result;
    }
    const [only] = result.problems;
    // A file-level problem (missing, unreadable, not UTF-8) is the whole story: say it in one line.
    if (result.problems.length === 1 && only && only.line === undefined) {
      throw new WeclickError(`${file}: ${only.message}`, { exitCode: this.badInputExitCode, data: { problems: result.problems } });
    }
    throw new WeclickError(`${file}: the inventory has ${result.problems.length} problem(s); nothing was changed`, {
      exitCode: this.badInputExitCode,
      details: result.problems.map(formatProblem),
      data: { problems: result.problems },
    });
  }

  /**
   * The validated inventory for commands that only read it: served from the cache when the file's
   * bytes are unchanged since the last full validation, else validated in full (and cached).
   */
  protected async readInventory(file: string): Promise<{ inventory: Inventory; file: string }> {
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(file).catch(() => undefined);
    if (bytes) {
      const { readCachedInventory } = await import('./inventory/cache.js');
      const cached = await readCachedInventory(file, bytes, this.config.version);
      if (cached) return { inventory: cached, file };
    }
    return this.inventory(file);
  }

  /** Prints human output (never under --json), with every known secret redacted. */
  protected say(text = ''): void {
    if (!this.jsonEnabled()) process.stdout.write(`${redact(text)}\n`);
  }

  /** Prints a note on stderr: progress and warnings that must not pollute piped stdout. */
  protected note(text: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${redact(text)}\n`);
  }

  /** Shows an inventory edit as a diff, asks unless --yes, then writes it atomically. */
  protected async commitInventoryEdit(plan: InventoryEditPlan, options: { yes: boolean; dryRun: boolean }): Promise<{ applied: boolean; diff: string }> {
    if (!plan.changed) {
      this.say('No change: the inventory already says so.');
      return { applied: false, diff: '' };
    }
    this.say(this.colorDiff(plan.diff));
    if (options.dryRun) {
      this.say('\nDry run: nothing was written.');
      return { applied: false, diff: plan.diff };
    }
    await confirmChange(`Write these changes to ${plan.file}?`, { yes: options.yes });
    const { writeFileAtomically } = await import('./fs/atomic-write.js');
    await writeFileAtomically(plan.file, plan.after);
    this.say(`\nWrote ${plan.file}.`);
    return { applied: true, diff: plan.diff };
  }

  protected colorDiff(diff: string): string {
    const c = this.colors;
    return diff
      .split('\n')
      .map((line) => (line.startsWith('+') && !line.startsWith('+++') ? c.green(line) : line.startsWith('-') && !line.startsWith('---') ? c.red(line) : line))
      .join('\n');
  }

  protected toSuccessJson(result: unknown): unknown {
    return redactValue(result);
  }

  async catch(error: Error & { exitCode?: number; oclif?: { exit?: number }; parse?: unknown }): Promise<unknown> {
    const code = exitCodeOf(error, this.usageExitCode);
    process.exitCode = code;
    // One line each, whatever value the message echoes (see ui/one-line.ts); secrets go before escaping changes them.
    const details = (error instanceof WeclickError ? error.details : []).map((d) => escapeUnsafe(redact(d)));
    const message = oneLineMessage({ ...(error as ParseErrorShape), message: redact(error.message) });
    if (this.jsonEnabled()) {
      const data = error instanceof WeclickError ? error.data : undefined;
      this.logJson(redactValue({ error: { message, exitCode: code, details, ...(data ?? {}) } }));
      return;
    }
    const red = colorsFor(process.stderr).red;
    const lines = [`${red('error')}: ${message}`, ...details.map((d) => `  ${d}`)];
    if (debugEnabled(process.env.DEBUG) && error.stack) lines.push(error.stack);
    process.stderr.write(`${redact(lines.join('\n'))}\n`);
  }
}

/** DEBUG=weclick, weclick*, weclick:* or * — the debug-module convention — shows stacks; other namespaces do not. */
function debugEnabled(debug: string | undefined): boolean {
  return (debug ?? '').split(/[\s,]+/).some((ns) => ns === '*' || /^weclick(\*|:.*)?$/.test(ns));
}

function exitCodeOf(error: { exitCode?: number; oclif?: { exit?: number }; parse?: unknown }, usage: number): number {
  if (error instanceof WeclickError) return error.exitCode;
  if (error.parse !== undefined) return usage;
  if (typeof error.oclif?.exit === 'number') return error.oclif.exit === 2 ? usage : error.oclif.exit;
  return EXIT.failed;
}
