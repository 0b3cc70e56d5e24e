import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inventoryJsonSchema, renderInventoryJsonSchema } from '../../../src/inventory/json-schema.js';
import { parseInventory } from '../../../src/inventory/load.js';

const addFormats = addFormatsModule.default;
const root = new URL('../../../', import.meta.url);
const SCHEMA_TEXT = readFileSync(new URL('inventory.schema.json', root), 'utf8');
const EXAMPLE = readFileSync(new URL('inventory.example.yaml', root), 'utf8');

function validator() {
  // Ajv's default dialect is draft-07, the one the schema declares; strict mode catches schema mistakes.
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(SCHEMA_TEXT) as object);
}

function example(): Record<string, unknown> & { servers: Array<Record<string, unknown>>; fleet: Record<string, unknown> } {
  return parse(EXAMPLE) as ReturnType<typeof example>;
}

describe('inventory.schema.json', () => {
  it('is what the zod schema generates (regenerate it with `npm run schema`)', () => {
    expect(SCHEMA_TEXT, 'inventory.schema.json is stale: run `npm run schema` and commit the result').toBe(renderInventoryJsonSchema());
  });

  it('is a draft-07 schema with an id and a title', () => {
    const schema = JSON.parse(SCHEMA_TEXT) as Record<string, unknown>;
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe(inventoryJsonSchema().$id);
    expect(schema.title).toBe('weclick inventory');
    expect(SCHEMA_TEXT.endsWith('}\n')).toBe(true);
  });

  it('accepts the example inventory', () => {
    const validate = validator();
    const ok = validate(example());
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects invalid inventories, as the loader does', () => {
    const validate = validator();
    const cases: Array<[string, (doc: ReturnType<typeof example>) => void]> = [
      ['unknown role', (doc) => (doc.servers[0]!.roles = ['bogus'])],
      ['unknown key', (doc) => (doc.servers[1]!.colour = 'red')],
      ['missing hostname', (doc) => delete doc.servers[2]!.hostname],
      ['bad IPv4', (doc) => (doc.servers[3]!.ipv4 = '192.0.2.300')],
      ['port as a string', (doc) => ((doc.fleet.ssh as Record<string, unknown>).port = '22')],
      ['uppercase name', (doc) => (doc.servers[4]!.name = 'SRV3')],
      ['shell in a name', (doc) => (doc.servers[4]!.name = 'srv1;rm -rf /')],
      ['no fleet', (doc) => delete (doc as Record<string, unknown>).fleet],
      ['servers is a map', (doc) => ((doc as Record<string, unknown>).servers = { srv1: {} })],
      ['date as a number', (doc) => (doc.servers[0]!.expires = 20250201)],
    ];
    for (const [label, change] of cases) {
      const doc = example();
      change(doc);
      expect(validate(doc), label).toBe(false);
      expect(validate.errors?.length, label).toBeGreaterThan(0);
      // The loader agrees.
      const loaded = parseInventory(JSON.stringify(doc), 'x.yaml');
      expect(loaded.ok, label).toBe(false);
    }
  });
});

describe('the example inventory', () => {
  it('points yaml-language-server at the schema on its first line', () => {
    const first = EXAMPLE.split('\n')[0]!;
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(match, first).not.toBeNull();
    // The reference resolves, from the example's folder, to the schema file.
    expect(readFileSync(new URL(match![1]!, root), 'utf8')).toBe(SCHEMA_TEXT);
  });
});
