import type { Document } from 'yaml';
import type { LoadedInventory } from '../base-command.js';
import { writeFileAtomically } from '../fs/atomic-write.js';
import { loadInventory } from '../inventory/load.js';
import { planInventoryEdit } from '../inventory/plan-edit.js';
import type { Server, ServerState } from '../inventory/schema.js';
import { serverIndex } from '../inventory/server-index.js';
import type { EnvFile } from '../secrets/env-file.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { writeProgress, type ReplaceProgress } from './progress.js';

export interface ReplaceEvents {
  /** One line of progress (a step's detail, a wait's tick). */
  note?(text: string): void;
}

/** What every replace step works with. The inventory is read again for each step: earlier steps change it. */
export interface ReplaceContext {
  file: string;
  env: EnvFile;
  progress: ReplaceProgress;
  audit: { identity: string; command: string };
  events: ReplaceEvents;
  connectTimeout?: number;
}

export async function currentInventory(ctx: Pick<ReplaceContext, 'file'>): Promise<LoadedInventory> {
  const result = await loadInventory(ctx.file);
  if (!result.ok) throw new WeclickError(`${ctx.file} is invalid now; fix it, then run weclick replace --resume`, { exitCode: EXIT.badInput, details: result.problems.map((p) => p.message) });
  return result;
}

export function serverNamed(loaded: LoadedInventory, name: string): Server {
  const server = loaded.inventory.servers.find((s) => s.name === name);
  if (!server) throw new WeclickError(`${name} is no longer in ${loaded.file}; the replace cannot go on (weclick replace --abort)`, { exitCode: EXIT.badInput });
  return server;
}

/** Applies an edit to the inventory file (atomic write, formatting kept); false when it was already so. */
export async function editInventory(ctx: Pick<ReplaceContext, 'file'>, change: (doc: Document) => void): Promise<boolean> {
  const plan = planInventoryEdit(await currentInventory(ctx), change);
  if (plan.changed) await writeFileAtomically(plan.file, plan.after);
  return plan.changed;
}

/** Sets servers' states in a document (for editInventory, or for an inventory computed in memory). */
export const setStates = (states: Record<string, ServerState>) => (doc: Document) => {
  for (const [name, state] of Object.entries(states)) doc.setIn(['servers', serverIndex(doc, name), 'state'], state);
};

/** The inventory as it would be after an edit, not written (to provision towards a state before writing it). */
export async function inventoryAfter(ctx: Pick<ReplaceContext, 'file'>, change: (doc: Document) => void): Promise<LoadedInventory> {
  return planInventoryEdit(await currentInventory(ctx), change).result;
}

export async function saveProgress(ctx: ReplaceContext): Promise<void> {
  await writeProgress(ctx.file, ctx.progress);
}

export const note = (ctx: ReplaceContext, text: string) => ctx.events.note?.(text);

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}
