// The Outline stand-in checked against the published API description, so it cannot drift from the real API.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutlineClient } from '../../../src/outline/client.js';
import { startOutlineStandin, type OutlineStandin } from '../../standins/outline/server.js';

// A copy of ../shared/specs/outline-server-api.yml (Apache-2.0, The Outline Authors), kept beside the stand-in.
const SPEC = fileURLToPath(new URL('../../standins/outline/outline-server-api.yml', import.meta.url));

interface Spec {
  paths: Record<string, Record<string, { responses: Record<string, { content?: { 'application/json': { schema: unknown } } }> }>>;
  components: { schemas: Record<string, unknown> };
}

let spec: Spec;
let outline: OutlineStandin;
let client: OutlineClient;
const ajv = new Ajv({ strict: false, allErrors: true });

beforeAll(async () => {
  spec = parse(readFileSync(SPEC, 'utf8')) as Spec;
  for (const [name, schema] of Object.entries(spec.components.schemas)) ajv.addSchema(schema as object, `#/components/schemas/${name}`);
  outline = await startOutlineStandin();
  client = new OutlineClient({ apiUrl: outline.apiUrl, certSha256: outline.certSha256 });
});
afterAll(() => outline?.close());

function schemaFor(path: string, method: string, status: string): unknown {
  const response = spec.paths[path]?.[method]?.responses[status];
  if (!response) throw new Error(`the spec has no ${method.toUpperCase()} ${path} → ${status}`);
  return response.content?.['application/json'].schema;
}

function check(path: string, method: string, status: number, body: unknown): void {
  const schema = schemaFor(path, method, String(status));
  if (schema === undefined) return expect(body).toBeUndefined();
  const validate = ajv.compile(schema as object);
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
}

describe('every stand-in answer has a status and a body the spec allows', () => {
  it('walks the API and validates each response', async () => {
    await client.createKey({ name: 'a' });
    await client.createKey({ name: 'b', limit: { bytes: 10 } });
    await client.renameKey('0', 'renamed');
    await client.setKeyLimit('0', 5);
    await client.removeKeyLimit('0');
    await client.server();
    await client.listKeys();
    await client.getKey('1');
    await client.transfer();
    await client.deleteKey('1');
    await client.deleteKey('1').catch(() => undefined);
    await client.renameKey('7', 'x').catch(() => undefined);

    const templates: Array<[RegExp, string]> = [
      [/^\/access-keys\/[^/]+\/name$/, '/access-keys/{id}/name'],
      [/^\/access-keys\/[^/]+\/data-limit$/, '/access-keys/{id}/data-limit'],
      [/^\/access-keys\/[^/]+$/, '/access-keys/{id}'],
    ];
    const prefix = new URL(outline.apiUrl).pathname;
    expect(outline.requests.length).toBe(12);
    for (const request of outline.requests) {
      const local = request.path.slice(prefix.length);
      const path = templates.find(([re]) => re.test(local))?.[1] ?? local;
      expect(spec.paths[path], `${path} is in the spec`).toBeDefined();
      expect(Object.keys(spec.paths[path]![request.method.toLowerCase()]!.responses), `${request.method} ${path}`).toContain(String(request.status));
    }
  });

  it('bodies match the schemas: server, a created key, the key list, a key, transfer metrics', async () => {
    const raw = async (method: string, path: string, body?: unknown) => {
      const response = await fetchJson(method, path, body);
      return response;
    };
    const created = await raw('POST', '/access-keys', { name: 'x' });
    check('/access-keys', 'post', created.status, created.body);
    const list = await raw('GET', '/access-keys');
    check('/access-keys', 'get', list.status, list.body);
    const one = await raw('GET', `/access-keys/${(created.body as { id: string }).id}`);
    check('/access-keys/{id}', 'get', one.status, one.body);
    const server = await raw('GET', '/server');
    check('/server', 'get', server.status, server.body);
    const transfer = await raw('GET', '/metrics/transfer');
    check('/metrics/transfer', 'get', transfer.status, transfer.body);
    const missing = await raw('GET', '/access-keys/nope');
    check('/access-keys/{id}', 'get', missing.status, missing.body);
    const badLimit = await raw('PUT', `/access-keys/${(created.body as { id: string }).id}/data-limit`, { limit: { bytes: -1 } });
    expect(badLimit.status).toBe(400);
  });
});

/** A raw request through the pinned client's transport, for bodies the typed methods do not return. */
async function fetchJson(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const send = (client as unknown as { send(m: string, p: string, b: unknown): Promise<{ status: number; text: string }> }).send.bind(client);
  const response = await send(method, path.replace(/^\//, ''), body);
  return { status: response.status, body: response.text ? JSON.parse(response.text) : undefined };
}
