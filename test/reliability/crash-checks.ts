// Checks shared by the crash-converge targets: the inventory and the files beside it after a SIGKILL.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadInventory } from '../../src/inventory/load.js';

/** The inventory still loads and holds one of the allowed texts (before, or fully after, the command's edit). */
export async function inventoryProblems(file: string, allowed: string[]): Promise<string[]> {
  const text = readFileSync(file, 'utf8');
  const problems: string[] = [];
  if (!allowed.includes(text)) problems.push(`inventory ${file} is neither the text before nor the text after the command (${text.length} bytes)`);
  const loaded = await loadInventory(file);
  if (!loaded.ok) problems.push(`inventory ${file} no longer loads`);
  return problems;
}

/**
 * Files an interrupted write or lock left beside the inventory: temp files of atomic writes (.NAME.weclick-….tmp,
 * and write-file-atomic's NAME.<digits> of earlier versions), and, once a command has run to its end, *.lock files.
 */
export function localLeftovers(file: string, options: { locks?: boolean } = {}): string[] {
  return readdirSync(dirname(file))
    .filter((name) => /\.\d{6,}$/.test(name) || name.endsWith('.tmp') || (options.locks && name.endsWith('.lock')))
    .map((name) => `${dirname(file)}/${name} left behind`);
}

/** The last lines of a run's output, for a failure message. */
export function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}
