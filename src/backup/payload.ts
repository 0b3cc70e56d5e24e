// What is inside the encrypted stream, once gunzipped:
//
//   WECLICK-BACKUP 1\n
//   ID <backup id>\n
//   KEY <64 hex>\n                     key of the per-table checksums (kept out of the plain-text manifest)
//   FILE <size> <JSON path>\n<bytes>   one per Marzban file, repeated
//   DUMP mysqldump\n
//   <the SQL, to the end>
//
// The header is gzipped by weclick and the SQL by gzip on the database host; concatenated gzip members are one
// valid gzip stream, so the dump never has to pass through weclick uncompressed.

export const PAYLOAD_MAGIC = 'WECLICK-BACKUP 1';
/** Marzban's config files are small; anything bigger is not what we meant to back up. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
const MAX_LINE = 4096;

export interface PayloadFile {
  path: string;
  bytes: Buffer;
}

export interface PayloadHeader {
  id: string;
  key: Buffer;
  files: PayloadFile[];
}

export function encodeHeader(header: PayloadHeader): Buffer {
  const parts: Buffer[] = [Buffer.from(`${PAYLOAD_MAGIC}\nID ${header.id}\nKEY ${header.key.toString('hex')}\n`)];
  for (const file of header.files) parts.push(Buffer.from(`FILE ${file.bytes.length} ${JSON.stringify(file.path)}\n`), file.bytes);
  parts.push(Buffer.from('DUMP mysqldump\n'));
  return Buffer.concat(parts);
}

export class PayloadError extends Error {}

/**
 * Splits a gunzipped payload as it streams: header lines and files are collected (they are small), SQL chunks are
 * handed on as they come. Memory stays bounded whatever the dump's size.
 */
export class PayloadParser {
  private state: 'magic' | 'lines' | 'file' | 'sql' = 'magic';
  private pending = Buffer.alloc(0);
  private file?: { path: string; size: number; chunks: Buffer[]; got: number };
  readonly header: { id?: string; key?: Buffer; files: PayloadFile[] } = { files: [] };

  constructor(private readonly onSql: (chunk: Buffer) => void) {}

  get inSql(): boolean {
    return this.state === 'sql';
  }

  write(chunk: Buffer): void {
    if (this.state === 'sql') return this.onSql(chunk);
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length > 0) {
      if (this.inSql) return this.onSql(data);
      if (this.state === 'file') {
        data = this.takeFileBytes(data);
        continue;
      }
      const newline = data.indexOf(0x0a);
      if (newline < 0) {
        if (data.length > MAX_LINE) throw new PayloadError('not a weclick backup: header line too long');
        this.pending = Buffer.from(data);
        return;
      }
      this.line(data.subarray(0, newline).toString('utf8'));
      data = data.subarray(newline + 1);
    }
  }

  /** Call at the end of the stream: a payload that never reached its SQL is damaged. */
  end(): void {
    if (this.state !== 'sql') throw new PayloadError('the backup ends before its SQL dump begins');
  }

  private line(text: string): void {
    if (this.state === 'magic') {
      if (text !== PAYLOAD_MAGIC) throw new PayloadError('not a weclick backup (unknown payload format)');
      this.state = 'lines';
      return;
    }
    const [word, ...rest] = text.split(' ');
    const value = rest.join(' ');
    if (word === 'ID') this.header.id = value;
    else if (word === 'KEY' && /^[0-9a-f]{64}$/.test(value)) this.header.key = Buffer.from(value, 'hex');
    else if (word === 'FILE') this.startFile(value);
    else if (word === 'DUMP') this.state = 'sql';
    else throw new PayloadError(`not a weclick backup: unexpected header line '${text.slice(0, 40)}'`);
  }

  private startFile(value: string): void {
    const space = value.indexOf(' ');
    const size = Number(value.slice(0, space));
    let path: unknown;
    try {
      path = JSON.parse(value.slice(space + 1));
    } catch {
      path = undefined;
    }
    if (!Number.isInteger(size) || size < 0 || size > MAX_FILE_BYTES || typeof path !== 'string') throw new PayloadError('not a weclick backup: bad FILE line');
    this.file = { path, size, chunks: [], got: 0 };
    this.state = 'file';
    if (size === 0) this.finishFile();
  }

  private takeFileBytes(data: Buffer): Buffer {
    const file = this.file!;
    const take = Math.min(file.size - file.got, data.length);
    file.chunks.push(Buffer.from(data.subarray(0, take)));
    file.got += take;
    if (file.got === file.size) this.finishFile();
    return data.subarray(take);
  }

  private finishFile(): void {
    const file = this.file!;
    this.header.files.push({ path: file.path, bytes: Buffer.concat(file.chunks) });
    this.file = undefined;
    this.state = 'lines';
  }
}
