import type { Inventory } from '../inventory/schema.js';
import { loadEnvFile, type EnvFile } from '../secrets/env-file.js';
import { WeclickError } from '../ui/errors.js';
import { splitMessage } from './manifest.js';
import { telegramSettings } from './settings.js';
import { BotClient, type RetryNotice } from './telegram/client.js';

export interface AlertContext {
  inventory: Inventory;
  /** The inventory's path: TELEGRAM_BOT_TOKEN is read from the .env beside it (or the environment). */
  inventoryFile: string;
  env?: EnvFile;
  onRetry?: (notice: RetryNotice) => void;
}

/**
 * Posts `text` to the fleet's Telegram chat (fleet.telegram.chat, topic), split into messages of at most 4096
 * characters at line ends. Retries 429 (after retry_after) and 5xx; throws a WeclickError when Telegram is not
 * configured or the message could not be delivered. Used by failed backups and by `weclick expiring --notify`.
 */
export async function sendAlert(text: string, context: AlertContext): Promise<{ messageIds: number[] }> {
  const env = context.env ?? (await loadEnvFile(context.inventoryFile));
  const client = await BotClient.create(telegramSettings(context.inventory, env), { onRetry: context.onRetry });
  const messageIds: number[] = [];
  const pieces = splitMessage(text);
  if (pieces.length === 0) throw new WeclickError('nothing to send: the alert text is empty');
  for (const piece of pieces) {
    try {
      messageIds.push((await client.sendMessage(piece, 'sendMessage (alert)')).messageId);
    } catch (error) {
      throw new WeclickError(`${(error as Error).message}${messageIds.length ? ` (${messageIds.length} of ${pieces.length} messages were sent)` : ''}`);
    }
  }
  return { messageIds };
}
