import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Inventory } from './schema.js';

/**
 * A validated inventory, remembered by the hash of the file's exact bytes and weclick's version.
 * Read-only commands run from cron (`expiring`) then skip YAML parsing and schema validation — the
 * larger part of their start-up — while any change to the file, or a new weclick, validates again.
 * It is derived data only: deleting the cache folder is always safe.
 */
const VERSION = '1';

function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'weclick');
}

function keyOf(text: Buffer | string, cliVersion: string): string {
  return createHash('sha256').update(`${VERSION}\0${cliVersion}\0`).update(text).digest('hex');
}

function entryPath(file: string): string {
  return join(cacheDir(), `inventory-${createHash('sha256').update(resolve(file)).digest('hex').slice(0, 32)}.json`);
}

export async function readCachedInventory(file: string, bytes: Buffer, cliVersion: string): Promise<Inventory | undefined> {
  try {
    const entry = JSON.parse(await readFile(entryPath(file), 'utf8')) as { key: string; inventory: Inventory };
    return entry.key === keyOf(bytes, cliVersion) ? entry.inventory : undefined;
  } catch {
    return undefined;
  }
}

/** Best effort: a cache that cannot be written only costs the next run its speed. */
export async function writeCachedInventory(file: string, bytes: Buffer | string, cliVersion: string, inventory: Inventory): Promise<void> {
  try {
    const path = entryPath(file);
    await mkdir(cacheDir(), { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ key: keyOf(bytes, cliVersion), inventory }), { mode: 0o600 });
    await rename(tmp, path);
  } catch {
    /* read-only home, full disk: fine */
  }
}
