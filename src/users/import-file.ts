import { InputError } from './units.js';
import { userSpec, type UserFields, type UserSpec } from './user-spec.js';

export interface ImportRow {
  line: number;
  fields: UserFields;
}

export interface RowProblem {
  line: number;
  message: string;
}

// Import columns and the UserFields they fill; export-only columns are accepted and ignored, so an export
// can be edited and imported elsewhere.
const COLUMNS: Record<string, keyof UserFields> = {
  username: 'username',
  data_limit: 'dataLimit',
  expire: 'expire',
  protocols: 'protocols',
  reset: 'reset',
  data_limit_reset_strategy: 'reset',
  on_hold: 'onHold',
  note: 'note',
  admin: 'admin',
};
const IGNORED = new Set(['status', 'used_traffic', 'lifetime_traffic', 'created_at', 'online_at']);
const normalize = (key: string) => key.trim().replace(/([a-z])([A-Z])/g, '$1_$2').replaceAll('-', '_').toLowerCase();

export type ImportFormat = 'csv' | 'json';

export function formatOf(file: string, explicit?: string): ImportFormat {
  const format = (explicit ?? file.split('.').pop() ?? '').toLowerCase();
  if (format === 'csv' || format === 'json') return format;
  throw new InputError(`cannot tell the format of '${file}': name it .csv or .json, or pass --format csv|json`);
}

/**
 * The file was not UTF-8 text: NUL bytes (UTF-16, binary) or replacement characters where the UTF-8 decoding
 * failed (Latin-1, Windows-1252). One problem for the whole file, instead of a garbled one per column or row.
 */
function encodingProblem(text: string): RowProblem | undefined {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return { line: lineAt(text, nul), message: 'the file holds NUL bytes: it is UTF-16 or binary, not UTF-8 text; save it as UTF-8' };
  const replaced = text.indexOf('\uFFFD');
  if (replaced >= 0) return { line: lineAt(text, replaced), message: 'the file is not valid UTF-8 (Latin-1 or Windows-1252?); save it as UTF-8' };
  return undefined;
}

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** Rows of a CSV file (header line first) with their line numbers; problems for rows that cannot be read. */
export async function readCsv(text: string): Promise<{ rows: ImportRow[]; problems: RowProblem[] }> {
  const encoding = encodingProblem(text);
  if (encoding) return { rows: [], problems: [encoding] };
  const { parse } = await import('csv-parse/sync');
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    // csv-parse counts the \r and the \n of a CRLF inside a quoted cell as two lines, so every line number after
    // a multi-line cell was off by one; with plain \n it counts right (a cell's own CRLF becomes \n).
    records = parse(text.replace(/\r\n/g, '\n'), { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    const e = error as { lines?: number; message: string };
    return { rows: [], problems: [{ line: e.lines ?? 1, message: `unreadable CSV: ${e.message.replace(/^Invalid Record Length: |^Quote Not Closed: /, '')}` }] };
  }
  const [header, ...body] = records;
  if (!header) return { rows: [], problems: [{ line: 1, message: 'the file is empty: it needs a header line (username,data_limit,expire,...)' }] };
  const problems: RowProblem[] = [];
  const keys = header.record.map(normalize);
  keys.forEach((key) => {
    if (!(key in COLUMNS) && !IGNORED.has(key)) problems.push({ line: header.info.lines, message: `unknown column '${key}' (columns: ${Object.keys(COLUMNS).join(', ')})` });
  });
  if (!keys.includes('username')) problems.push({ line: header.info.lines, message: 'the header has no username column' });
  if (problems.length > 0) return { rows: [], problems };
  const rows: ImportRow[] = [];
  for (const { record, info } of body) {
    if (record.length !== keys.length) {
      problems.push({ line: info.lines, message: `has ${record.length} fields; the header has ${keys.length}` });
      continue;
    }
    const fields: UserFields = {};
    keys.forEach((key, i) => {
      const field = COLUMNS[key];
      if (field) fields[field] = record[i];
    });
    rows.push({ line: info.lines, fields });
  }
  return { rows, problems };
}

/** Rows of a JSON array of user objects, each with the line its object starts on. */
export function readJson(text: string): { rows: ImportRow[]; problems: RowProblem[] } {
  const encoding = encodingProblem(text);
  if (encoding) return { rows: [], problems: [encoding] };
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { rows: [], problems: [{ line: lineOfJsonError(text, error as Error), message: `unreadable JSON: ${(error as Error).message}` }] };
  }
  if (!Array.isArray(data)) return { rows: [], problems: [{ line: 1, message: 'expected a JSON array of users: [{"username": "alice", ...}]' }] };
  const lines = elementLines(text);
  const rows: ImportRow[] = [];
  const problems: RowProblem[] = [];
  data.forEach((item, i) => {
    const line = lines[i] ?? 1;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return problems.push({ line, message: 'each entry must be an object with at least a username' });
    const fields: UserFields = {};
    for (const [rawKey, value] of Object.entries(item as Record<string, unknown>)) {
      const key = normalize(rawKey);
      const field = COLUMNS[key];
      if (!field) {
        if (!IGNORED.has(key)) problems.push({ line, message: `unknown field '${rawKey}'` });
        continue;
      }
      const text = jsonFieldText(field, value);
      if (text === undefined) problems.push({ line, message: `${rawKey} must be a string${field === 'dataLimit' || field === 'expire' ? ' or a number' : field === 'protocols' ? ' or an array of strings' : ''}` });
      else fields[field] = text;
    }
    rows.push({ line, fields });
    return undefined;
  });
  return { rows, problems };
}

function jsonFieldText(field: keyof UserFields, value: unknown): string | undefined {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (field === 'dataLimit') return String(value);
    // Unix seconds, as Marzban stores them; 0 means never.
    if (field === 'expire') {
      if (value === 0) return 'never';
      // Past what a Date holds, the number as written: the expiry check then refuses it in words.
      const date = new Date(value * 1000);
      return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
    }
  }
  if (field === 'protocols' && Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  return undefined;
}

/**
 * Checks every row and the names against each other and the database. Returns the specs only when all rows
 * are good; otherwise every problem, each with its line.
 */
export function checkRows(rows: ImportRow[], existing: Set<string>, nowSeconds: number): { specs: UserSpec[]; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const specs: UserSpec[] = [];
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    try {
      const spec = userSpec(row.fields, nowSeconds);
      const seen = firstLine.get(spec.username);
      if (seen !== undefined) problems.push({ line: row.line, message: `duplicate username '${spec.username}' (first on line ${seen})` });
      else if (existing.has(spec.username)) problems.push({ line: row.line, message: `user '${spec.username}' already exists` });
      else specs.push(spec);
      firstLine.set(spec.username, seen ?? row.line);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push({ line: row.line, message: error.message });
    }
  }
  return { specs, problems: problems.sort((a, b) => a.line - b.line) };
}

/** Line numbers where each top-level array element starts. */
function elementLines(text: string): number[] {
  const out: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') line++;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (depth === 1 && expectValue && !/\s/.test(ch) && ch !== ',' && ch !== ']') {
      out.push(line);
      expectValue = false;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 1) expectValue = true;
  }
  return out;
}

function lineOfJsonError(text: string, error: Error): number {
  const pos = /position (\d+)/.exec(error.message);
  return pos ? text.slice(0, Number(pos[1])).split('\n').length : 1;
}
