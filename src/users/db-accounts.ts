import { createHash, randomBytes } from 'node:crypto';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Server } from '../inventory/schema.js';

/** The MySQL account of one worker: 'mz_<name>' (dashes → '_'), kept within MySQL's 32-character limit. */
export function accountName(server: string): string {
  const plain = `mz_${server.replaceAll('-', '_')}`;
  if (plain.length <= 32) return plain;
  return `${plain.slice(0, 23)}_${createHash('sha256').update(server).digest('hex').slice(0, 8)}`;
}

/** 192 random bits, URL-safe: it goes into Marzban's SQLALCHEMY_DATABASE_URL as is. */
export function newAccountPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** What a worker's Marzban needs on its database, and nothing on any other. */
export const WORKER_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];
/** Marzban runs `alembic upgrade head` at start: the one worker that upgrades the schema needs DDL too. */
export const MIGRATION_PRIVILEGES = ['CREATE', 'ALTER', 'INDEX', 'DROP', 'REFERENCES'];

export interface AccountPlan {
  server: string;
  user: string;
  host: string;
  privileges: string[];
}

export function accountPlan(server: Pick<Server, 'name' | 'ipv4'>, options: { migrations?: boolean } = {}): AccountPlan {
  return { server: server.name, user: accountName(server.name), host: server.ipv4, privileges: [...WORKER_PRIVILEGES, ...(options.migrations ? MIGRATION_PRIVILEGES : [])] };
}

/** The statements for an account, values separate (escaped by the driver, never spliced in). */
export function grantStatements(plan: AccountPlan, database: string, escapeId: (id: string) => string): Array<{ sql: string; values: string[] }> {
  return [
    { sql: `REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?`, values: [plan.user, plan.host] },
    { sql: `GRANT ${plan.privileges.join(', ')} ON ${escapeId(database)}.* TO ?@?`, values: [plan.user, plan.host] },
  ];
}

export interface ExistingAccount {
  user: string;
  host: string;
}

export async function existingAccounts(pool: Pool): Promise<ExistingAccount[]> {
  const [rows] = await pool.query<RowDataPacket[]>("SELECT User AS user, Host AS host FROM mysql.user WHERE User LIKE 'mz\\_%' ORDER BY User, Host");
  return rows.map((r) => ({ user: String(r.user), host: String(r.host) }));
}

export async function grantsOf(pool: Pool, user: string, host: string): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>('SHOW GRANTS FOR ?@?', [user, host]);
  return rows.map((r) => String(Object.values(r)[0]));
}

/** Creates the account (or keeps it and its password) and sets exactly the planned grants. */
export async function applyAccount(pool: Pool, plan: AccountPlan, database: string, password: string | undefined): Promise<void> {
  const conn = await pool.getConnection();
  try {
    if (password !== undefined) await conn.query('CREATE USER ?@? IDENTIFIED BY ?', [plan.user, plan.host, password]);
    for (const statement of grantStatements(plan, database, (id) => conn.escapeId(id))) await conn.query(statement.sql, statement.values);
  } finally {
    conn.release();
  }
}

export async function setAccountPassword(pool: Pool, user: string, host: string, password: string): Promise<void> {
  await pool.query('ALTER USER ?@? IDENTIFIED BY ?', [user, host, password]);
}

/** Drops every account of that name, whatever host it was made for. */
export async function dropAccounts(pool: Pool, user: string): Promise<ExistingAccount[]> {
  const accounts = (await existingAccounts(pool)).filter((a) => a.user === user);
  for (const a of accounts) await pool.query('DROP USER ?@?', [a.user, a.host]);
  return accounts;
}

/** Does the account hold exactly the planned privileges on the database, and none elsewhere? */
export function grantsMatch(grants: string[], plan: AccountPlan, database: string): boolean {
  const onDb = grants.find((g) => g.includes(` ON \`${database}\`.* TO `));
  if (!onDb) return false;
  const listed = /^GRANT (.+) ON /.exec(onDb)?.[1]?.split(',').map((p) => p.trim()).sort() ?? [];
  const others = grants.filter((g) => g !== onDb && !/^GRANT USAGE ON \*\.\* TO /.test(g));
  return others.length === 0 && listed.join(',') === [...plan.privileges].sort().join(',');
}
