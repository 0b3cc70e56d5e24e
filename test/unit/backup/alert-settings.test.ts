import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendAlert } from '../../../src/backup/alert.js';
import { loadIdentities, mysqlAddress, telegramSettings } from '../../../src/backup/settings.js';
import { parseInventory } from '../../../src/inventory/load.js';
import type { EnvFile } from '../../../src/secrets/env-file.js';
import { redact } from '../../../src/ui/redact.js';
import { startTelegramStandin, type TelegramStandin } from '../../standins/telegram/index.js';

const TOKEN = '123456:ALERT-token_xyz';
const CHAT = '-1009876543210';

function inventory(extra = `  telegram:\n    chat: ${CHAT}\n    topic: 3\n`) {
  const loaded = parseInventory(`fleet:\n  domain: weclick.test\n${extra}servers:\n  - name: mngmt\n    hostname: mngmt.weclick.test\n    ipv4: 192.0.2.10\n    roles: [management, mysql]\n    provider: p\n    expires: 2030-01-01\n`, 'weclick.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded;
}
const env = (values: Record<string, string>): EnvFile => ({ path: '/tmp/x/.env', exists: true, values });

describe('sendAlert', () => {
  let tg: TelegramStandin;
  beforeEach(async () => {
    tg = await startTelegramStandin({ token: TOKEN, chats: [{ id: CHAT, topics: [3] }] });
  });
  afterEach(async () => tg.close());

  it('posts to fleet.telegram.chat and topic, splitting a long text at line ends, retrying a 429', async () => {
    tg.fail({ kind: 'rate-limit', retryAfter: 0 }, { method: 'sendMessage' });
    const text = Array.from({ length: 400 }, (_, i) => `srv${i}: expires 2025-01-${String((i % 28) + 1).padStart(2, '0')}`).join('\n');
    const result = await sendAlert(text, { inventory: inventory().inventory, inventoryFile: 'weclick.yaml', env: env({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: tg.url }) });
    const messages = tg.messages(CHAT);
    expect(result.messageIds).toEqual(messages.map((m) => m.message_id));
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.every((m) => m.message_thread_id === 3 && m.text!.length <= 4096)).toBe(true);
    expect(messages.map((m) => m.text).join('\n')).toBe(text);
    expect(tg.requests[0]!.status).toBe(429);
  });

  it('reads TELEGRAM_BOT_TOKEN from the .env beside the inventory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weclick-alert-'));
    writeFileSync(join(dir, '.env'), `TELEGRAM_BOT_TOKEN=${TOKEN}\nTELEGRAM_API_ROOT=${tg.url}\n`, { mode: 0o600 });
    await sendAlert('backup failed', { inventory: inventory().inventory, inventoryFile: join(dir, 'weclick.yaml') });
    expect(tg.messages(CHAT).map((m) => m.text)).toEqual(['backup failed']);
  });

  it('says what is missing: the token, or the chat', async () => {
    await expect(sendAlert('x', { inventory: inventory().inventory, inventoryFile: 'weclick.yaml', env: env({}) })).rejects.toThrow(/TELEGRAM_BOT_TOKEN is not set/);
    await expect(sendAlert('x', { inventory: inventory('').inventory, inventoryFile: 'weclick.yaml', env: env({ TELEGRAM_BOT_TOKEN: TOKEN }) })).rejects.toThrow(/fleet.telegram.chat is not set/);
  });
});

describe('settings', () => {
  it('the bot token is registered for redaction as soon as it is read', () => {
    telegramSettings(inventory().inventory, env({ TELEGRAM_BOT_TOKEN: '777:redact-me-please' }), {});
    expect(redact('url /bot777:redact-me-please/sendMessage')).toBe('url /bot[REDACTED]/sendMessage');
  });

  it('BACKUP_MYSQL_ADDRESS: host, host:port or a socket; default the mysql server\'s IPv4 and fleet.mysql.port', () => {
    const { inventory: inv } = inventory();
    const server = inv.servers[0]!;
    expect(mysqlAddress(inv, server, env({}), {})).toEqual({ host: '192.0.2.10', port: 3306 });
    expect(mysqlAddress(inv, server, env({ BACKUP_MYSQL_ADDRESS: '127.0.0.1' }), {})).toEqual({ host: '127.0.0.1', port: 3306 });
    expect(mysqlAddress(inv, server, env({ BACKUP_MYSQL_ADDRESS: 'db.internal:3307' }), {})).toEqual({ host: 'db.internal', port: 3307 });
    expect(mysqlAddress(inv, server, env({ BACKUP_MYSQL_ADDRESS: '/run/mysqld/mysqld.sock' }), {})).toEqual({ socket: '/run/mysqld/mysqld.sock' });
    expect(() => mysqlAddress(inv, server, env({ BACKUP_MYSQL_ADDRESS: 'a b' }), {})).toThrow(/BACKUP_MYSQL_ADDRESS/);
  });

  it('loads identities from an age-keygen style file, ignoring comments; explains what is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weclick-id-'));
    writeFileSync(join(dir, 'key.txt'), '# created: 2025-01-01T00:00:00Z\n# public key: age1abc\nAGE-SECRET-KEY-1QQQQ\n', { mode: 0o600 });
    expect(await loadIdentities(env({}), join(dir, 'key.txt'), {})).toEqual({ identities: ['AGE-SECRET-KEY-1QQQQ'], source: join(dir, 'key.txt') });
    expect((await loadIdentities(env({ BACKUP_AGE_IDENTITY: 'AGE-SECRET-KEY-1ZZZ' }), undefined, {})).identities).toEqual(['AGE-SECRET-KEY-1ZZZ']);
    await expect(loadIdentities(env({}), undefined, {})).rejects.toThrow(/no age identity to decrypt with: set BACKUP_AGE_IDENTITY_FILE/);
    await expect(loadIdentities(env({}), join(dir, 'nope'), {})).rejects.toThrow(/cannot read the age identity file .*ENOENT/);
    writeFileSync(join(dir, 'empty.txt'), '# nothing\n', { mode: 0o600 });
    await expect(loadIdentities(env({}), join(dir, 'empty.txt'), {})).rejects.toThrow(/holds no age identity/);
  });
});
