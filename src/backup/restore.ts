import { createHash } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { LoadedInventory } from '../base-command.js';
import { findServer } from '../inventory/select.js';
import type { Server } from '../inventory/schema.js';
import type { HostSession } from '../remote/session.js';
import type { EnvFile } from '../secrets/env-file.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { checkIdentities, decryptStream } from './age.js';
import { catalogPath, findEntry, readCatalog, type BackupStatus, type CatalogEntry, type CatalogPart } from './catalog.js';
import { DumpScanner, type ScanResult } from './dump-scan.js';
import { loadCommand, type MysqlAddress, type MysqlLogin } from './host-commands.js';
import { formatBytes } from './manifest.js';
import { PayloadParser, type PayloadFile } from './payload.js';
import { createDatabaseSql, databaseExists, decideTarget, dropDatabaseSql, existingTables, hostQuery, refused, type RestoreTarget } from './restore-target.js';
import { closeAll, openSessions } from './sessions.js';
import { loadIdentities, mysqlAddress, mysqlLogin, mysqlServer, sourceDatabase, telegramSettings } from './settings.js';
import { BotClient, TelegramFailure, type RetryNotice } from './telegram/client.js';
import { compareTables, type TableDifference } from './verify-compare.js';

/** Backups that can be restored: done ones, and expired ones (dropped by retention but still in the chat). */
export const RESTORABLE: BackupStatus[] = ['done', 'expired'];

export interface RestoreOptions {
  loaded: LoadedInventory;
  env: EnvFile;
  ref: string;
  database?: string;
  host?: string;
  identityFile?: string;
  overLive?: boolean;
  overwrite?: boolean;
  connectTimeout?: number;
  events?: { note?(text: string): void; retry?(notice: RetryNotice): void };
}

export interface RestoreResult {
  id: string;
  target: RestoreTarget;
  scan: ScanResult;
  /** Differences between what was loaded and the manifest (none when the payload is intact). */
  differences: TableDifference[];
  files: Array<{ path: string; bytes: number; writtenTo?: string }>;
  /** The checksum key from inside the payload: verify uses it to checksum a re-dump of the copy. */
  key: Buffer;
}

/**
 * A restore in two steps: `prepare` finds the backup, checks the target (refusing the live database or one with
 * tables unless told), downloads every part once and checks every hash and the age identity — all before anything
 * is written. The caller then asks for confirmation if `confirm` says so, and `run` loads.
 */
export class RestoreJob {
  private constructor(
    readonly entry: CatalogEntry,
    readonly target: RestoreTarget,
    readonly confirm: string | undefined,
    private readonly sessions: Map<string, HostSession>,
    private readonly session: HostSession,
    private readonly client: BotClient,
    private readonly identities: string[],
    private readonly firstPart: Buffer,
    private readonly address: MysqlAddress,
    private readonly login: MysqlLogin | undefined,
    private readonly note: (text: string) => void,
  ) {}

  static async prepare(options: RestoreOptions): Promise<RestoreJob> {
    const { loaded, env } = options;
    const note = (text: string) => options.events?.note?.(text);
    const found = findEntry(await readCatalog(catalogPath(loaded.file)), options.ref, RESTORABLE);
    if (!found.ok) throw new WeclickError(found.message, { exitCode: EXIT.badInput });
    const entry = found.entry;
    const { identities, source } = await loadIdentities(env, options.identityFile);
    const client = await BotClient.create(telegramSettings(loaded.inventory, env), { onRetry: options.events?.retry });

    const live = mysqlServer(loaded.inventory);
    const server: Server = options.host ? findServer(loaded.inventory, options.host) : live;
    const database = options.database ?? sourceDatabase(loaded.inventory, env);
    const address = mysqlAddress(loaded.inventory, server, env);
    const login = mysqlLogin(env);
    const sessions = await openSessions(loaded, [server], options.connectTimeout);
    const session = sessions.get(server.name)!;
    try {
      const tables = await existingTables(session, database, address, login);
      const target: RestoreTarget = { host: server.name, database, live: server.name === live.name && database === sourceDatabase(loaded.inventory, env), existingTables: tables };
      const decision = decideTarget(target, { overLive: options.overLive ?? false, overwrite: options.overwrite ?? false });
      if (decision.action === 'refuse') throw refused(decision.reason);
      note(`backup ${entry.id}: checking ${entry.parts.length} part(s) in the chat`);
      const firstPart = await checkParts(client, entry, note);
      await checkIdentities(firstPart, identities, entry.recipients, source);
      return new RestoreJob(entry, target, decision.confirm, sessions, session, client, identities, firstPart, address, login, note);
    } catch (error) {
      closeAll(sessions);
      throw error;
    }
  }

  /** Loads the backup into the target; optionally writes Marzban's files (secrets: mode 600) below `extractTo`. */
  async run(options: { extractTo?: string } = {}): Promise<RestoreResult> {
    const { database, host } = this.target;
    const createdHere = !(await databaseExists(this.session, database, this.address, this.login));
    await hostQuery(this.session, createDatabaseSql(database), this.address, this.login);
    this.note(`loading backup ${this.entry.id} into ${database} on ${host}`);
    let loaded: { scan: ScanResult; header: PayloadParser['header'] };
    try {
      loaded = await this.load();
    } catch (error) {
      // A half-loaded database that did not exist before is worth nothing: drop it rather than leave a trap.
      if (createdHere) await hostQuery(this.session, dropDatabaseSql(database), this.address, this.login).catch(() => undefined);
      throw error;
    }
    const differences = compareTables(this.entry.tables ?? [], loaded.scan.tables);
    const files = await writeFiles(loaded.header.files, options.extractTo);
    if (!loaded.header.key) throw new WeclickError('the backup payload has no checksum key');
    return { id: this.entry.id, target: this.target, scan: loaded.scan, differences, files, key: loaded.header.key };
  }

  close(): void {
    closeAll(this.sessions);
  }

  private async load(): Promise<{ scan: ScanResult; header: PayloadParser['header'] }> {
    const command = loadCommand(this.target.database, this.address, this.login);
    const loader = await this.session.spawn(command.argv);
    let stderr = '';
    loader.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-8192)));
    // stdin and stdout are one SSH channel: its output must flow, or the channel (and pipeline) never ends.
    loader.stdout.resume();
    loader.stdin.write(command.stdin);

    const parts = this.entry.parts;
    let next = 0;
    const encrypted = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const part = parts[next];
        if (!part) return controller.close();
        // Downloaded again and checked again: the chat could have changed since the first pass.
        const bytes = next === 0 ? this.firstPart : await fetchPart(this.client, part, parts.length);
        if (next > 0) assertHash(part, bytes, parts.length, 'changed in the chat during the restore');
        next++;
        controller.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      },
    });
    const decrypted = await decryptStream(encrypted, this.identities);
    let scanner: DumpScanner | undefined;
    const pending: Buffer[] = [];
    const parser = new PayloadParser((sql) => pending.push(sql));
    const split = async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        parser.write(chunk);
        for (const sql of pending.splice(0)) {
          scanner ??= new DumpScanner(parser.header.key ?? Buffer.alloc(32));
          scanner.write(sql);
          yield sql;
        }
      }
      parser.end();
    };
    let streamError: unknown;
    await pipeline(Readable.fromWeb(decrypted as never), createGunzip(), split, createGzip({ level: 1 }), loader.stdin).catch((error: unknown) => void (streamError = error));
    const end = await loader.done;
    // Our own failures (a part changed, a wrong key, a damaged stream) come first: they made the loader stop.
    if (streamError && !isWriteToClosedChannel(streamError)) throw decryptError(streamError);
    if (end.code !== 0 || end.connectionLost) {
      const why = end.connectionLost ? 'the connection was lost' : stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${end.code}`;
      throw new WeclickError(`loading into ${this.target.database} on ${this.target.host} failed: ${why}`);
    }
    if (streamError) throw decryptError(streamError);
    return { scan: (scanner ?? new DumpScanner(Buffer.alloc(32))).finish(), header: parser.header };
  }
}

/** First pass: every part downloaded and hashed before anything is written; returns part 1 (for the age header). */
async function checkParts(client: BotClient, entry: CatalogEntry, note: (text: string) => void): Promise<Buffer> {
  const parts = [...entry.parts].sort((a, b) => a.index - b.index);
  if (parts.length === 0 || parts.some((p, i) => p.index !== i + 1)) throw new WeclickError(`backup ${entry.id} has an incomplete list of parts in the catalog; nothing was restored`);
  let first: Buffer | undefined;
  for (const part of parts) {
    const bytes = await fetchPart(client, part, parts.length);
    assertHash(part, bytes, parts.length, 'is damaged');
    note(`part ${part.index}/${parts.length} ok (${formatBytes(bytes.length)}, sha256 matches)`);
    if (part.index === 1) first = bytes;
  }
  return first!;
}

async function fetchPart(client: BotClient, part: CatalogPart, total: number): Promise<Buffer> {
  try {
    return await client.download(part.fileId, `download (part ${part.index}/${total})`);
  } catch (error) {
    const why = error instanceof TelegramFailure ? error.message.replace(/^Telegram [^:]+: /, '') : (error as Error).message;
    throw new WeclickError(`part ${part.index}/${total} (message ${part.messageId}) cannot be downloaded from Telegram: ${why}; nothing was restored`);
  }
}

function assertHash(part: CatalogPart, bytes: Buffer, total: number, what: string): void {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== part.sha256 || bytes.length !== part.bytes) {
    throw new WeclickError(`part ${part.index}/${total} (message ${part.messageId}) ${what}: sha256 ${sha256} (${bytes.length} bytes), expected ${part.sha256} (${part.bytes} bytes); nothing was restored`);
  }
}

function isWriteToClosedChannel(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === 'EPIPE' || e?.code === 'ERR_STREAM_DESTROYED' || e?.code === 'ERR_STREAM_WRITE_AFTER_END' || /channel/i.test(e?.message ?? '');
}

function decryptError(error: unknown): Error {
  if (error instanceof WeclickError) return error;
  return new WeclickError(`the backup could not be decrypted or unpacked: ${(error as Error).message}`);
}

async function writeFiles(files: PayloadFile[], dir: string | undefined): Promise<RestoreResult['files']> {
  const out: RestoreResult['files'] = [];
  for (const file of files) {
    let writtenTo: string | undefined;
    if (dir) {
      writtenTo = join(resolve(dir), file.path.replace(/^\/+/, '').replaceAll('..', '__'));
      await mkdir(join(writtenTo, '..'), { recursive: true, mode: 0o700 });
      await writeFile(writtenTo, file.bytes, { mode: 0o600 });
      await chmod(writtenTo, 0o600);
    }
    out.push({ path: file.path, bytes: file.bytes.length, ...(writtenTo ? { writtenTo } : {}) });
  }
  return out;
}

