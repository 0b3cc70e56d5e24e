import type { LoadedInventory } from '../base-command.js';
import type { EnvFile } from '../secrets/env-file.js';
import { catalogPath, readCatalog } from './catalog.js';
import { executePrune, planPrune, type PrunePlan, type PruneResult } from './prune.js';
import type { RetentionPolicy } from './retention.js';
import { telegramSettings } from './settings.js';
import { BotClient, type RetryNotice } from './telegram/client.js';

export function retentionPolicy(loaded: LoadedInventory, overrides: Partial<RetentionPolicy> = {}): RetentionPolicy {
  const keep = loaded.inventory.fleet.backup?.keep ?? { last: 7, daily: 7, weekly: 4, monthly: 6 };
  return { ...keep, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}

export async function preparePrune(loaded: LoadedInventory, policy: RetentionPolicy): Promise<PrunePlan> {
  return planPrune(await readCatalog(catalogPath(loaded.file)), policy);
}

/** Plain-language summary of what a prune did, saying plainly what stays in the chat. */
export function pruneLines(results: PruneResult[]): string[] {
  if (results.length === 0) return ['Nothing to prune: every backup is kept by the policy.'];
  const lines = results.map((r) => {
    const what = `${r.deleted} message(s) deleted${r.missing ? `, ${r.missing} already gone` : ''}`;
    return r.expired > 0
      ? `${r.id}: ${what}; ${r.expired} older than 48 h stay in the chat (Telegram no longer lets a bot delete them) — marked ${r.after} in the catalog`
      : `${r.id}: ${what} — marked ${r.after}`;
  });
  const expired = results.reduce((sum, r) => sum + r.expired, 0);
  if (expired > 0) lines.push(`${expired} message(s) could not be deleted because they are older than 48 hours; delete them by hand in the chat if you need the space.`);
  return lines;
}

export async function pruneWithPolicy(options: { loaded: LoadedInventory; env: EnvFile; policy?: RetentionPolicy; now?: Date; events?: { retry?(n: RetryNotice): void } }): Promise<{ plan: PrunePlan; results: PruneResult[]; lines: string[] }> {
  const plan = await preparePrune(options.loaded, options.policy ?? retentionPolicy(options.loaded));
  const client = await BotClient.create(telegramSettings(options.loaded.inventory, options.env), { onRetry: options.events?.retry });
  const results = await executePrune(plan, client, catalogPath(options.loaded.file), options.now ?? new Date());
  return { plan, results, lines: pruneLines(results) };
}
