import type { DnsChange } from './plan.js';

/** The batch endpoint's limit on the Free plan; higher plans allow more, 200 is safe everywhere. */
export const BATCH_LIMIT = 200;

interface RecordBody {
  name: string;
  type: string;
  content: string;
  ttl: number;
  proxied: boolean;
  comment: string | null;
}

/** One call to POST /zones/{zone_id}/dns_records/batch. */
export interface BatchBody {
  deletes: Array<{ id: string }>;
  patches: Array<RecordBody & { id: string }>;
  posts: RecordBody[];
  /** The plan's changes this batch carries, in order (not sent). */
  changes: DnsChange[];
}

/**
 * Splits the plan into batches of at most `limit` operations. The plan is ordered deletes → updates → creates,
 * the order the API runs each batch in, so cutting it in sequence keeps that order across batches too.
 * Updates are PATCHes: they leave fields weclick does not manage (tags, settings) alone. Every item carries
 * name, type and ttl, which the published schema requires even for a patch.
 */
export function batchChunks(changes: DnsChange[], limit = BATCH_LIMIT): BatchBody[] {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`batch limit must be a positive integer, got ${limit}`);
  const chunks: BatchBody[] = [];
  for (let i = 0; i < changes.length; i += limit) {
    const body: BatchBody = { deletes: [], patches: [], posts: [], changes: changes.slice(i, i + limit) };
    for (const change of body.changes) {
      if (change.action === 'delete') body.deletes.push({ id: change.id! });
      else if (change.action === 'create') body.posts.push(recordBody(change));
      else body.patches.push({ id: change.id!, ...recordBody(change) });
    }
    chunks.push(body);
  }
  return chunks;
}

function recordBody(change: DnsChange): RecordBody {
  const after = change.after!;
  return { name: change.name, type: change.type, content: after.content, ttl: after.ttl, proxied: after.proxied, comment: after.comment };
}
