// Ajv validators built from Cloudflare's published OpenAPI description (test/fixtures/specs).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import ajv2019Module from 'ajv/dist/2019.js';
import ajvFormatsModule from 'ajv-formats';

// Both packages are CommonJS; under module NodeNext their classes sit on `.default` (also set at run time).
const Ajv2019 = ajv2019Module.default;
const addFormats = ajvFormatsModule.default;

const SPEC_FILE = fileURLToPath(new URL('../../fixtures/specs/cloudflare-openapi.json.gz', import.meta.url));
const SPEC_ID = 'cloudflare-openapi';

type Json = Record<string, unknown>;

export interface SpecValidator {
  /** Ajv error lines for a response body (empty when valid); picks `200`, `4XX` or `5XX` by status. */
  response(operationId: string, status: number, body: unknown): string[];
  /** Ajv error lines for a JSON request body of the operation. */
  request(operationId: string, body: unknown): string[];
  /** Ajv error lines against a named `components.schemas` entry. */
  schema(name: string, body: unknown): string[];
}

/**
 * `realApi: true` applies the documented differences between the spec and real answers
 * (reference §1.7): record responses omit `data` for the types weclick uses, and carry `comment: null`.
 * `realApi: false` is the spec exactly as published (apart from the `enum: [null]` reading below).
 */
export function loadCloudflareSpec(opts: { realApi: boolean }): SpecValidator {
  const spec = JSON.parse(gunzipSync(readFileSync(SPEC_FILE)).toString('utf8')) as Json;
  reduceNullEnums(spec);
  if (opts.realApi) applyRealApiDifferences(spec);
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...spec, $id: SPEC_ID });

  const operations = new Map<string, { path: string; method: string; responses: Json; requestBody?: unknown }>();
  for (const [path, item] of Object.entries(spec.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(item)) {
      if (typeof op?.operationId === 'string') {
        operations.set(op.operationId, { path, method, responses: op.responses as Json, requestBody: op.requestBody });
      }
    }
  }
  const pointer = (...parts: string[]) =>
    `${SPEC_ID}#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
  const check = (ref: string, body: unknown): string[] => {
    const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  };
  const operation = (id: string) => {
    const op = operations.get(id);
    if (!op) throw new Error(`operation ${id} is not in the spec`);
    return op;
  };

  return {
    response(operationId, status, body) {
      const op = operation(operationId);
      const key = [String(status), `${String(status)[0]}XX`, status < 300 ? '200' : ''].find((k) => k && op.responses[k]);
      if (!key) throw new Error(`${operationId} declares no response for status ${status}`);
      return check(pointer('paths', op.path, op.method, 'responses', key, 'content', 'application/json', 'schema'), body);
    },
    request(operationId, body) {
      const op = operation(operationId);
      if (!op.requestBody) throw new Error(`${operationId} takes no request body`);
      return check(pointer('paths', op.path, op.method, 'requestBody', 'content', 'application/json', 'schema'), body);
    },
    schema(name, body) {
      return check(pointer('components', 'schemas', name), body);
    },
  };
}

/**
 * The spec writes failure results as `{type: 'object', required: [...], anyOf: [...], enum: [null]}`: taken
 * literally nothing can match (null is not an object). `enum: [null]` is the only constraint that fits real
 * answers (`result: null`), so such schemas are reduced to it.
 */
function reduceNullEnums(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(reduceNullEnums);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Json;
  if (Array.isArray(schema.enum) && schema.enum.length === 1 && schema.enum[0] === null) {
    for (const key of Object.keys(schema)) if (key !== 'enum' && key !== 'description') delete schema[key];
    return;
  }
  Object.values(schema).forEach(reduceNullEnums);
}

function applyRealApiDifferences(spec: Json): void {
  const schemas = (spec.components as { schemas: Record<string, Json> }).schemas;
  const response = schemas['dns-records_dns-record-response']!;
  response.required = (response.required as string[]).filter((field) => field !== 'data');
  schemas['dns-records_comment']!.nullable = true;
}

/** operationId of a stand-in route, from a request-log entry (path below /client/v4). */
export function operationIdFor(method: string, path: string): string | undefined {
  const parts = path.split('/').filter(Boolean);
  const prefix = 'dns-records-for-a-zone-';
  if (parts.length === 1 && parts[0] === 'zones' && method === 'GET') return 'zones-get';
  if (parts[0] !== 'zones' || parts[2] !== 'dns_records') return undefined;
  if (parts.length === 3) return { GET: `${prefix}list-dns-records`, POST: `${prefix}create-dns-record` }[method];
  if (parts.length !== 4) return undefined;
  if (parts[3] === 'batch') return method === 'POST' ? `${prefix}batch-dns-records` : undefined;
  const single: Record<string, string> = {
    GET: `${prefix}dns-record-details`,
    PUT: `${prefix}update-dns-record`,
    PATCH: `${prefix}patch-dns-record`,
    DELETE: `${prefix}delete-dns-record`,
  };
  return single[method];
}
