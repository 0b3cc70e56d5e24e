import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { describeIssue } from './issues.js';
import { locate } from './positions.js';
import { formatPath, sortProblems, type Problem } from './problems.js';
import { inventorySchema, type Inventory } from './schema.js';
import { checkSemantics } from './semantics.js';

export type LoadResult =
  | { ok: true; inventory: Inventory; doc: Document; text: string; file: string }
  | { ok: false; problems: Problem[]; file: string };

// Generous for a fleet, far below what an alias bomb expands to.
const MAX_ALIAS_COUNT = 100;
const MAX_BYTES = 5 * 1024 * 1024;

export async function loadInventory(file: string): Promise<LoadResult> {
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > MAX_BYTES) return fail(file, `file is ${bytes.length} bytes; an inventory may be at most ${MAX_BYTES}`);
    text = decodeUtf8(bytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(file, 'inventory file not found (create one with `weclick init`, or pass --inventory FILE)');
    if (code === 'EISDIR') return fail(file, 'is a directory, not an inventory file');
    if (code === 'ERR_ENCODING_INVALID_ENCODED_DATA') return fail(file, 'is not valid UTF-8 text');
    return fail(file, `cannot read: ${(error as Error).message}`);
  }
  return parseInventory(text, file);
}

export function parseInventory(text: string, file: string): LoadResult {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true, strict: true });
  const yamlProblems = [...doc.errors, ...doc.warnings].map((e) => {
    const pos = counter.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, message: firstLine(e.message) };
  });
  if (doc.errors.length > 0) return { ok: false, problems: sortProblems(yamlProblems), file };

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return fail(file, `cannot expand the document: ${firstLine((error as Error).message)}`);
  }
  if (raw === null || raw === undefined) return fail(file, 'the inventory is empty; it needs a fleet: section and a servers: list');

  const problems: Problem[] = [];
  const parsed = inventorySchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path as (string | number)[];
      // One problem per unknown key, each at its own line.
      const keys: (string | undefined)[] = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const one = key === undefined ? issue : ({ ...issue, keys: [key] } as typeof issue);
        const pos = locate(doc, counter, path, key);
        problems.push({ file, ...pos, field: formatPath(path) || undefined, message: describeIssue(one, valueAt(raw, path), allowedKeys(issue, path)) });
      }
    }
  }
  for (const issue of checkSemantics(raw)) {
    problems.push({ file, ...locate(doc, counter, issue.path), field: formatPath(issue.path), message: issue.message });
  }
  if (problems.length > 0 || !parsed.success) return { ok: false, problems: sortProblems(problems), file };
  return { ok: true, inventory: parsed.data, doc, text, file };
}

function allowedKeys(issue: { code: string }, path: (string | number)[]): string[] {
  if (issue.code !== 'unrecognized_keys') return [];
  let schema: unknown = inventorySchema;
  for (const part of path) schema = childSchema(schema, part);
  const shape = (unwrap(schema) as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

// Walks a zod schema along a data path, through arrays, records, optionals and defaults.
function childSchema(schema: unknown, part: string | number): unknown {
  let s = unwrap(schema) as { shape?: Record<string, unknown>; element?: unknown; valueType?: unknown } | undefined;
  if (!s) return undefined;
  if (typeof part === 'number') return s.element;
  return s.shape?.[part] ?? s.valueType;
}

function unwrap(schema: unknown): unknown {
  let s = schema as { unwrap?: () => unknown; def?: { innerType?: unknown } } | undefined;
  for (let i = 0; i < 5 && s; i++) {
    if (s.def?.innerType) s = s.def.innerType as typeof s;
    else break;
  }
  return s;
}

function valueAt(raw: unknown, path: (string | number)[]): unknown {
  let value = raw;
  for (const part of path) value = (value as Record<string | number, unknown> | undefined)?.[part];
  return value;
}

function decodeUtf8(bytes: Buffer): string {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

function fail(file: string, message: string): LoadResult {
  return { ok: false, file, problems: [{ file, message }] };
}
