import { readFile } from 'node:fs/promises';
import { isCollection, isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
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
const TOO_DEEP = 'nested too deeply to read (hundreds of levels; an inventory needs a handful)';

export async function loadInventory(file: string): Promise<LoadResult> {
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > MAX_BYTES) return fail(file, `file is ${bytes.length} bytes; an inventory may be at most ${MAX_BYTES}`);
    const encoding = otherEncoding(bytes);
    if (encoding) return fail(file, `is ${encoding} text, not UTF-8: save it as UTF-8`);
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
  // yaml's own uniqueKeys check compares each key with every earlier one: a map of 20,000 keys took minutes.
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: false, strict: true });
  } catch (error) {
    // The parser (unlike the composer) lets a stack overflow out: thousands of nested "- - - ...".
    return fail(file, error instanceof RangeError ? TOO_DEEP : `cannot read the YAML: ${firstLine((error as Error).message)}`);
  }
  const at = (offset: number, message: string): Problem => {
    const pos = counter.linePos(offset);
    return { file, line: pos.line, column: pos.col, message };
  };
  const duplicates = doc.errors.length > 0 ? [] : duplicateKeys(doc);
  if (doc.errors.length > 0 || duplicates.length > 0) {
    const problems = [
      ...[...doc.errors, ...doc.warnings].map((e) => at(e.pos[0], yamlMessage(e))),
      ...duplicates.map((offset) => at(offset, 'Map keys must be unique')),
    ];
    return { ok: false, problems: sortProblems(problems), file };
  }

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

/**
 * Every repeated key of every map, by offset, in one pass (an explicit stack: no recursion on deep documents).
 * Keys compare as yaml's uniqueKeys does: scalars by value.
 */
function duplicateKeys(doc: Document): number[] {
  const offsets: number[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!isCollection(node)) continue;
    const seen = isMap(node) ? new Set<unknown>() : undefined;
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        if (seen && isScalar(item.key)) {
          if (seen.has(item.key.value)) offsets.push(item.key.range?.[0] ?? 0);
          else seen.add(item.key.value);
        }
        stack.push(item.key, item.value);
      } else stack.push(item);
    }
  }
  return offsets;
}

/** A name for text that is not UTF-8 but announces another encoding, or NUL bytes no text file holds. */
function otherEncoding(bytes: Buffer): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'UTF-16 (little-endian, with a byte-order mark)';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'UTF-16 (big-endian, with a byte-order mark)';
  if (bytes.includes(0)) return 'binary or UTF-16 (it contains NUL bytes)';
  return undefined;
}

function decodeUtf8(bytes: Buffer): string {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The YAML library's words, where they would send the operator to its API or its internals. */
function yamlMessage(error: { code: string; message: string }): string {
  if (error.code === 'RESOURCE_EXHAUSTION') return TOO_DEEP;
  if (error.code === 'MULTIPLE_DOCS') return 'a second YAML document starts here (---): an inventory is one document';
  return firstLine(error.message);
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

function fail(file: string, message: string): LoadResult {
  return { ok: false, file, problems: [{ file, message }] };
}
