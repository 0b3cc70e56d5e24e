import { readFileSync } from 'node:fs';
import type { Pool, PoolOptions } from 'mysql2/promise';
import { serviceHostnames } from '../fleet/service-names.js';
import type { Inventory } from '../inventory/schema.js';
import { setting, type EnvFile } from '../secrets/env-file.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';

/** Where and as whom weclick reaches the central MySQL. The password is never printed. */
export interface MysqlSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** off: plain TCP; required: TLS, any certificate; verify: TLS checked against the CA (or the system CAs). */
  tls: 'off' | 'required' | 'verify';
  caFile?: string;
}

/**
 * fleet.mysql (host defaults to <names.mysql>.<domain>) with MYSQL_HOST / MYSQL_PORT / MYSQL_DATABASE overrides,
 * and MYSQL_ADMIN_USER / MYSQL_ADMIN_PASSWORD / MYSQL_TLS / MYSQL_TLS_CA from the environment or .env.
 */
export function mysqlSettings(inventory: Inventory, env: EnvFile, processEnv: NodeJS.ProcessEnv = process.env): MysqlSettings {
  const get = (key: string) => setting(env, key, processEnv);
  const user = get('MYSQL_ADMIN_USER');
  const password = get('MYSQL_ADMIN_PASSWORD');
  const missing = [!user && 'MYSQL_ADMIN_USER', password === undefined && 'MYSQL_ADMIN_PASSWORD'].filter(Boolean);
  if (missing.length > 0) {
    throw new WeclickError(`${missing.join(' and ')} not set: put ${missing.length > 1 ? 'them' : 'it'} in ${env.path} (mode 600) or the environment`, { exitCode: EXIT.badInput });
  }
  const port = Number(get('MYSQL_PORT') ?? inventory.fleet.mysql.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new WeclickError(`MYSQL_PORT must be a port number, not '${get('MYSQL_PORT')}'`, { exitCode: EXIT.badInput });
  const database = get('MYSQL_DATABASE') ?? inventory.fleet.mysql.database;
  if (!/^[A-Za-z0-9_]{1,64}$/.test(database)) throw new WeclickError(`MYSQL_DATABASE must be a plain database name, not '${database}'`, { exitCode: EXIT.badInput });
  const tls = (get('MYSQL_TLS') ?? 'off').toLowerCase();
  if (tls !== 'off' && tls !== 'required' && tls !== 'verify') throw new WeclickError(`MYSQL_TLS must be off, required or verify, not '${tls}'`, { exitCode: EXIT.badInput });
  const caFile = get('MYSQL_TLS_CA');
  return { host: get('MYSQL_HOST') ?? serviceHostnames(inventory).mysql, port, database, user: user!, password: password ?? '', tls, ...(caFile ? { caFile } : {}) };
}

/** mysql2 pool options: UTC dates (Marzban stores naive UTC), big numbers as numbers, TLS as configured. */
export function poolOptions(settings: MysqlSettings, options: { database?: boolean } = {}): PoolOptions {
  return {
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    ...(options.database === false ? {} : { database: settings.database }),
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    connectTimeout: 5_000,
    connectionLimit: 4,
    waitForConnections: true,
    enableKeepAlive: true,
    charset: 'utf8mb4_unicode_ci',
    multipleStatements: false,
    ...(settings.tls === 'off' ? {} : { ssl: sslOptions(settings) }),
  };
}

function sslOptions(settings: MysqlSettings): NonNullable<PoolOptions['ssl']> {
  const ca = settings.caFile ? readCa(settings.caFile) : undefined;
  return { rejectUnauthorized: settings.tls === 'verify', ...(ca ? { ca } : {}), minVersion: 'TLSv1.2' };
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new WeclickError(`MYSQL_TLS_CA: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { exitCode: EXIT.badInput });
  }
}

/** Opens a pool (mysql2 is imported only here, when a command needs the database) and checks it answers. */
export async function openPool(settings: MysqlSettings, options: { database?: boolean } = {}): Promise<Pool> {
  const mysql = await import('mysql2/promise');
  const pool = mysql.createPool(poolOptions(settings, options));
  // An idle pooled connection that errors must not crash the process; queries report their own errors.
  pool.on('connection', (conn) => conn.on('error', () => undefined));
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw mysqlError(error, settings);
  }
}

/**
 * One clear line for a MySQL failure: no stack, no password, no SQL text. Errors that are not about
 * reaching or logging in to MySQL pass through.
 */
export function mysqlError(error: unknown, settings: Pick<MysqlSettings, 'host' | 'port' | 'user' | 'database'>): Error {
  if (error instanceof WeclickError) return error;
  const e = error as { code?: string; errno?: number; message?: string; fatal?: boolean };
  const where = `MySQL at ${settings.host}:${settings.port}`;
  const line = (text: string, exitCode: number = EXIT.failed) => new WeclickError(text, { exitCode });
  switch (e.code) {
    case 'ECONNREFUSED':
      return line(`cannot reach ${where}: connection refused (is MySQL running? check fleet.mysql or MYSQL_HOST)`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return line(`cannot reach ${where}: no answer (${e.code}); check fleet.mysql, MYSQL_HOST and the firewall`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return line(`cannot reach ${where}: the name does not resolve; set fleet.mysql.host or MYSQL_HOST`);
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return line(`${where} refused user '${settings.user}': wrong MYSQL_ADMIN_USER or MYSQL_ADMIN_PASSWORD, or no access to '${settings.database}'`);
    case 'ER_BAD_DB_ERROR':
      return line(`${where} has no database '${settings.database}': create it with \`weclick db migrate\``, EXIT.badInput);
    case 'HANDSHAKE_NO_SSL_SUPPORT':
      return line(`${where} does not offer TLS, but MYSQL_TLS asks for it; nothing was sent in plain text`);
    case 'PROTOCOL_CONNECTION_LOST':
    case 'ECONNRESET':
    case 'EPIPE':
      return line(`lost the connection to ${where} (${e.code}); nothing after the last commit was applied`);
  }
  if (/self[- ]signed|certificate|SSL|TLS/i.test(e.message ?? '') && !e.errno) return line(`TLS to ${where} failed: ${firstLine(e.message ?? '')}`);
  return error instanceof Error ? error : new Error(String(error));
}

/** True when the server is gone (the statement may or may not have run; the transaction did not commit). */
export function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'PROTOCOL_CONNECTION_LOST' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ER_CONNECTION_KILLED' || (error as { fatal?: boolean }).fatal === true;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 200);
}
