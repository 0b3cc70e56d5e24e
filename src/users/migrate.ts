import { randomBytes } from 'node:crypto';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { MARZBAN_ALEMBIC_HEAD, MARZBAN_TABLES, PENDING_TABLE_SQL, WECLICK_ADMIN } from './schema.js';

export interface MigrationReport {
  database: string;
  /** Tables this run created (empty when the Marzban schema was already there). */
  created: string[];
  alembicVersion: string;
  /** True when alembic_version is not the v0.8.4 head weclick was written against. */
  versionMismatch: boolean;
}

/**
 * Creates the Marzban v0.8.4 schema when the database has none, with the rows Marzban's own migrations insert
 * (jwt secret, system counters, alembic_version at the head), plus weclick's pending table and its admin row.
 * On a database Marzban already migrated it only adds weclick's table and admin. Safe to run again.
 */
export async function migrate(pool: Pool, database: string): Promise<MigrationReport> {
  const conn = await pool.getConnection();
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${conn.escapeId(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await conn.changeUser({ database });
    const existing = new Set(await tableNames(conn));
    const created: string[] = [];
    if (!existing.has('users')) {
      const clash = MARZBAN_TABLES.filter((t) => existing.has(t.name)).map((t) => t.name);
      if (clash.length > 0) {
        throw new WeclickError(`database '${database}' has some Marzban tables (${clash.join(', ')}) but no users table; refusing to guess — repair or empty it first`, { exitCode: EXIT.refused });
      }
      // DDL commits on its own in MySQL: a failure part-way leaves the tables made so far, and the clash check above
      // then stops a re-run rather than mixing two schemas.
      for (const table of MARZBAN_TABLES) {
        await conn.query(table.sql);
        created.push(table.name);
      }
      await conn.beginTransaction();
      await conn.execute('INSERT INTO jwt (id, secret_key) VALUES (1, ?)', [randomBytes(32).toString('hex')]);
      await conn.execute('INSERT INTO system (id, uplink, downlink) VALUES (1, 0, 0)');
      await conn.execute('INSERT INTO alembic_version (version_num) VALUES (?)', [MARZBAN_ALEMBIC_HEAD]);
      await conn.commit();
    }
    await ensureWeclickObjects(conn);
    const [rows] = await conn.query<RowDataPacket[]>('SELECT version_num FROM alembic_version');
    const alembicVersion = rows.map((r) => String(r.version_num)).join(',') || '(none)';
    return { database, created, alembicVersion, versionMismatch: alembicVersion !== MARZBAN_ALEMBIC_HEAD };
  } finally {
    conn.release();
  }
}

/** weclick's pending table and its API admin; cheap when both exist (run before every change). */
export async function ensureWeclickObjects(conn: Pool | PoolConnection): Promise<void> {
  await conn.query(PENDING_TABLE_SQL);
  // A bcrypt-shaped hash no password matches: the admin exists for API tokens signed with jwt.secret_key only.
  await conn.execute('INSERT IGNORE INTO admins (username, hashed_password, created_at, is_sudo, users_usage) VALUES (?, ?, UTC_TIMESTAMP(), 1, 0)', [WECLICK_ADMIN, unusableBcrypt()]);
}

async function tableNames(conn: PoolConnection): Promise<string[]> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()');
  return rows.map((r) => String(r.name));
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function unusableBcrypt(): string {
  const bytes = randomBytes(53);
  // The salt's last character must carry no stray bits (passlib normalises it otherwise): pick from '.Oeu'.
  const chars = [...bytes].map((b) => BCRYPT_ALPHABET[b % 64]!);
  chars[21] = '.Oeu'[bytes[21]! % 4]!;
  return `$2b$12$${chars.join('')}`;
}
