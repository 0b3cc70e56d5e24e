import type { Document } from 'yaml';
import { unifiedDiff } from '../plan/file-diff.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { formatProblem } from './problems.js';
import { keepOriginalLines } from './keep-formatting.js';
import { parseInventory, type LoadResult } from './load.js';

type Loaded = Extract<LoadResult, { ok: true }>;

export interface InventoryEditPlan {
  file: string;
  before: string;
  after: string;
  diff: string;
  changed: boolean;
  result: Loaded;
}

/**
 * Applies an edit to a copy of the YAML document (comments, key order and formatting survive),
 * and validates the whole result. Nothing is written here: the caller shows the diff, asks,
 * then writes `after` atomically.
 */
export function planInventoryEdit(loaded: Loaded, change: (doc: Document) => void): InventoryEditPlan {
  const doc = loaded.doc.clone();
  change(doc);
  const after = keepOriginalLines(loaded.text, print(loaded.doc), print(doc));
  const result = parseInventory(after, loaded.file);
  if (!result.ok) {
    throw new WeclickError('the change would make the inventory invalid; nothing was written', {
      exitCode: EXIT.badInput,
      details: result.problems.map((p) => formatProblem({ ...p, file: `${p.file} (after the change)` })),
      data: { problems: result.problems },
    });
  }
  return { file: loaded.file, before: loaded.text, after, diff: unifiedDiff(loaded.file, loaded.text, after), changed: after !== loaded.text, result };
}

function print(doc: Document): string {
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
