import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve, dirname } from 'node:path';
import { servingHolders } from '../fleet/serving.js';
import type { Inventory, Server } from '../inventory/schema.js';
import { setting, type EnvFile } from '../secrets/env-file.js';
import { assertPrivateFile } from '../secrets/file-mode.js';
import { registerSecret } from '../ui/redact.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { DATABASE_NAME, type MysqlAddress, type MysqlLogin } from './host-commands.js';
import { normalizeApiRoot, type TelegramSettings } from './telegram/client.js';

const bad = (message: string) => new WeclickError(message, { exitCode: EXIT.badInput });

/** TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT (env or .env) and fleet.telegram (chat, topic). */
export function telegramSettings(inventory: Inventory, env: EnvFile, processEnv: NodeJS.ProcessEnv = process.env): TelegramSettings {
  const token = setting(env, 'TELEGRAM_BOT_TOKEN', processEnv);
  if (!token) throw bad(`TELEGRAM_BOT_TOKEN is not set: put the bot's token in ${env.path} (mode 600) or the environment`);
  const chat = inventory.fleet.telegram?.chat;
  if (chat === undefined) throw bad('fleet.telegram.chat is not set in the inventory: the chat (id or @channel) backups and alerts go to');
  let apiRoot: string;
  try {
    apiRoot = normalizeApiRoot(setting(env, 'TELEGRAM_API_ROOT', processEnv));
  } catch (error) {
    throw bad((error as Error).message);
  }
  const topic = inventory.fleet.telegram?.topic;
  return { token, apiRoot, chat, ...(topic !== undefined ? { topic } : {}) };
}

/** Public keys backups are encrypted to; the machine making backups needs no private key. */
export function backupRecipients(inventory: Inventory): string[] {
  const recipients = inventory.fleet.backup?.recipients ?? [];
  if (recipients.length === 0) {
    throw bad('fleet.backup.recipients is empty: add the age public key(s) that may read backups (create a pair with `weclick backup keygen`)');
  }
  return recipients;
}

/** The server holding the `mysql` role (the central database), or the named one. */
export function mysqlServer(inventory: Inventory): Server {
  const servers = servingHolders(inventory.servers, 'mysql');
  if (servers.length === 0) throw bad('no server in the inventory holds the mysql role: nothing to back up');
  if (servers.length > 1) throw bad(`${servers.length} servers hold the mysql role (${servers.map((s) => s.name).join(', ')}); weclick backs up one central database`);
  return servers[0]!;
}

export function managementServer(inventory: Inventory): Server | undefined {
  return servingHolders(inventory.servers, 'management')[0];
}

/** The database to dump: MYSQL_DATABASE, else fleet.mysql.database. */
export function sourceDatabase(inventory: Inventory, env: EnvFile, processEnv: NodeJS.ProcessEnv = process.env): string {
  const database = setting(env, 'MYSQL_DATABASE', processEnv) ?? inventory.fleet.mysql.database;
  if (!DATABASE_NAME.test(database)) throw bad(`MYSQL_DATABASE must be a plain database name, not '${database}'`);
  return database;
}

/**
 * How the mysql client on `server` reaches MariaDB/MySQL: BACKUP_MYSQL_ADDRESS (host[:port] or a socket path, as
 * seen from that host), else the server's own IPv4 and fleet.mysql.port — the address the workers use.
 */
export function mysqlAddress(inventory: Inventory, server: Server, env: EnvFile, processEnv: NodeJS.ProcessEnv = process.env): MysqlAddress {
  const port = Number(setting(env, 'MYSQL_PORT', processEnv) ?? inventory.fleet.mysql.port);
  const override = setting(env, 'BACKUP_MYSQL_ADDRESS', processEnv);
  if (!override) return { host: server.ipv4, port };
  if (override.startsWith('/')) return { socket: override };
  const match = /^([A-Za-z0-9.:-]+?)(?::(\d{1,5}))?$/.exec(override);
  if (!match || override.includes('::')) throw bad(`BACKUP_MYSQL_ADDRESS must be host, host:port or /path/to/mysqld.sock, not '${override}'`);
  return { host: match[1]!, port: match[2] ? Number(match[2]) : port };
}

/** MYSQL_ADMIN_USER / MYSQL_ADMIN_PASSWORD when set; without them the host's own client config (~/.my.cnf) is used. */
export function mysqlLogin(env: EnvFile, processEnv: NodeJS.ProcessEnv = process.env): MysqlLogin | undefined {
  const user = setting(env, 'MYSQL_ADMIN_USER', processEnv);
  const password = setting(env, 'MYSQL_ADMIN_PASSWORD', processEnv);
  if (!user) return undefined;
  return { user, password: password ?? '' };
}

/** The age identities (private keys) for restore: --identity FILE, BACKUP_AGE_IDENTITY_FILE, or BACKUP_AGE_IDENTITY itself. */
export async function loadIdentities(env: EnvFile, flagFile: string | undefined, processEnv: NodeJS.ProcessEnv = process.env): Promise<{ identities: string[]; source: string }> {
  const file = flagFile ?? setting(env, 'BACKUP_AGE_IDENTITY_FILE', processEnv);
  const inline = flagFile ? undefined : setting(env, 'BACKUP_AGE_IDENTITY', processEnv);
  let text: string;
  let source: string;
  if (file) {
    const path = isAbsolute(file) ? file : resolve(dirname(env.path), file);
    // An identity decrypts every backup: refuse one that group or others may read, as ssh refuses such a key.
    await assertPrivateFile(path);
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw bad(`cannot read the age identity file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    source = path;
  } else if (inline) {
    text = inline;
    source = 'BACKUP_AGE_IDENTITY';
  } else {
    throw bad(`no age identity to decrypt with: set BACKUP_AGE_IDENTITY_FILE in ${env.path} or pass --identity FILE (the file age-keygen or weclick backup keygen wrote)`);
  }
  const identities = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.startsWith('AGE-SECRET-KEY-'));
  if (identities.length === 0) throw bad(`${source} holds no age identity (a line starting AGE-SECRET-KEY-)`);
  for (const identity of identities) registerSecret(identity);
  return { identities, source };
}
