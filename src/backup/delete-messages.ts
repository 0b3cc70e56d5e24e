import type { CatalogEntry, MessageState } from './catalog.js';
import type { BotClient } from './telegram/client.js';

/** Telegram lets a bot delete its messages only within 48 hours of sending them. */
export const DELETE_WINDOW_SECONDS = 48 * 3600;
// Messages this close to the limit are tried anyway: Telegram's answer decides.
const MARGIN_SECONDS = 60;

export interface RemovalOutcome {
  deleted: number;
  /** Older than 48 hours: Telegram no longer lets the bot delete them; they stay in the chat. */
  expired: number;
  missing: number;
  apply(entry: CatalogEntry): void;
}

/** True when our clock already says Telegram will refuse to delete a message sent at `date` (unix seconds). */
export function pastDeleteWindow(date: number, now: Date): boolean {
  return Math.floor(now.getTime() / 1000) - date >= DELETE_WINDOW_SECONDS + MARGIN_SECONDS;
}

/** Deletes every message of a backup that is still in the chat, recording what became of each. */
export async function removeMessages(client: BotClient, entry: CatalogEntry, now: Date = new Date()): Promise<RemovalOutcome> {
  const states = new Map<number, MessageState>();
  const messages = [...entry.parts.map((p) => ({ id: p.messageId, date: p.date, state: p.state })), ...(entry.manifest ? [{ id: entry.manifest.messageId, date: entry.manifest.date, state: entry.manifest.state }] : [])];
  let deleted = 0;
  let expired = 0;
  let missing = 0;
  for (const message of messages) {
    if (message.state !== 'present') continue;
    const result = pastDeleteWindow(message.date, now) ? 'too-old' : await client.deleteMessage(message.id);
    if (result === 'deleted') deleted++;
    else if (result === 'too-old') expired++;
    else missing++;
    // A message Telegram no longer has counts as deleted: it is gone from the chat either way.
    states.set(message.id, result === 'too-old' ? 'expired' : 'deleted');
  }
  return {
    deleted,
    expired,
    missing,
    apply(target) {
      for (const part of target.parts) part.state = states.get(part.messageId) ?? part.state;
      if (target.manifest) target.manifest.state = states.get(target.manifest.messageId) ?? target.manifest.state;
    },
  };
}
