// POST /zones/{zone_id}/dns_records/batch: one transaction, run as deletes → patches → puts → posts.
import { cfErrors } from './errors.js';
import { toResponse } from './records.js';
import type { ZoneStore } from './store.js';
import type { RecordResponse } from './types.js';

const LISTS = ['deletes', 'patches', 'puts', 'posts'] as const;
type ListName = (typeof LISTS)[number];
type Item = Record<string, unknown>;

export function runBatch(
  store: ZoneStore,
  body: Record<string, unknown>,
  maxBatch: number,
  now: string,
): Partial<Record<ListName, RecordResponse[]>> {
  const lists = new Map<ListName, Item[]>();
  for (const name of LISTS) {
    const list = body[name];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))) {
      throw cfErrors.invalid(`${name} must be an array of objects`);
    }
    lists.set(name, list as Item[]);
  }
  const total = [...lists.values()].reduce((sum, list) => sum + list.length, 0);
  if (total > maxBatch) throw cfErrors.batchTooLarge(total, maxBatch);

  const snapshot = store.snapshot();
  try {
    const result: Partial<Record<ListName, RecordResponse[]>> = {};
    // Only the lists the request named come back, so callers cannot rely on keys the real API may omit.
    for (const name of LISTS) {
      const list = lists.get(name);
      if (list) result[name] = list.map((item) => toResponse(apply(store, name, item, now)));
    }
    return result;
  } catch (err) {
    // All or nothing: the first error undoes everything and is what the API returns.
    store.restore(snapshot);
    throw err;
  }
}

function apply(store: ZoneStore, list: ListName, item: Item, now: string) {
  if (list === 'posts') return store.create(item, now);
  const id = typeof item.id === 'string' ? item.id : '';
  if (list === 'deletes') return store.remove(id);
  if (list === 'patches') return store.patch(id, item, now);
  return store.overwrite(id, item, now);
}
