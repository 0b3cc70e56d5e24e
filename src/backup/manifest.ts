import type { CatalogEntry, FileSummary, TableSummary } from './catalog.js';

/** Telegram's caption limit (after entity parsing; we send plain text). */
export const CAPTION_LIMIT = 1024;
export const TEXT_LIMIT = 4096;

export function partName(id: string, index: number): string {
  return `weclick-${id}.part${String(index).padStart(3, '0')}.age`;
}

export function manifestName(id: string): string {
  return `weclick-${id}.manifest.json`;
}

/** "part 2/5" once the count is known; while streaming, the total is not known yet. */
export function partCaption(id: string, index: number, total: number | undefined, bytes: number, sha256: string): string {
  return `weclick backup ${id}\npart ${index}/${total ?? '?'} · ${formatBytes(bytes)}\nsha256 ${sha256}`;
}

/** The manifest document: everything needed to find, check and restore the backup, and nothing secret. */
export interface Manifest {
  format: 'weclick-backup-manifest/1';
  id: string;
  createdAt: string;
  finishedAt: string;
  source: CatalogEntry['source'];
  dump: { tool: string; options: string[] };
  encryption: { scheme: 'age'; recipients: string[] };
  compression: 'gzip';
  sizes: NonNullable<CatalogEntry['sizes']>;
  parts: Array<{ index: number; name: string; bytes: number; sha256: string; messageId: number; fileId: string }>;
  files: FileSummary[];
  tables: TableSummary[];
  checksums: string;
}

export function buildManifest(entry: CatalogEntry, finishedAt: string, dumpOptions: string[]): Manifest {
  return {
    format: 'weclick-backup-manifest/1',
    id: entry.id,
    createdAt: entry.createdAt,
    finishedAt,
    source: entry.source,
    dump: { tool: 'mysqldump', options: dumpOptions },
    encryption: { scheme: 'age', recipients: entry.recipients },
    compression: 'gzip',
    sizes: entry.sizes!,
    parts: entry.parts.map((p) => ({ index: p.index, name: p.name, bytes: p.bytes, sha256: p.sha256, messageId: p.messageId, fileId: p.fileId })),
    files: entry.files ?? [],
    tables: entry.tables ?? [],
    checksums: 'per table: HMAC-SHA256 of its INSERT lines as mysqldump writes them; the key is inside the encrypted payload',
  };
}

/** The manifest's caption: a summary a person can read in the chat, cut to Telegram's 1024 characters. */
export function manifestCaption(m: Manifest): string {
  const head = [
    `weclick backup ${m.id} — manifest`,
    `${m.createdAt.replace('T', ' ').slice(0, 16)} UTC · ${m.source.host} / ${m.source.database}${m.source.serverVersion ? ` (${m.source.serverVersion})` : ''}`,
    `${m.parts.length} part${m.parts.length === 1 ? '' : 's'} · ${formatBytes(m.sizes.encryptedBytes)} encrypted · ${formatBytes(m.sizes.sqlBytes)} SQL`,
    m.files.length ? `files: ${m.files.map((f) => f.path).join(', ')}` : 'files: none found',
  ].join('\n');
  const tables = [...m.tables].sort((a, b) => b.rows - a.rows).map((t) => `${t.name} ${t.rows.toLocaleString('en-US')}`);
  let text = `${head}\ntables (${m.tables.length}): `;
  for (let i = 0; i < tables.length; i++) {
    const more = tables.length - i - 1;
    const next = `${i ? ', ' : ''}${tables[i]}`;
    const tail = more ? ` … and ${more} more` : '';
    if ((text + next + tail).length > CAPTION_LIMIT - 20) {
      text += ` … and ${tables.length - i} more`;
      break;
    }
    text += next;
  }
  return text.slice(0, CAPTION_LIMIT);
}

/** Alerts longer than one message are split at line ends (Telegram refuses texts over 4096 characters). */
export function splitMessage(text: string, limit = TEXT_LIMIT): string[] {
  const out: string[] = [];
  let current = '';
  const flush = () => {
    if (current.trim()) out.push(current);
    current = '';
  };
  for (const line of text.split('\n')) {
    if (line.length > limit) {
      flush();
      for (let i = 0; i < line.length; i += limit) out.push(line.slice(i, i + limit));
      continue;
    }
    const joined = current ? `${current}\n${line}` : line;
    if (joined.length > limit) {
      flush();
      current = line;
    } else current = joined;
  }
  flush();
  return out;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
