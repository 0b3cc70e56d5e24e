import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomically } from '../fs/atomic-write.js';
import { processAlive as alive } from '../fs/process-alive.js';

export const CATALOG_FILE = 'backups.catalog.json';

/** Whether a message is still in the chat. */
export type MessageState = 'present' | 'deleted' | 'expired';

export interface CatalogPart {
  index: number;
  name: string;
  bytes: number;
  sha256: string;
  messageId: number;
  fileId: string;
  fileUniqueId: string;
  /** Unix seconds, as Telegram dated the message. */
  date: number;
  state: MessageState;
}

export interface CatalogMessage {
  messageId: number;
  fileId?: string;
  date: number;
  state: MessageState;
}

export interface TableSummary {
  name: string;
  rows: number;
  /** HMAC-SHA256 of the table's INSERT lines; the key travels inside the encrypted payload. */
  checksum: string;
}

export interface FileSummary {
  path: string;
  bytes: number;
  sha256: string;
}

/**
 * uploading: in progress (or its process died) · done: every part and the manifest confirmed by Telegram ·
 * failed: not usable · pruned: dropped by retention, all messages deleted · expired: dropped by retention, but
 * some messages were older than 48 hours and stay in the chat (the bot may no longer delete them).
 */
export type BackupStatus = 'uploading' | 'done' | 'failed' | 'pruned' | 'expired';

export interface CatalogEntry {
  id: string;
  status: BackupStatus;
  createdAt: string;
  finishedAt?: string;
  source: { host: string; database: string; serverVersion?: string; management?: string };
  chat: string;
  topic?: number;
  recipients: string[];
  parts: CatalogPart[];
  manifest?: CatalogMessage;
  sizes?: { sqlBytes: number; compressedBytes: number; encryptedBytes: number };
  tables?: TableSummary[];
  files?: FileSummary[];
  error?: string;
  prunedAt?: string;
}

export interface Catalog {
  version: 1;
  backups: CatalogEntry[];
}

export function catalogPath(inventoryFile: string): string {
  return join(dirname(inventoryFile), CATALOG_FILE);
}

export async function readCatalog(file: string): Promise<Catalog> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, backups: [] };
    throw error;
  }
  const parsed = JSON.parse(text) as Catalog;
  if (parsed.version !== 1 || !Array.isArray(parsed.backups)) throw new Error(`${file} is not a weclick backup catalog (version 1)`);
  return parsed;
}

/**
 * Read-modify-write under a lock file, written atomically (temp file, fsync, rename): a crash leaves the old or
 * the new catalog, and two weclick processes never lose each other's changes.
 */
export async function updateCatalog<T>(file: string, change: (catalog: Catalog) => T): Promise<T> {
  const release = await lockFile(`${file}.lock`);
  try {
    const catalog = await readCatalog(file);
    const result = change(catalog);
    await writeFileAtomically(file, `${JSON.stringify(catalog, null, 2)}\n`, 0o600);
    return result;
  } finally {
    await release();
  }
}

/** Changes one entry in place (by id); a missing entry is an error, never silently created. */
export async function updateEntry(file: string, id: string, change: (entry: CatalogEntry) => void): Promise<CatalogEntry> {
  return updateCatalog(file, (catalog) => {
    const entry = catalog.backups.find((b) => b.id === id);
    if (!entry) throw new Error(`backup ${id} is not in the catalog ${file}`);
    change(entry);
    return structuredClone(entry);
  });
}

/** Records a confirmed part, replacing any earlier record of the same index (a retry never duplicates). */
export function recordPart(entry: CatalogEntry, part: CatalogPart): void {
  entry.parts = [...entry.parts.filter((p) => p.index !== part.index), part].sort((a, b) => a.index - b.index);
}

const LOCK_WAIT_MS = 15_000;
const LOCK_STALE_MS = 60_000;
/** A holder writes its pid right after creating the lock: one still empty after this was left by a killed process. */
const LOCK_EMPTY_MS = 2_000;

async function lockFile(path: string): Promise<() => Promise<void>> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid} ${hostname()}\n`);
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a killed process is taken over at once (real holders keep it for milliseconds).
      if (await abandoned(path)) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() - started > LOCK_WAIT_MS) throw new Error(`${path} is held by another weclick process (remove it if none is running)`);
      await new Promise((r) => setTimeout(r, Math.min(50, 5 * 2 ** attempt)));
    }
  }
}

/** The lock's holder is gone: its pid no longer runs on this machine, it never wrote its pid, or it is a minute old. */
async function abandoned(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return false;
  const age = Date.now() - info.mtimeMs;
  if (age > LOCK_STALE_MS) return true;
  const [pid, host] = (await readFile(path, 'utf8').catch(() => '')).trim().split(/\s+/);
  if (!pid) return age > LOCK_EMPTY_MS;
  return host === hostname() && Number(pid) !== process.pid && !alive(Number(pid));
}

/** Finds a backup by id, unique prefix, or `latest` (newest done one). */
export type Found = { ok: true; entry: CatalogEntry } | { ok: false; message: string };

export function findEntry(catalog: Catalog, ref: string, usable: BackupStatus[] = ['done']): Found {
  if (ref === 'latest') {
    const newest = [...catalog.backups].filter((b) => usable.includes(b.status)).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    return newest ? { ok: true, entry: newest } : { ok: false, message: `no ${usable.join(' or ')} backup in the catalog yet` };
  }
  const matches = catalog.backups.filter((b) => b.id === ref || b.id.startsWith(ref));
  const exact = matches.find((b) => b.id === ref);
  const found = exact ?? (matches.length === 1 ? matches[0] : undefined);
  if (!found) return { ok: false, message: matches.length > 1 ? `'${ref}' matches ${matches.length} backups: ${matches.map((b) => b.id).join(', ')}` : `no backup '${ref}' in the catalog (see weclick backup list)` };
  if (!usable.includes(found.status)) return { ok: false, message: `backup ${found.id} is ${found.status}${found.error ? ` (${found.error})` : ''}; only ${usable.join(' or ')} backups can be used` };
  return { ok: true, entry: found };
}
