// The real `cloudflare` SDK (v7) against the stand-in: pagination, CRUD, batch, errors and retries.
import Cloudflare, {
  APIConnectionTimeoutError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from 'cloudflare';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCloudflareStandin, type CloudflareStandin } from '../../standins/cloudflare/index.js';
import { loadCloudflareSpec, operationIdFor, type SpecValidator } from './cloudflare-spec.js';

const TOKEN = 'cf-sdk-token-bbbbbbbbbbbbbbbbbbbbbbbbbb';

let cf: CloudflareStandin;
let client: Cloudflare;
let zone_id: string;
let spec: SpecValidator;

const sdk = (opts: Partial<ConstructorParameters<typeof Cloudflare>[0]> = {}) =>
  new Cloudflare({ apiToken: TOKEN, baseURL: cf.url, maxRetries: 0, ...opts });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

beforeAll(() => {
  spec = loadCloudflareSpec({ realApi: true });
});

beforeEach(async () => {
  cf = await startCloudflareStandin({ token: TOKEN, zones: [{ name: 'example.com' }] });
  client = sdk();
  zone_id = cf.zoneId('example.com');
});

afterEach(async () => {
  // Whatever the SDK sent and the stand-in accepted must also be valid for the spec.
  for (const entry of cf.requests) {
    if (entry.body === undefined || entry.status !== 200) continue;
    const operationId = operationIdFor(entry.method, entry.path);
    expect(operationId, entry.path).toBeDefined();
    expect(spec.request(operationId!, entry.body), `${entry.method} ${entry.path}`).toEqual([]);
  }
  await cf.close();
});

describe('zones and auto-pagination', () => {
  it('finds the zone by name', async () => {
    const page = await client.zones.list({ name: 'example.com' });
    expect(page.result.map((z) => [z.id, z.name])).toEqual([[zone_id, 'example.com']]);
  });

  it('walks 10,000 seeded records and stops on the first empty page', async () => {
    const started = Date.now();
    cf.seed(
      'example.com',
      Array.from({ length: 10_000 }, (_, i) => ({
        type: 'A',
        name: `h${i}.example.com`,
        content: `198.51.100.${i % 250}`,
      })),
    );
    expect(Date.now() - started).toBeLessThan(2_000);

    const ids = new Set<string>();
    let seen = 0;
    for await (const record of client.dns.records.list({ zone_id, per_page: 1000 })) {
      ids.add(record.id);
      if (++seen > 10_000) break; // a stand-in that never sends an empty page would loop forever
    }
    expect(seen).toBe(10_000);
    expect(ids.size).toBe(10_000);
    // 10 full pages, then page 11 comes back empty and the SDK stops.
    const pages = cf.requests.map((r) => r.query.page ?? '1');
    expect(pages).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
    expect(cf.requests.every((r) => r.status === 200 && r.query.per_page === '1000')).toBe(true);

    cf.resetLog();
    let count = 0;
    for await (const _record of client.dns.records.list({ zone_id })) count += 1; // default per_page: 100
    expect(count).toBe(10_000);
    expect(cf.requests).toHaveLength(101);

    const one = await client.dns.records.list({ zone_id, name: { exact: 'H42.Example.com' }, type: 'A' });
    expect(one.result.map((r) => r.name)).toEqual(['h42.example.com']);
    expect(cf.requests.at(-1)?.query).toEqual({ 'name.exact': 'H42.Example.com', type: 'A' });
  });

  it('passes comment filters and match=any through the dotted query encoding', async () => {
    cf.seed('example.com', [
      { type: 'TXT', name: 'a', content: 'x', comment: 'managed-by=weclick' },
      { type: 'TXT', name: 'b', content: 'y', comment: 'manual' },
      { type: 'TXT', name: 'c', content: 'z' },
    ]);
    const owned = await client.dns.records.list({ zone_id, comment: { startswith: 'MANAGED-BY=' } });
    expect(owned.result.map((r) => r.name)).toEqual(['a.example.com']);
    const either = await client.dns.records.list({ zone_id, match: 'any', comment: { exact: 'manual' }, content: { exact: 'z' } });
    expect(either.result.map((r) => r.name)).toEqual(['b.example.com', 'c.example.com']);
  });
});

describe('record CRUD', () => {
  it('creates, reads, overwrites, edits and deletes', async () => {
    const created = await client.dns.records.create({
      zone_id,
      type: 'A',
      name: 'vpn1.example.com',
      content: '203.0.113.10',
      ttl: 300,
      comment: 'weclick:server=vpn1',
    });
    expect(created).toMatchObject({ name: 'vpn1.example.com', content: '203.0.113.10', ttl: 300, proxied: false });

    const got = await client.dns.records.get(created.id, { zone_id });
    expect(got).toEqual(created);

    const updated = await client.dns.records.update(created.id, {
      zone_id,
      type: 'A',
      name: 'vpn1.example.com',
      content: '203.0.113.11',
      ttl: 1,
      proxied: true,
    });
    expect(updated).toMatchObject({ content: '203.0.113.11', proxied: true, ttl: 1, comment: null });

    const edited = await client.dns.records.edit(created.id, {
      zone_id,
      type: 'A',
      name: 'vpn1.example.com',
      ttl: 1,
      comment: 'weclick:server=vpn1',
    });
    expect(edited).toMatchObject({ content: '203.0.113.11', comment: 'weclick:server=vpn1' });

    expect(await client.dns.records.delete(created.id, { zone_id })).toEqual({ id: created.id });
    expect(cf.records('example.com')).toEqual([]);
    const missing = await rejection(client.dns.records.get(created.id, { zone_id }));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).errors).toEqual([{ code: 81044, message: 'Record does not exist.' }]);
  });

  it('surfaces validation errors as BadRequestError with the Cloudflare code', async () => {
    const err = await rejection(
      client.dns.records.create({ zone_id, type: 'A', name: 'x.example.com', content: '2001:db8::1', ttl: 1 }),
    );
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).status).toBe(400);
    expect((err as BadRequestError).errors[0]).toMatchObject({ code: 9005 });
  });
});

describe('batch', () => {
  it('applies deletes, patches, puts and posts in one call', async () => {
    const [old, keep, txt] = cf.seed('example.com', [
      { type: 'A', name: 'old.example.com', content: '192.0.2.1' },
      { type: 'A', name: 'keep.example.com', content: '192.0.2.2' },
      { type: 'TXT', name: 'note.example.com', content: 'v1' },
    ]);
    const result = await client.dns.records.batch({
      zone_id,
      deletes: [{ id: old!.id }],
      patches: [{ id: keep!.id, type: 'A', name: 'keep.example.com', content: '192.0.2.22', ttl: 1 }],
      puts: [{ id: txt!.id, type: 'TXT', name: 'note.example.com', content: 'v2', ttl: 1 }],
      posts: [{ type: 'A', name: 'new.example.com', content: '192.0.2.3', ttl: 1 }],
    });
    expect(result.deletes?.map((r) => r.id)).toEqual([old!.id]);
    expect(result.patches?.[0]).toMatchObject({ id: keep!.id, content: '192.0.2.22' });
    expect(result.puts?.[0]).toMatchObject({ id: txt!.id, content: 'v2' });
    expect(result.posts?.[0]).toMatchObject({ name: 'new.example.com' });
    expect(cf.records('example.com').map((r) => r.name)).toEqual([
      'keep.example.com',
      'note.example.com',
      'new.example.com',
    ]);
  });

  it('rolls back every change when a post conflicts', async () => {
    const [a, b] = cf.seed('example.com', [
      { type: 'A', name: 'a.example.com', content: '192.0.2.1' },
      { type: 'A', name: 'b.example.com', content: '192.0.2.2' },
    ]);
    const before = cf.records('example.com');
    const err = await rejection(
      client.dns.records.batch({
        zone_id,
        deletes: [{ id: a!.id }],
        patches: [{ id: b!.id, type: 'A', name: 'b.example.com', content: '192.0.2.20', ttl: 1 }],
        posts: [
          { type: 'A', name: 'c.example.com', content: '192.0.2.3', ttl: 1 },
          { type: 'CNAME', name: 'b.example.com', content: 'c.example.com', ttl: 1 },
        ],
      }),
    );
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).errors.map((e) => e.code)).toEqual([81053]);
    expect(cf.records('example.com')).toEqual(before);
  });
});

describe('errors, rate limits and retries', () => {
  it('a wrong token raises PermissionDeniedError (or AuthenticationError)', async () => {
    const err = await rejection(sdk({ apiToken: 'wrong-token' }).zones.list({ name: 'example.com' }));
    expect(err instanceof PermissionDeniedError || err instanceof AuthenticationError).toBe(true);
    expect((err as PermissionDeniedError).status).toBe(403);
    expect((err as PermissionDeniedError).errors).toEqual([{ code: 9109, message: 'Invalid access token' }]);
  });

  it('429 raises RateLimitError with retry-after visible', async () => {
    cf.fail({ status: 429, retryAfter: 7 });
    const err = await rejection(client.dns.records.list({ zone_id }));
    expect(err).toBeInstanceOf(RateLimitError);
    const limited = err as RateLimitError;
    expect(limited.status).toBe(429);
    expect(limited.headers?.get('retry-after')).toBe('7');
    expect(limited.errors[0]).toMatchObject({ code: 971 });
    expect(cf.requests.map((r) => r.status)).toEqual([429]);
  });

  it('with retries on, the SDK honours retry-after and succeeds', async () => {
    cf.fail({ status: 429, retryAfter: 0 }, 1, { pathIncludes: '/dns_records' });
    const page = await sdk({ maxRetries: 1 }).dns.records.list({ zone_id });
    expect(page.result).toEqual([]);
    expect(cf.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('5xx raises InternalServerError; a stalled answer raises a timeout error', async () => {
    cf.fail({ status: 502 });
    expect(await rejection(client.zones.list())).toBeInstanceOf(InternalServerError);
    cf.fail({ delayMs: 1_000 });
    const slow = await rejection(sdk({ timeout: 200 }).zones.list());
    expect(slow).toBeInstanceOf(APIConnectionTimeoutError);
  });
});
