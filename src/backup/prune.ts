import type { Catalog, CatalogEntry } from './catalog.js';
import { updateEntry } from './catalog.js';
import { removeMessages } from './delete-messages.js';
import { applyRetention, type KeepReason, type RetentionPolicy } from './retention.js';
import type { BotClient } from './telegram/client.js';

export interface PrunePlan {
  keep: Array<{ id: string; createdAt: string; reasons: KeepReason[] }>;
  /** Done backups the policy drops. */
  drop: CatalogEntry[];
  /** Failed backups whose messages are still in the chat (they are useless; always removed). */
  cleanup: CatalogEntry[];
}

/** What `backup prune` would do (pure): the retention policy over done backups, plus leftovers of failed ones. */
export function planPrune(catalog: Catalog, policy: RetentionPolicy): PrunePlan {
  const done = catalog.backups.filter((b) => b.status === 'done');
  const decision = applyRetention(done, policy);
  const byId = new Map(done.map((b) => [b.id, b]));
  const hasMessages = (b: CatalogEntry) => b.parts.some((p) => p.state === 'present') || b.manifest?.state === 'present';
  return {
    keep: decision.keep.map((k) => ({ id: k.id, createdAt: byId.get(k.id)!.createdAt, reasons: k.reasons })),
    drop: decision.remove.map((id) => byId.get(id)!),
    cleanup: catalog.backups.filter((b) => b.status === 'failed' && hasMessages(b)),
  };
}

export interface PruneResult {
  id: string;
  before: CatalogEntry['status'];
  after: CatalogEntry['status'];
  deleted: number;
  expired: number;
  missing: number;
}

/**
 * Deletes the dropped backups' messages where Telegram still allows it (within 48 hours of sending); the others
 * stay in the chat and their backup is marked `expired` in the catalog, so nobody believes they are gone.
 */
export async function executePrune(plan: PrunePlan, client: BotClient, catalogFile: string, now: Date): Promise<PruneResult[]> {
  const results: PruneResult[] = [];
  for (const entry of [...plan.drop, ...plan.cleanup]) {
    const outcome = await removeMessages(client, entry, now);
    const updated = await updateEntry(catalogFile, entry.id, (e) => {
      outcome.apply(e);
      if (e.status === 'done') {
        const stillThere = e.parts.some((p) => p.state === 'expired') || e.manifest?.state === 'expired';
        e.status = stillThere ? 'expired' : 'pruned';
      }
      e.prunedAt = now.toISOString();
    });
    results.push({ id: entry.id, before: entry.status, after: updated.status, deleted: outcome.deleted, expired: outcome.expired, missing: outcome.missing });
  }
  return results;
}
