import type { Writable } from 'node:stream';
import { createGunzip, gzipSync } from 'node:zlib';
import type { HostSession } from '../remote/session.js';
import { WeclickError } from '../ui/errors.js';
import { encryptToAge } from './age.js';
import { DumpScanner, type ScanResult } from './dump-scan.js';
import { dumpCommand, type MysqlAddress, type MysqlLogin } from './host-commands.js';
import { PartCutter } from './part-cutter.js';
import { encodeHeader, PayloadParser, type PayloadHeader } from './payload.js';

export interface StreamedDump {
  scan: ScanResult;
  compressedBytes: number;
  encryptedBytes: number;
  parts: number;
}

export interface DumpSource {
  session: HostSession;
  database: string;
  address: MysqlAddress;
  login?: MysqlLogin;
}

/**
 * mysqldump | gzip on the database host → (weclick) age encryption → parts of `partSize` bytes handed to `sendPart`
 * one at a time, while a gunzipped copy of the same bytes is scanned for tables, row counts and checksums. Nothing
 * is held but the part being cut and the one being sent; nothing touches the operator's disk.
 *
 * The last part is handed over only after mysqldump exited 0 and wrote its "Dump completed" line, so a failed
 * dump can never end in a backup that looks complete. `sendPart` gets `final: true` for it.
 */
export async function streamDump(
  source: DumpSource,
  // The dump starts at once; the header (Marzban's files) may still be on its way, and goes first in the stream.
  header: { id: string; key: Buffer; files: Promise<PayloadHeader['files']> },
  recipients: string[],
  partSize: number,
  sendPart: (index: number, bytes: Buffer, final: boolean) => Promise<void>,
): Promise<StreamedDump> {
  const command = dumpCommand(source.database, source.address, source.login);
  const dump = await source.session.spawn(command.argv);
  dump.stdin.end(command.stdin);
  let stderr = '';
  dump.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-8192)));

  const scanner = new DumpScanner(header.key);
  const parser = new PayloadParser((sql) => scanner.write(sql));
  // A roomy write buffer: the scan runs beside the upload instead of pacing it chunk by chunk.
  const gunzip = createGunzip({ writableHighWaterMark: 1024 * 1024 } as never);
  let scanError: unknown;
  gunzip.on('data', (chunk: Buffer) => {
    try {
      parser.write(chunk);
    } catch (error) {
      scanError ??= error;
    }
  });
  const scanned = new Promise<void>((resolve, reject) => {
    gunzip.on('end', resolve);
    gunzip.on('error', reject);
  });
  scanned.catch(() => undefined); // awaited below; a failure before then must not be unhandled

  let compressedBytes = 0;
  // The gzip stream, each chunk also handed to the scanner (which may slow it down, never lose it).
  const plain = async function* (): AsyncGenerator<Buffer> {
    try {
      for (const chunk of [gzipSync(encodeHeader({ ...header, files: await header.files }))]) {
        compressedBytes += chunk.length;
        await writeRespectingBackpressure(gunzip, chunk);
        yield chunk;
      }
      for await (const chunk of dump.stdout as AsyncIterable<Buffer>) {
        compressedBytes += chunk.length;
        await writeRespectingBackpressure(gunzip, chunk);
        yield chunk;
      }
      gunzip.end();
    } finally {
      if (!gunzip.writableEnded) {
        (dump.stdout as unknown as { destroy(): void }).destroy();
        gunzip.destroy();
      }
    }
  };

  const cutter = new PartCutter(partSize);
  const sender = new OneAtATime(async (index, bytes, final) => {
    await sendPart(index, bytes, final);
    cutter.release(bytes);
  });
  let encryptedBytes = 0;
  for await (const chunk of encryptToAge(plain(), recipients)) {
    encryptedBytes += chunk.byteLength;
    for (const part of cutter.push(chunk)) await sender.add(part, false);
  }

  const end = await dump.done;
  const host = source.session.target.name;
  if (end.connectionLost) throw new WeclickError(`the connection to ${host} was lost during the dump`);
  if (end.code !== 0) {
    throw new WeclickError(`mysqldump failed on ${host} (exit ${end.code ?? end.signal})${stderr.trim() ? `: ${lastLines(stderr)}` : ''}`);
  }
  await scanned.catch((error: Error) => {
    throw new WeclickError(`the dump stream from ${host} is damaged: ${error.message}`);
  });
  if (scanError) throw new WeclickError(`the backup payload is malformed: ${(scanError as Error).message}`);
  parser.end();
  const scan = scanner.finish();
  if (!scan.completed) throw new WeclickError(`the dump from ${host} is incomplete: mysqldump exited 0 but never wrote its "Dump completed" line`);
  if (scan.tables.length === 0) throw new WeclickError(`the dump of ${source.database} on ${host} holds no tables: refusing to call an empty backup done`);

  const last = cutter.flush();
  if (last) await sender.add(last, true);
  await sender.finish();
  return { scan, compressedBytes, encryptedBytes, parts: sender.count };
}

/** Sends parts one after another; the next one is cut while the previous one uploads. */
class OneAtATime {
  count = 0;
  private inflight?: Promise<void>;
  private failure?: { error: unknown };

  constructor(private readonly send: (index: number, bytes: Buffer, final: boolean) => Promise<void>) {}

  async add(bytes: Buffer, final: boolean): Promise<void> {
    await this.inflight;
    if (this.failure) throw this.failure.error;
    const index = ++this.count;
    this.inflight = this.send(index, bytes, final).catch((error: unknown) => void (this.failure = { error }));
  }

  async finish(): Promise<void> {
    await this.inflight;
    if (this.failure) throw this.failure.error;
  }
}

async function writeRespectingBackpressure(stream: Writable, chunk: Buffer): Promise<void> {
  if (stream.destroyed) throw new Error('the scanner stopped');
  if (stream.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (error?: unknown) => {
      stream.off('drain', onDrain).off('error', onError).off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onError = (error: unknown) => done(error);
    const onClose = () => done();
    stream.on('drain', onDrain).on('error', onError).on('close', onClose);
  });
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}
