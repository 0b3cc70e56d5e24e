import { WeclickError } from './errors.js';
import { EXIT } from './exit-codes.js';

/**
 * Asks before a change. --yes skips the question; without a terminal to ask on, we refuse rather
 * than guess (exit 4), so a cron job never changes anything it was not told to.
 */
export async function confirmChange(question: string, options: { yes: boolean }): Promise<void> {
  if (options.yes) return;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new WeclickError('not applied: no terminal to confirm on; re-run with --yes to apply the plan above', { exitCode: EXIT.refused });
  }
  const { default: inquirer } = await import('inquirer');
  const { ok } = await inquirer.prompt<{ ok: boolean }>([{ type: 'confirm', name: 'ok', message: question, default: false }], {
    output: process.stderr,
  } as never);
  if (!ok) throw new WeclickError('not applied: declined', { exitCode: EXIT.refused });
}
