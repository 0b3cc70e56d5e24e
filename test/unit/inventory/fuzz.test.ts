import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseInventory, type LoadResult } from '../../../src/inventory/load.js';
import { inventorySchema } from '../../../src/inventory/schema.js';

const EXAMPLE = readFileSync(new URL('../../../inventory.example.yaml', import.meta.url), 'utf8');
const FILE = 'fuzz.yaml';
// Enough cases to find the odd crash while the whole file stays well under ten seconds.
const RUNS = 300;

/** What every result must look like, whatever the input. */
function expectWellFormed(result: LoadResult, text: string): void {
  expect(result.file).toBe(FILE);
  if (result.ok) {
    expect(inventorySchema.safeParse(result.inventory).success).toBe(true);
    expect(result.text).toBe(text);
    return;
  }
  expect(Array.isArray(result.problems)).toBe(true);
  expect(result.problems.length).toBeGreaterThan(0);
  const lineCount = text.split('\n').length;
  for (const problem of result.problems) {
    expect(problem.file).toBe(FILE);
    expect(typeof problem.message).toBe('string');
    expect(problem.message.trim().length).toBeGreaterThan(0);
    if (problem.line !== undefined) {
      expect(Number.isInteger(problem.line)).toBe(true);
      expect(problem.line).toBeGreaterThanOrEqual(1);
      expect(problem.line).toBeLessThanOrEqual(lineCount + 1);
      expect(problem.column).toBeGreaterThanOrEqual(1);
    }
  }
}

function check(text: string): LoadResult {
  const result = parseInventory(text, FILE);
  expectWellFormed(result, text);
  return result;
}

// Characters that matter to YAML, to get past the first line more often than random text does.
const yamlish = fc.string({
  unit: fc.constantFrom('a', 'z', '1', ' ', '  ', '\n', '\t', ':', '-', '- ', '[', ']', '{', '}', ',', '&a ', '*a', '!', '!!str ', '"', "'", '#', '?', '|', '>', '%', '@', '`', '<<: ', '---\n', '...\n', 'fleet:', 'servers:', 'name: ', '\u00a0', '\ufeff', 'é'),
  maxLength: 60,
});

describe('parseInventory never throws on random input', () => {
  it('random strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 }), yamlish), (text) => {
        check(text);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('YAML from random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        check(stringify(value));
      }),
      { numRuns: RUNS },
    );
  });

  it('YAML from random JSON values in the inventory shape', () => {
    const anyValue = fc.jsonValue({ maxDepth: 3 });
    const server = fc.dictionary(fc.constantFrom('name', 'hostname', 'ipv4', 'ipv6', 'roles', 'provider', 'expires', 'price', 'state', 'ssh', 'labels', 'notes', 'bogus'), anyValue);
    const inventory = fc.record(
      { fleet: fc.oneof(anyValue, fc.dictionary(fc.constantFrom('domain', 'cloudflare', 'names', 'mysql', 'ssh', 'telegram', 'backup', 'marzban', 'nope'), anyValue)), servers: fc.oneof(anyValue, fc.array(server, { maxLength: 4 })) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(inventory, (value) => {
        check(stringify(value));
      }),
      { numRuns: RUNS },
    );
  });
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value inside the document, e.g. ['servers', 2, 'price', 'monthly']. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function parentOf(root: Json, path: (string | number)[]): Record<string | number, Json> {
  let node = root as Record<string | number, Json>;
  for (const part of path.slice(0, -1)) node = node[part] as Record<string | number, Json>;
  return node;
}

const exampleValue = parse(EXAMPLE) as Json;
const examplePaths = paths(exampleValue);
const exampleLines = EXAMPLE.split('\n');
const serverCount = (exampleValue as { servers: Json[] }).servers.length;

const otherTypes: Json[] = [null, true, 0, -1, 3.5, '', 'text', '2025-02-30', [], {}, ['marzban'], { a: 1 }];

type Mutation =
  | { kind: 'delete'; path: number }
  | { kind: 'retype'; path: number; value: Json }
  | { kind: 'duplicate'; server: number; at: number }
  | { kind: 'insert'; line: number; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), path: fc.nat({ max: examplePaths.length - 1 }) }),
  fc.record({ kind: fc.constant('retype' as const), path: fc.nat({ max: examplePaths.length - 1 }), value: fc.constantFrom(...otherTypes) }),
  fc.record({ kind: fc.constant('duplicate' as const), server: fc.nat({ max: serverCount - 1 }), at: fc.nat({ max: serverCount }) }),
  fc.record({ kind: fc.constant('insert' as const), line: fc.nat({ max: exampleLines.length }), text: fc.oneof(fc.string({ maxLength: 30 }), yamlish) }),
);

/** Applies one mutation to an inventory text; structural ones need a text that still parses as a map. */
function apply(m: Mutation, text: string = EXAMPLE): string {
  if (m.kind === 'insert') {
    const lines = text.split('\n');
    lines.splice(Math.min(m.line, lines.length), 0, m.text);
    return lines.join('\n');
  }
  let doc: Json;
  try {
    doc = parse(text, { logLevel: 'silent' }) as Json;
  } catch {
    return text;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return text;
  if (m.kind === 'duplicate') {
    const servers = doc.servers;
    if (!Array.isArray(servers) || servers.length === 0) return text;
    servers.splice(m.at % (servers.length + 1), 0, structuredClone(servers[m.server % servers.length]!));
    return stringify(doc);
  }
  const all = paths(doc);
  if (all.length === 0) return text;
  const path = all[m.path % all.length]!;
  const parent = parentOf(doc, path);
  const key = path[path.length - 1]!;
  if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else parent[key] = m.value;
  return stringify(doc);
}

describe('mutations of the example inventory', () => {
  it('never throw, and anything accepted is still a valid inventory', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        // Several mutations in a row, each on the result of the one before.
        const text = mutations.reduce((current, m) => apply(m, current), EXAMPLE);
        const result = check(text);
        if (result.ok) accepted += 1;
        else rejected += 1;
      }),
      { numRuns: RUNS },
    );
    // Both outcomes happen, or the generator is not exercising anything.
    expect(accepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });

  it('each kind of mutation on its own never throws', () => {
    fc.assert(
      fc.property(mutation, (m) => {
        const result = check(apply(m));
        if (m.kind === 'duplicate') {
          // A copy of a server repeats its name, hostname and address.
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.problems.some((p) => p.message.startsWith('duplicate name'))).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a deleted required server field is always reported', () => {
    const required = ['name', 'hostname', 'ipv4', 'roles', 'provider', 'expires'];
    fc.assert(
      fc.property(fc.nat({ max: serverCount - 1 }), fc.constantFrom(...required), (index, field) => {
        const doc = structuredClone(exampleValue) as { servers: Array<Record<string, Json>> };
        delete doc.servers[index]![field];
        const result = check(stringify(doc));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.problems.map((p) => p.field)).toContain(`servers[${index}].${field}`);
      }),
      { numRuns: 60 },
    );
  });
});
