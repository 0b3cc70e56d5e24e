// Issue 9 (4), bad input, in process: property-based fuzzing (fast-check) of the inventory loader and of the
// CSV/JSON reading of `users import`. It extends test/unit/inventory/fuzz.test.ts (random text, JSON shapes and
// mutations of the example) with hostile values in every field, nesting, aliases, duplicate keys, line endings,
// encodings and sizes, and holds what a crash is to the same rule as the CLI suites: nothing throws, every
// problem renders as one line, and whatever is accepted is safe to use.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadInventory, parseInventory, type LoadResult } from '../../src/inventory/load.js';
import { formatProblem } from '../../src/inventory/problems.js';
import { inventorySchema } from '../../src/inventory/schema.js';
import { escapeUnsafe } from '../../src/ui/one-line.js';
import { checkRows, readCsv, readJson, type ImportRow, type RowProblem } from '../../src/users/import-file.js';
import { USERNAME_PATTERN } from '../../src/users/user-spec.js';
import { SCALE, sized } from './figures.js';
import { recordFuzzPart, UNSAFE } from './fuzz-cli.js';

const EXAMPLE = readFileSync(new URL('../../inventory.example.yaml', import.meta.url), 'utf8');
const FILE = 'fuzz.yaml';
const RUNS = sized(200, 3000);
const SEED = Number(process.env.WECLICK_FUZZ_SEED ?? (SCALE === 'full' ? Date.now() % 2 ** 31 : 20250609));
const NOW = Math.floor(Date.UTC(2026, 0, 1) / 1000);
const dir = mkdtempSync(join(tmpdir(), 'weclick-fuzz-parsers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let tried = 0;
const failures: string[] = [];

/** Runs a property, counting its inputs; a counterexample is recorded (with its seed and path) instead of thrown. */
function property<T>(name: string, arb: fc.Arbitrary<T>, predicate: (value: T) => void | Promise<void>, runs = RUNS): Promise<void> {
  return (async () => {
    const result = await fc.check(fc.asyncProperty(arb, async (v) => predicate(v)), { numRuns: runs, seed: SEED, endOnFailure: true });
    tried += result.numRuns;
    if (!result.failed) return;
    const report = `${name}: ${fc.defaultReportMessage(result)?.split('\n').slice(0, 12).join('\n')}`;
    failures.push(report);
    throw new Error(report);
  })();
}

// --- hostile text ------------------------------------------------------------------------------------------

const SHELL = [';', '|', '&', '$', '(', ')', '`', "'", '"', '<', '>', '*', '?', '~', '\\', '!', '#', '{', '}', '[', ']', '\n', ' '];
/** Look-alikes and invisible tricks: Cyrillic а е о с р х ѕ і, RTL override, isolates, zero-width joiners, BOM, C1. */
const UNICODE = ['а', 'е', 'о', 'с', 'р', 'х', 'ѕ', 'і', 'ԁ', '\u202E', '\u2066', '\u200D', '\u200B', '\uFEFF', '\u0085', '\u009B', 'é', '😀', '\u0301'];
const CONTROL = ['\u0000', '\u0007', '\u0008', '\u001b[31m', '\u001b]0;x\u0007', '\r', '\t', '\u007f'];
const hostileText = fc.oneof(
  fc.string({ unit: fc.constantFrom(...SHELL, ...UNICODE, ...CONTROL, 'a', 'srv', '1', '-', '.', 'weclick', 'tech'), maxLength: 24 }),
  fc.constantFrom('', ' ', '$(id)', '`id`', '; rm -rf ~', "'; DROP TABLE users; --", 'srv1\nsrv2', 'ѕrv1', 'gо', 'srv1\u202Egnp', 'srv\u200D1', '-1', '1e309', 'NaN', '~', '..', '/etc/passwd'),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.nat({ max: 6000 }).map((n) => 'x'.repeat(n)),
);

// --- inventory ---------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const exampleValue = parse(EXAMPLE) as Json;

/** Every path to a string or number leaf of the example, e.g. ['servers', 2, 'name']. */
function leaves(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...prefix, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, [...prefix, k]));
  return [prefix];
}
const exampleLeaves = leaves(exampleValue);

function withValues(edits: Array<{ leaf: number; value: string }>): string {
  const doc = structuredClone(exampleValue) as Record<string | number, Json>;
  for (const { leaf, value } of edits) {
    const path = exampleLeaves[leaf % exampleLeaves.length]!;
    let node = doc;
    for (const part of path.slice(0, -1)) node = node[part] as Record<string | number, Json>;
    node[path[path.length - 1]!] = value;
  }
  return stringify(doc);
}

const IDENTIFIER = /^[a-z0-9.:-]+$/;
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** The rule every load result follows, whatever the input. */
function expectWellFormed(result: LoadResult, text: string): void {
  if (result.ok) {
    expect(inventorySchema.safeParse(result.inventory).success).toBe(true);
    // Whatever is accepted is safe where names go: hostnames, file names, remote command lines.
    const { fleet, servers } = result.inventory;
    for (const value of [fleet.domain, ...servers.flatMap((s) => [s.name, s.hostname, s.ipv4, ...s.roles])]) expect(value).toMatch(IDENTIFIER);
    // Free text is printed in tables: no escape sequences, nothing that reorders it (zero-width joiners may stay: emoji).
    for (const s of servers) for (const text of [s.provider, s.notes ?? '', ...Object.values(s.labels ?? {})]) expect(text).not.toMatch(TERMINAL_UNSAFE);
    return;
  }
  expect(result.problems.length).toBeGreaterThan(0);
  const lineCount = text.split('\n').length;
  for (const p of result.problems) {
    expect(p.message.trim().length).toBeGreaterThan(0);
    if (p.line !== undefined) {
      expect(p.line).toBeGreaterThanOrEqual(1);
      expect(p.line).toBeLessThanOrEqual(lineCount + 1);
      expect(p.column).toBeGreaterThanOrEqual(1);
    }
    // What the operator sees: one line, nothing that moves the cursor or reverses text.
    expect(escapeUnsafe(formatProblem(p))).not.toMatch(UNSAFE);
  }
}

function check(text: string): LoadResult {
  const result = parseInventory(text, FILE);
  expectWellFormed(result, text);
  return result;
}

describe('the inventory loader', () => {
  it('hostile values in any field: never a throw; problems are one line; accepted names are plain', async () => {
    await property('hostile field values', fc.array(fc.record({ leaf: fc.nat(), value: hostileText }), { minLength: 1, maxLength: 4 }), (edits) => {
      check(withValues(edits));
    });
  });

  it('a look-alike, invisible or control character in a name, hostname or role is always refused', async () => {
    const targets = exampleLeaves.map((p, i) => ({ p, i })).filter(({ p }) => ['name', 'hostname', 'domain'].includes(String(p[p.length - 1])) || p.includes('roles'));
    await property('look-alike identifiers', fc.record({ target: fc.constantFrom(...targets), at: fc.nat(), char: fc.constantFrom(...UNICODE, ...CONTROL) }), ({ target, at, char }) => {
      const original = String(target.p.reduce<Json>((node, part) => (node as Record<string | number, Json>)[part]!, exampleValue));
      const pos = at % (original.length + 1);
      const result = check(withValues([{ leaf: target.i, value: original.slice(0, pos) + char + original.slice(pos) }]));
      expect(result.ok).toBe(false);
    });
  });

  it('CRLF and a UTF-8 BOM change nothing: same verdict, same inventory', async () => {
    await property('line endings', fc.array(fc.record({ leaf: fc.nat(), value: hostileText }), { maxLength: 2 }), (edits) => {
      const text = withValues(edits);
      const lf = check(text);
      for (const variant of [text.replace(/\n/g, '\r\n'), `\uFEFF${text}`]) {
        const other = parseInventory(variant.replace(/^\uFEFF/, ''), FILE);
        expect(other.ok).toBe(lf.ok);
        if (lf.ok && other.ok) expect(other.inventory).toEqual(lf.inventory);
      }
    });
  });

  it('nesting at any depth, in every YAML form, is refused without a throw', async () => {
    const forms = [(n: number) => `fleet: ${'['.repeat(n)}${']'.repeat(n)}\n`, (n: number) => `fleet:\n  labels:\n    ${'- '.repeat(n)}x\n`, (n: number) => `fleet: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`, (n: number) => `fleet:\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} x\n`];
    // Refused in time linear in the size: 1.2 million levels (4.8 MB, under the cap) take ~20 s, so sizes stay modest here.
    await property('nesting', fc.record({ form: fc.nat({ max: forms.length - 1 }), depth: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 300, max: sized(30_000, 100_000) })) }), ({ form, depth }) => {
      const result = check(`${forms[form]!(form === 3 ? Math.min(depth, 3000) : depth)}servers: []\n`);
      expect(result.ok).toBe(false);
    }, sized(40, 200));
  }, 600_000);

  it('aliases: chains and bombs are refused or expanded within the limit, never a throw or a hang', async () => {
    await property('aliases', fc.record({ width: fc.integer({ min: 1, max: 12 }), depth: fc.integer({ min: 1, max: 12 }), where: fc.constantFrom('servers', 'fleet', 'extra') }), ({ width, depth, where }) => {
      const lines = ['a0: &a0 ["lol"]'];
      for (let i = 1; i <= depth; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: width }, () => `*a${i - 1}`).join(', ')}]`);
      const text = `${lines.join('\n')}\nfleet: ${where === 'fleet' ? `*a${depth}` : '{domain: weclick.tech}'}\nservers: ${where === 'servers' ? `*a${depth}` : '[]'}\n`;
      const started = Date.now();
      check(text);
      expect(Date.now() - started).toBeLessThan(5_000);
    }, sized(60, 400));
  });

  it('a repeated key anywhere is reported at its line', async () => {
    const lines = EXAMPLE.split('\n');
    const keyLines = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^\s*[a-z][\w-]*:/.test(l) && !/^\s*#/.test(l));
    await property('duplicate keys', fc.constantFrom(...keyLines), ({ l, i }) => {
      const copy = [...lines];
      copy.splice(i + 1, 0, l.replace(/^(\s*)- /, '$1  '));
      const result = check(copy.join('\n'));
      expect(result.ok).toBe(false);
    }, Math.min(RUNS, keyLines.length * 2));
  });

  it('a tab in the indentation is refused at its line', async () => {
    const indented = EXAMPLE.split('\n').map((l, i) => ({ l, i })).filter(({ l }) => /^ {2,}\S/.test(l));
    await property('tabs', fc.constantFrom(...indented), ({ l, i }) => {
      const copy = EXAMPLE.split('\n');
      copy[i] = `\t${l.trimStart()}`;
      const result = check(copy.join('\n'));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems.some((p) => p.line === i + 1)).toBe(true);
    }, Math.min(RUNS, indented.length * 2));
  });

  it('any bytes in a file (UTF-16 with or without BOM, Latin-1, binary): a one-line problem or a valid inventory', async () => {
    const encodings = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
      fc.array(fc.record({ leaf: fc.nat(), value: hostileText }), { maxLength: 2 }).chain((edits) =>
        fc.constantFrom<BufferEncoding>('utf16le', 'latin1', 'utf8', 'ucs2').chain((enc) =>
          fc.boolean().map((bom) => {
            const body = Buffer.from(withValues(edits), enc);
            return bom && enc === 'utf16le' ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : bom && enc === 'utf8' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
          }),
        ),
      ),
    );
    let n = 0;
    await property('file bytes', encodings, async (bytes) => {
      const file = join(dir, `inventory-${n++}.yaml`);
      writeFileSync(file, bytes);
      const result = await loadInventory(file);
      if (!result.ok && result.problems.length === 1 && result.problems[0]!.line === undefined) expect(escapeUnsafe(result.problems[0]!.message)).not.toMatch(UNSAFE);
      else expectWellFormed(result, bytes.toString('utf8'));
    });
  });

  it('size: tens of thousands of keys are read in seconds (the duplicate-key and position lookups are linear)', () => {
    const keys = sized(40_000, 200_000);
    const text = EXAMPLE.replace('fleet:\n', `fleet:\n${Array.from({ length: keys }, (_, i) => `  k${i}: ${i}`).join('\n')}\n`);
    const started = Date.now();
    const result = check(text);
    tried++;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.length).toBe(keys);
    expect(Date.now() - started, `${keys} unknown keys took ${Date.now() - started} ms`).toBeLessThan(sized(15_000, 60_000));
  });
});

// --- users import: CSV and JSON ----------------------------------------------------------------------------

const COLUMNS = ['username', 'data_limit', 'expire', 'protocols', 'reset', 'on_hold', 'note', 'admin', 'status', 'used_traffic', 'Data-Limit', 'dataLimit', 'evil', 'usernаme'];
const fieldValue = fc.oneof(
  hostileText,
  fc.constantFrom('alice', 'bob_2', '1GB', '0', '-1GB', '1e400GB', '99999999999999999999GB', '2031-01-01', '2001-01-01', '2031-02-30', '100000000d', '30d', 'never', 'vless,vmess', 'wireguard', 'month', 'hourly', '=cmd|x', '@SUM(1)'),
);

/** The rule for every import read: no throw, lines in range, each problem one line once shown; specs are safe. */
function expectImportWellFormed(read: { rows: ImportRow[]; problems: RowProblem[] }, text: string): void {
  const lineCount = text.split(/\r\n|\r|\n/).length;
  for (const p of read.problems) {
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.line).toBeLessThanOrEqual(lineCount + 1);
    expect(escapeUnsafe(`line ${p.line}: ${p.message}`)).not.toMatch(UNSAFE);
  }
  const checked = checkRows(read.rows, new Set(['taken_user']), NOW);
  for (const p of checked.problems) expect(escapeUnsafe(p.message)).not.toMatch(UNSAFE);
  for (const spec of checked.specs) {
    expect(spec.username).toMatch(USERNAME_PATTERN);
    if (spec.expire !== null) expect(spec.expire).toBeGreaterThan(NOW);
    if (spec.dataLimit !== null) expect(Number.isSafeInteger(spec.dataLimit) && spec.dataLimit >= 0).toBe(true);
    if (spec.note !== null) expect(spec.note).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
  }
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

describe('users import: reading CSV and JSON', () => {
  it('random CSV text: never a throw, every problem one line', async () => {
    const csvish = fc.string({ unit: fc.constantFrom(',', '"', '\n', '\r\n', '\r', ' ', 'username', 'data_limit', 'expire', 'note', 'alice', '1GB', '\uFEFF', '\u0000', ...UNICODE, ';', '\t'), maxLength: 80 });
    await property('CSV text', fc.oneof(csvish, fc.string({ unit: 'binary', maxLength: 200 })), async (text) => {
      expectImportWellFormed(await readCsv(text), text);
    });
  });

  it('well-formed CSV with hostile cells: never a throw; only plain usernames and safe values are accepted; CRLF reads the same', async () => {
    const table = fc.record({ header: fc.uniqueArray(fc.constantFrom(...COLUMNS), { minLength: 1, maxLength: 6 }), rows: fc.array(fc.array(fieldValue, { minLength: 0, maxLength: 7 }), { maxLength: 6 }) });
    await property('CSV tables', table, async ({ header, rows }) => {
      const text = [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n');
      const lf = await readCsv(text);
      expectImportWellFormed(lf, text);
      const crlf = await readCsv(text.replace(/\n/g, '\r\n'));
      expect(crlf.rows.map((r) => r.fields)).toEqual(lf.rows.map((r) => r.fields));
    });
  });

  it('a CRLF inside a quoted cell does not shift the line numbers after it (found by the CSV properties)', async () => {
    const read = await readCsv('username,note\r\nalice,"two\r\nlines"\r\nbob,x,extra\r\n');
    tried++;
    expect(read.rows.map((r) => r.line)).toEqual([3]);
    expect(read.problems).toEqual([{ line: 4, message: 'has 3 fields; the header has 2' }]);
  });

  it('random JSON: never a throw, every problem one line', async () => {
    await property('JSON values', fc.oneof(fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)), fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', ':', ',', '\n', 'username', '1e400', '-0', 'null', ...UNICODE), maxLength: 60 })), (text) => {
      expectImportWellFormed(readJson(text), text);
    });
  });

  it('JSON user objects with any types (huge and negative numbers, arrays, null): never a throw', async () => {
    const anyValue = fc.oneof(fieldValue, fc.double(), fc.integer(), fc.constantFrom(1e400 as number, -1e20, 8.64e12, 2 ** 53, -0, 0), fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }), fc.constant(null), fc.boolean(), fc.object({ maxDepth: 1 }));
    const user = fc.dictionary(fc.constantFrom(...COLUMNS, 'data-limit', '__proto__', 'constructor'), anyValue, { maxKeys: 6 });
    await property('JSON users', fc.array(fc.oneof(user, anyValue), { maxLength: 5 }), (users) => {
      const text = JSON.stringify(users, null, 2);
      expectImportWellFormed(readJson(text), text);
    });
  });
});

describe('the figure', () => {
  it('records the parsers part of `fuzz`: inputs tried, crashes found', () => {
    recordFuzzPart('parsers', { tried, failed: failures.length, what: `in-process inputs (seed ${SEED})` });
    expect(failures, `${failures.length} propert(ies) failed out of ${tried} inputs:\n${failures.join('\n\n')}`).toEqual([]);
  });
});
