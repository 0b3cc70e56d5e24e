import { createHmac, type Hmac } from 'node:crypto';
import type { TableSummary } from './catalog.js';

export interface ScanResult {
  tables: TableSummary[];
  sqlBytes: number;
  /** mysqldump writes "-- Dump completed" last; without it the dump stopped early. */
  completed: boolean;
  serverVersion?: string;
}

const INSERT = Buffer.from('INSERT INTO `');
const CREATE = Buffer.from('CREATE TABLE `');
const COMPLETED = Buffer.from('-- Dump completed');
const SERVER_VERSION = Buffer.from('-- Server version');
const VALUES = Buffer.from(' VALUES');
const NL = Buffer.from('\n');

interface TableState {
  rows: number;
  hmac: Hmac;
}

/**
 * Reads mysqldump's output as it streams and counts each table's rows, with a keyed checksum of its INSERT lines.
 * mysqldump writes one statement per line (newlines inside values are escaped), so a line-by-line scan is exact;
 * a row is a top-level parenthesised tuple, found by skipping quoted strings (backslash or doubled-quote escapes).
 * Run on the dump at backup time and on a re-dump of the restored copy, the results must be equal.
 */
export class DumpScanner {
  private readonly tables = new Map<string, TableState>();
  private pending: Buffer[] = [];
  private sqlBytes = 0;
  private completed = false;
  private serverVersion?: string;
  /** The table whose multi-line INSERT we are in (MariaDB ≥ 10.11.x writes one row per line). */
  private inInsert?: TableState;

  constructor(private readonly key: Buffer) {}

  write(chunk: Buffer): void {
    this.sqlBytes += chunk.length;
    let start = 0;
    if (this.pending.length > 0) {
      const newline = chunk.indexOf(0x0a);
      if (newline < 0) {
        this.pending.push(Buffer.from(chunk));
        return;
      }
      this.pending.push(chunk.subarray(0, newline));
      const line = Buffer.concat(this.pending);
      this.pending = [];
      this.line(line);
      start = newline + 1;
    }
    // Fast path, the bulk of a dump: row lines counted in place and hashed as one span per chunk.
    let span = -1;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) break;
      const table = this.inInsert;
      if (table) {
        if (span < 0) span = start;
        table.rows += countTuples(chunk, start, newline);
        if (newline > start && chunk[newline - 1] === 0x3b) {
          table.hmac.update(chunk.subarray(span, newline + 1));
          span = -1;
          this.inInsert = undefined;
        }
      } else {
        this.line(chunk.subarray(start, newline));
      }
      start = newline + 1;
    }
    if (span >= 0) this.inInsert!.hmac.update(chunk.subarray(span, start));
    if (start < chunk.length) this.pending.push(Buffer.from(chunk.subarray(start)));
  }

  finish(): ScanResult {
    if (this.pending.length > 0) this.line(Buffer.concat(this.pending));
    this.pending = [];
    return {
      tables: [...this.tables].map(([name, t]) => ({ name, rows: t.rows, checksum: t.hmac.digest('hex') })),
      sqlBytes: this.sqlBytes,
      completed: this.completed,
      ...(this.serverVersion ? { serverVersion: this.serverVersion } : {}),
    };
  }

  private table(name: string): TableState {
    let state = this.tables.get(name);
    if (!state) this.tables.set(name, (state = { rows: 0, hmac: createHmac('sha256', this.key) }));
    return state;
  }

  private line(line: Buffer): void {
    if (this.inInsert) {
      this.insertLine(this.inInsert, line, 0);
    } else if (startsWith(line, INSERT)) {
      const name = quotedName(line, INSERT.length);
      if (name === undefined) return;
      const values = line.indexOf(VALUES, INSERT.length + name.raw);
      if (values < 0) return;
      this.insertLine(this.table(name.name), line, values + VALUES.length);
    } else if (startsWith(line, CREATE)) {
      const name = quotedName(line, CREATE.length);
      if (name) this.table(name.name);
    } else if (startsWith(line, COMPLETED)) this.completed = true;
    else if (startsWith(line, SERVER_VERSION)) this.serverVersion = line.subarray(SERVER_VERSION.length).toString('utf8').trim();
  }

  // A statement ends with ';' at the end of a line: values never hold a raw newline (mysqldump escapes it), so a
  // row line ends with "),", the last one with ");".
  private insertLine(table: TableState, line: Buffer, from: number): void {
    table.rows += countTuples(line, from, line.length);
    table.hmac.update(line).update(NL);
    this.inInsert = line[line.length - 1] === 0x3b ? undefined : table;
  }
}

function startsWith(line: Buffer, prefix: Buffer): boolean {
  return line.length >= prefix.length && line[0] === prefix[0] && line.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

/** A backquoted identifier starting at `from` (after the opening backquote); `` is an escaped backquote. */
function quotedName(line: Buffer, from: number): { name: string; raw: number } | undefined {
  let at = from;
  for (;;) {
    const close = line.indexOf(0x60, at);
    if (close < 0) return undefined;
    if (line[close + 1] === 0x60) {
      at = close + 2;
      continue;
    }
    return { name: line.subarray(from, close).toString('utf8').replaceAll('``', '`'), raw: close + 1 - from };
  }
}

/** Number of top-level (…) tuples in line[from, end), skipping quoted strings. */
export function countTuples(line: Buffer, from: number, end: number): number {
  let rows = 0;
  let depth = 0;
  let i = from;
  while (i < end) {
    const c = line[i]!;
    if (c === 0x27) {
      i = endOfString(line, i + 1, end);
      continue;
    }
    if (c === 0x28) {
      if (depth === 0) rows++;
      depth++;
    } else if (c === 0x29) depth--;
    i++;
  }
  return rows;
}

// Index just past the closing quote of a string whose content starts at `from` (at most `end`).
function endOfString(line: Buffer, from: number, end: number): number {
  let i = from;
  for (;;) {
    const quote = line.indexOf(0x27, i);
    if (quote < 0 || quote >= end) return end;
    let backslashes = 0;
    for (let b = quote - 1; b >= i && line[b] === 0x5c; b--) backslashes++;
    if (backslashes % 2 === 1) {
      i = quote + 1;
      continue;
    }
    if (quote + 1 < end && line[quote + 1] === 0x27) {
      i = quote + 2;
      continue;
    }
    return quote + 1;
  }
}
