import { createHash, randomBytes } from 'node:crypto';
import type { LoadedInventory } from '../base-command.js';
import { auditIdentity } from '../remote/audit-identity.js';
import { auditCommand } from '../remote/lock.js';
import type { HostSession } from '../remote/session.js';
import type { EnvFile } from '../secrets/env-file.js';
import { WeclickError } from '../ui/errors.js';
import { catalogPath, readCatalog, recordPart, updateCatalog, updateEntry, type CatalogEntry, type FileSummary } from './catalog.js';
import { removeMessages } from './delete-messages.js';
import { DUMP_OPTIONS, MARZBAN_FILES, parseFilesOutput, readFilesCommand } from './host-commands.js';
import { takeBackupLock } from './host-lock.js';
import { newBackupId } from './ids.js';
import { buildManifest, formatBytes, manifestCaption, manifestName, partCaption, partName } from './manifest.js';
import { MAX_PART_BYTES } from './part-cutter.js';
import { MAX_FILE_BYTES, type PayloadFile } from './payload.js';
import { closeAll, openSessions } from './sessions.js';
import { backupRecipients, managementServer, mysqlAddress, mysqlLogin, mysqlServer, sourceDatabase, telegramSettings } from './settings.js';
import { streamDump } from './stream-dump.js';
import { BotClient, type RetryNotice } from './telegram/client.js';

export interface BackupEvents {
  /** Progress and warnings, one line each (the command prints them on stderr). */
  note?(text: string): void;
  retry?(notice: RetryNotice): void;
}

export interface BackupNowOptions {
  loaded: LoadedInventory;
  env: EnvFile;
  partSize?: number;
  connectTimeout?: number;
  events?: BackupEvents;
  now?: () => Date;
}

export interface BackupOutcome {
  entry: CatalogEntry;
  warnings: string[];
}

/**
 * `weclick backup now`: lock → Marzban files → streamed dump, encrypted and cut into parts → each part confirmed by
 * Telegram and recorded in the catalog → captions completed (part i/n) → manifest → done. Any failure marks the
 * backup failed, deletes what was already sent, and posts an alert to the chat.
 */
export async function backupNow(options: BackupNowOptions): Promise<BackupOutcome> {
  const { loaded, env } = options;
  const inventory = loaded.inventory;
  const now = options.now ?? (() => new Date());
  const note = (text: string) => options.events?.note?.(text);
  const warnings: string[] = [];
  const warn = (text: string) => (warnings.push(text), note(`warning: ${text}`));

  const telegram = telegramSettings(inventory, env);
  const recipients = backupRecipients(inventory);
  const dbServer = mysqlServer(inventory);
  const management = managementServer(inventory);
  const database = sourceDatabase(inventory, env);
  const address = mysqlAddress(inventory, dbServer, env);
  const login = mysqlLogin(env);
  const partSize = options.partSize ?? MAX_PART_BYTES;
  const client = await BotClient.create(telegram, { onRetry: options.events?.retry });
  const catalogFile = catalogPath(loaded.file);

  const sessions = await openSessions(loaded, management ? [dbServer, management] : [dbServer], options.connectTimeout);
  const db = sessions.get(dbServer.name)!;
  const id = newBackupId(now());
  const lock = await takeBackupLock(db, { by: auditIdentity(), at: now().toISOString(), pid: process.pid, id }).catch((error: unknown) => {
    closeAll(sessions);
    throw error;
  });
  try {
    const audited = audit(db, `${now().toISOString()} ${auditIdentity()} weclick backup now ${id} (${database})`, warn);
    const entry = await startEntry(catalogFile, {
      id,
      status: 'uploading',
      createdAt: now().toISOString(),
      source: { host: dbServer.name, database, ...(management ? { management: management.name } : {}) },
      chat: String(telegram.chat),
      ...(telegram.topic !== undefined ? { topic: telegram.topic } : {}),
      recipients,
      parts: [],
    });
    try {
      // Read beside the dump's start (a few round trips saved): the stream waits for them before its first byte.
      const filesRead = (async () => {
        const files = management ? await readMarzbanFiles(sessions.get(management.name)!, warn) : [];
        if (!management) warn('no server holds the management role: the backup has no Marzban files');
        else if (files.length === 0) warn(`no Marzban files found on ${management.name} (${MARZBAN_FILES.join(', ')})`);
        note(`backup ${id}: dumping ${database} on ${dbServer.name}${files.length ? ` with ${files.length} Marzban file(s) from ${management!.name}` : ''}`);
        return files;
      })();
      filesRead.catch(() => undefined); // awaited through the stream; never unhandled

      const sendPart = async (index: number, bytes: Buffer, final: boolean) => {
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        const name = partName(id, index);
        const sent = await client.sendDocument(bytes, name, partCaption(id, index, final ? index : undefined, bytes.length, sha256), `sendDocument (part ${index})`);
        await updateEntry(catalogFile, id, (e) =>
          recordPart(e, { index, name, bytes: bytes.length, sha256, messageId: sent.messageId, fileId: sent.fileId, fileUniqueId: sent.fileUniqueId, date: sent.date, state: 'present' }),
        );
        note(`part ${index}${final ? ` of ${index}` : ''} sent: ${formatBytes(bytes.length)}, message ${sent.messageId}`);
      };
      const streamed = await streamDump({ session: db, database, address, login }, { id, key: randomBytes(32), files: filesRead }, recipients, partSize, sendPart);
      const files = await filesRead;
      await audited;

      const total = streamed.parts;
      const sentParts = (await readCatalog(catalogFile)).backups.find((b) => b.id === id)?.parts ?? [];
      if (sentParts.length !== total || sentParts.some((p, i) => p.index !== i + 1)) throw new WeclickError(`Telegram confirmed ${sentParts.length} of ${total} parts`);
      // Captions were written before the total was known ("part 2/?"): complete them now.
      for (const part of sentParts.slice(0, -1)) await client.editCaption(part.messageId, partCaption(id, part.index, total, part.bytes, part.sha256));

      const done = await updateEntry(catalogFile, id, (e) => {
        e.sizes = { sqlBytes: streamed.scan.sqlBytes, compressedBytes: streamed.compressedBytes, encryptedBytes: streamed.encryptedBytes };
        e.tables = streamed.scan.tables;
        e.files = files.map(summarizeFile);
        if (streamed.scan.serverVersion) e.source.serverVersion = streamed.scan.serverVersion;
      });
      const finishedAt = now().toISOString();
      const manifest = buildManifest(done, finishedAt, DUMP_OPTIONS);
      const sent = await client.sendDocument(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), manifestName(id), manifestCaption(manifest), 'sendDocument (manifest)');
      const final = await updateEntry(catalogFile, id, (e) => {
        e.manifest = { messageId: sent.messageId, fileId: sent.fileId, date: sent.date, state: 'present' };
        e.status = 'done';
        e.finishedAt = finishedAt;
      });
      await client.pin(sent.messageId).catch((error: Error) => warn(`could not pin the manifest (${error.message}); the bot needs the pin right in the chat`));
      note(`backup ${id} done: ${total} part(s), ${formatBytes(streamed.encryptedBytes)}, manifest message ${sent.messageId}`);
      return { entry: final, warnings };
    } catch (error) {
      await failBackup(catalogFile, entry.id, error as Error, client, { database, host: dbServer.name }, warn);
      throw error;
    }
  } finally {
    await lock.release().catch(() => undefined);
    closeAll(sessions);
  }
}

async function startEntry(file: string, entry: CatalogEntry): Promise<CatalogEntry> {
  return updateCatalog(file, (catalog) => {
    // We hold the host's lock, so an entry still "uploading" for the same database was left by a process that died.
    for (const b of catalog.backups) {
      if (b.status === 'uploading' && b.source.host === entry.source.host && b.source.database === entry.source.database) {
        b.status = 'failed';
        b.error = 'abandoned: the process making it ended before it finished';
      }
    }
    catalog.backups.push(entry);
    return entry;
  });
}

/** Marks the backup failed, deletes what reached the chat (it is unusable), and tells the chat. */
async function failBackup(catalogFile: string, id: string, error: Error, client: BotClient, source: { database: string; host: string }, warn: (t: string) => void): Promise<void> {
  const failed = await updateEntry(catalogFile, id, (e) => {
    e.status = 'failed';
    e.error = error.message;
  }).catch(() => undefined);
  if (failed && (failed.parts.length > 0 || failed.manifest)) {
    const outcome = await removeMessages(client, failed).catch(() => undefined);
    if (outcome) await updateEntry(catalogFile, id, (e) => outcome.apply(e)).catch(() => undefined);
  }
  await client
    .sendMessage(`⚠️ weclick backup ${id} of ${source.database} on ${source.host} FAILED: ${error.message}`.slice(0, 4000), 'sendMessage (alert)')
    .catch((alertError: Error) => warn(`the failure alert did not reach Telegram either: ${alertError.message}`));
}

async function readMarzbanFiles(session: HostSession, warn: (t: string) => void): Promise<PayloadFile[]> {
  const result = await session.run(readFilesCommand(MARZBAN_FILES, MAX_FILE_BYTES), { sudo: true, timeoutMs: 60_000 });
  if (result.code !== 0) throw new WeclickError(`cannot read Marzban's files on ${session.target.name}: ${result.stderr.trim() || `exit ${result.code}`}`);
  const parsed = parseFilesOutput(result.stdout);
  for (const path of parsed.tooBig) warn(`${session.target.name}:${path} is larger than ${formatBytes(MAX_FILE_BYTES)}; left out`);
  return parsed.files;
}

async function audit(session: HostSession, line: string, warn: (t: string) => void): Promise<void> {
  const result = await session.shell(auditCommand(line), { sudo: true, timeoutMs: 10_000 }).catch((error: Error) => ({ code: 1, stderr: error.message }));
  if (result.code !== 0) warn(`could not write the audit log on ${session.target.name} (${result.stderr.trim().split('\n').pop() || `exit ${result.code}`}); the backup goes on`);
}

function summarizeFile(file: PayloadFile): FileSummary {
  return { path: file.path, bytes: file.bytes.length, sha256: createHash('sha256').update(file.bytes).digest('hex') };
}
