/** Telegram bots may download files up to 20 MB (getFile); parts stay under it so a bot can fetch them back. */
export const MAX_PART_BYTES = 19 * 1024 * 1024;
export const MIN_PART_BYTES = 64 * 1024;

/**
 * Cuts a byte stream into parts of exactly `size` bytes (the last one shorter). Bytes are copied once, straight
 * into the part being filled, so memory holds one part being cut (plus the one the caller is sending).
 *
 * Part buffers go back to the cutter once sent (`release`) and are reused: freeing and reallocating 19 MB blocks
 * makes glibc raise its mmap threshold, after which the stream's small chunks fragment the heap and the process
 * keeps growing. Two buffers, reused, keep memory flat whatever the dump's size.
 */
export class PartCutter {
  private part?: Buffer;
  private held = 0;
  private readonly spare: Buffer[] = [];

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`part size must be a positive integer, got ${size}`);
  }

  /** Adds bytes; returns the parts that are now complete. */
  push(chunk: Uint8Array): Buffer[] {
    const parts: Buffer[] = [];
    let at = 0;
    while (at < chunk.byteLength) {
      this.part ??= this.spare.pop() ?? Buffer.allocUnsafeSlow(this.size);
      const take = Math.min(this.size - this.held, chunk.byteLength - at);
      this.part.set(chunk.subarray(at, at + take), this.held);
      this.held += take;
      at += take;
      if (this.held === this.size) {
        parts.push(this.part);
        this.part = undefined;
        this.held = 0;
      }
    }
    return parts;
  }

  /** Gives back a part (or the last part's view of one) once it is sent, for reuse. */
  release(part: Buffer): void {
    if (part.buffer.byteLength !== this.size || this.spare.length >= 2) return;
    this.spare.push(Buffer.from(part.buffer, 0, this.size));
  }

  /** The last, partial part (undefined when the bytes ended on a part boundary). */
  flush(): Buffer | undefined {
    if (!this.part || this.held === 0) return undefined;
    const last = this.part.subarray(0, this.held);
    this.part = undefined;
    this.held = 0;
    return last;
  }
}

/** Parses a part size such as 19M, 512K or 1048576 (bytes). */
export function parsePartSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([KM]i?B?)?$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? '').toUpperCase()[0];
  const bytes = Math.floor(Number(match[1]) * (unit === 'M' ? 1024 * 1024 : unit === 'K' ? 1024 : 1));
  return bytes >= MIN_PART_BYTES && bytes <= MAX_PART_BYTES ? bytes : undefined;
}
