// The Cloudflare stand-in over raw HTTP: zones, single-record routes, errors and auth, checked against the spec.
import { beforeEach, describe, expect, it } from 'vitest';
import { call } from './cloudflare-http.js';
import { expectFailure, OP, useStandin } from './cloudflare-fixture.js';

const fx = useStandin();

describe('GET /zones', () => {
  it('finds a zone by name, case-insensitively, with result_info', async () => {
    expect(fx.cf.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/client\/v4$/);
    const res = await fx.api('GET', '/zones?name=EXAMPLE.com');
    expect(res.status).toBe(200);
    fx.expectValid(OP.zones, res);
    expect(res.body.result.map((z: { id: string; name: string }) => [z.id, z.name])).toEqual([[fx.zoneId, 'example.com']]);
    expect(res.body.result_info).toEqual({ page: 1, per_page: 20, count: 1, total_count: 1, total_pages: 1 });
  });

  it('supports operator prefixes, unknown names and clamps per_page to 5..50', async () => {
    const net = await fx.api('GET', '/zones?name=contains:.net');
    expect(net.body.result.map((z: { name: string }) => z.name)).toEqual(['example.net']);
    const none = await fx.api('GET', '/zones?name=missing.example');
    fx.expectValid(OP.zones, none);
    expect(none.body.result).toEqual([]);
    const all = await fx.api('GET', '/zones?per_page=2');
    expect(all.body.result_info).toMatchObject({ per_page: 5, count: 2, total_count: 2 });
  });
});

describe('single-record routes', () => {
  it('creates a record with every response field, valid against the spec', async () => {
    const body = { type: 'A', name: 'www.example.com', content: '192.0.2.10', ttl: 300, proxied: false };
    expect(fx.spec.request(OP.create, body)).toEqual([]);
    const res = await fx.api('POST', fx.recordsPath(), body);
    expect(res.status).toBe(200);
    fx.expectValid(OP.create, res);
    const r = res.body.result;
    expect(r).toMatchObject({ ...body, proxiable: true, comment: null, tags: [], meta: {}, settings: {} });
    expect(r.id).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(r.created_on)).not.toBeNaN();
    expect(r.modified_on).toBe(r.created_on);
    expect(fx.cf.records('example.com')).toEqual([r]);
  });

  it('differs from the published spec only where real answers do (no `data`, `comment: null`)', async () => {
    const res = await fx.api('POST', fx.recordsPath(), { type: 'A', name: 'www', content: '192.0.2.10', ttl: 1 });
    const errors = fx.publishedSpec.response(OP.create, res.status, res.body).join('\n');
    expect(errors).toContain("must have required property 'data'");
    expect(errors).toMatch(/\/result\/comment must be string/);
    expect(fx.spec.response(OP.create, res.status, res.body)).toEqual([]);
    // Those two are the only reasons: with them changed, the published spec accepts the answer.
    const specShaped = { ...res.body, result: { ...res.body.result, data: {}, comment: 'c' } };
    expect(fx.publishedSpec.response(OP.create, 200, specShaped)).toEqual([]);
  });

  it('expands relative and Unicode names, stores TTL 1 for proxied records', async () => {
    const apex = await fx.api('POST', fx.recordsPath(), { type: 'TXT', name: '@', content: 'v=spf1 -all', ttl: 3600 });
    expect(apex.body.result).toMatchObject({ name: 'example.com', proxiable: false, ttl: 3600 });
    const idn = await fx.api('POST', fx.recordsPath(), { type: 'AAAA', name: 'Bücher', content: '2001:DB8:0::1', ttl: 60 });
    expect(idn.body.result).toMatchObject({ name: 'xn--bcher-kva.example.com', content: '2001:db8::1' });
    const proxied = await fx.api('POST', fx.recordsPath(), {
      type: 'CNAME', name: 'cdn.example.com', content: 'www.example.com', ttl: 300, proxied: true,
    });
    fx.expectValid(OP.create, proxied);
    expect(proxied.body.result).toMatchObject({ proxied: true, ttl: 1, proxiable: true });
  });

  it('gets, overwrites, patches and deletes a record', async () => {
    const [seeded] = fx.cf.seed('example.com', [
      { type: 'A', name: 'app.example.com', content: '192.0.2.1', ttl: 120, comment: 'owner=weclick' },
    ]);
    const path = fx.recordsPath(`/${seeded!.id}`);

    const got = await fx.api('GET', path);
    fx.expectValid(OP.get, got);
    expect(got.body.result).toEqual(seeded);

    // PUT resets what it does not mention: the comment goes back to null.
    const putBody = { type: 'A', name: 'app.example.com', content: '198.51.100.1', ttl: 300 };
    expect(fx.spec.request(OP.put, putBody)).toEqual([]);
    const put = await fx.api('PUT', path, putBody);
    fx.expectValid(OP.put, put);
    expect(put.body.result).toMatchObject({ ...putBody, id: seeded!.id, comment: null, created_on: seeded!.created_on });

    const patchBody = { type: 'A', name: 'app.example.com', ttl: 300, comment: 'owner=weclick' };
    expect(fx.spec.request(OP.patch, patchBody)).toEqual([]);
    const patched = await fx.api('PATCH', path, patchBody);
    fx.expectValid(OP.patch, patched);
    expect(patched.body.result).toMatchObject({ content: '198.51.100.1', comment: 'owner=weclick' });
    expect(patched.body.result.comment_modified_on).toBeDefined();

    const deleted = await fx.api('DELETE', path);
    fx.expectValid(OP.del, deleted);
    expect(deleted.body).toEqual({ result: { id: seeded!.id }, success: true, errors: [], messages: [] });
    expect(fx.cf.records('example.com')).toEqual([]);

    const again = await fx.api('DELETE', path);
    expectFailure(again, 404, 81044);
    fx.expectValid(OP.del, again);
    expect(again.body.errors[0].message).toBe('Record does not exist.');
  });

  it('accepts a partial PATCH, as the real API does, although the spec would refuse it', async () => {
    const [seeded] = fx.cf.seed('example.com', [{ type: 'A', name: 'p.example.com', content: '192.0.2.1' }]);
    const partial = { content: '192.0.2.99' };
    expect(fx.spec.request(OP.patch, partial)).not.toEqual([]); // spec wants name, type and ttl in every variant
    const res = await fx.api('PATCH', fx.recordsPath(`/${seeded!.id}`), partial);
    fx.expectValid(OP.patch, res);
    expect(res.body.result).toMatchObject({ name: 'p.example.com', type: 'A', content: '192.0.2.99', ttl: 1 });
  });
});

describe('validation and conflict errors', () => {
  beforeEach(() => {
    fx.cf.seed('example.com', [
      { type: 'A', name: 'www.example.com', content: '192.0.2.1' },
      { type: 'CNAME', name: 'alias.example.com', content: 'www.example.com' },
    ]);
  });

  const cases: Array<[string, Record<string, unknown>, number]> = [
    ['A content that is not IPv4', { type: 'A', name: 'x', content: '2001:db8::1', ttl: 1 }, 9005],
    ['AAAA content that is not IPv6', { type: 'AAAA', name: 'x', content: '192.0.2.1', ttl: 1 }, 9006],
    ['an invalid name', { type: 'A', name: 'bad name!', content: '192.0.2.1', ttl: 1 }, 9000],
    ['a TTL below 60', { type: 'A', name: 'x', content: '192.0.2.1', ttl: 30 }, 9021],
    ['an identical record', { type: 'A', name: 'WWW.example.com', content: '192.0.2.1', ttl: 1 }, 81058],
    ['a CNAME next to an A record', { type: 'CNAME', name: 'www', content: 'example.net', ttl: 1 }, 81053],
    ['an A record next to a CNAME', { type: 'A', name: 'alias', content: '192.0.2.5', ttl: 1 }, 81054],
    ['a proxied TXT record', { type: 'TXT', name: 't', content: 'x', ttl: 1, proxied: true }, 9004],
    ['a comment over 100 characters', { type: 'TXT', name: 't', content: 'x', ttl: 1, comment: 'c'.repeat(101) }, 9313],
    ['tags on a Free-plan zone', { type: 'TXT', name: 't', content: 'x', ttl: 1, tags: ['owner:weclick'] }, 9300],
    ['an unsupported type', { type: 'BOGUS', name: 't', content: 'x', ttl: 1 }, 1004],
  ];

  it.each(cases)('refuses %s with 400 and the Cloudflare code', async (_label, body, code) => {
    const res = await fx.api('POST', fx.recordsPath(), body);
    expectFailure(res, 400, code);
    fx.expectValid(OP.create, res);
    expect(fx.cf.records('example.com')).toHaveLength(2);
  });

  it('applies the same checks on PUT and PATCH, ignoring the record itself', async () => {
    const www = fx.cf.records('example.com').find((r) => r.type === 'A')!;
    const same = await fx.api('PUT', fx.recordsPath(`/${www.id}`), { type: 'A', name: 'www', content: '192.0.2.1', ttl: 1 });
    expect(same.status).toBe(200);
    const clash = await fx.api('PATCH', fx.recordsPath(`/${www.id}`), { name: 'alias.example.com' });
    expectFailure(clash, 400, 81054);
    fx.expectValid(OP.patch, clash);
    const badTtl = await fx.api('PUT', fx.recordsPath(`/${www.id}`), { type: 'A', name: 'www', content: '192.0.2.1', ttl: 5 });
    expectFailure(badTtl, 400, 9021);
    fx.expectValid(OP.put, badTtl);
  });

  it('answers unknown and malformed ids the way Cloudflare does', async () => {
    const unknown = await fx.api('GET', fx.recordsPath(`/${'0'.repeat(32)}`));
    expectFailure(unknown, 404, 81044);
    fx.expectValid(OP.get, unknown);
    const malformed = await fx.api('GET', fx.recordsPath('/not-an-id'));
    expectFailure(malformed, 400, 7003);
    expect(malformed.body.errors[0].message).toContain('perhaps your object identifier is invalid?');
    fx.expectValid(OP.get, malformed);
    const badZone = await fx.api('GET', '/zones/example.com/dns_records');
    expectFailure(badZone, 400, 7003);
    fx.expectValid(OP.list, badZone);
    const otherZone = await fx.api('GET', `/zones/${'f'.repeat(32)}/dns_records`);
    expectFailure(otherZone, 403, 10000);
    fx.expectValid(OP.list, otherZone);
  });

  it('refuses malformed JSON and routes that do not exist', async () => {
    const bad = await fx.api('POST', fx.recordsPath(), '{"type": "A",');
    expectFailure(bad, 400, 6007);
    fx.expectValid(OP.create, bad);
    for (const [method, path] of [
      ['GET', '/accounts'],
      ['DELETE', fx.recordsPath()],
      ['GET', fx.recordsPath('/export')],
      ['GET', fx.recordsPath('/batch')],
    ] as const) {
      const res = await fx.api(method, path);
      expectFailure(res, 404, 7003);
      expect(res.body.errors[0].message).toBe('No route for the URI');
      expect(fx.spec.schema('dns-records_api-response-common-failure', res.body)).toEqual([]);
    }
    const outside = await fetch(fx.cf.url.replace('/client/v4', '/other'));
    expect(outside.status).toBe(404);
  });
});

describe('authentication', () => {
  it('refuses a wrong token with 403 (9109), a missing one with 400 (9106), a bad scheme with 400 (6003)', async () => {
    const wrong = await call(fx.cf.url, 'GET', '/zones', { token: 'not-the-token' });
    expectFailure(wrong, 403, 9109);
    expect(wrong.body.errors[0].message).toBe('Invalid access token');
    const missing = await call(fx.cf.url, 'GET', '/zones', { token: null });
    expectFailure(missing, 400, 9106);
    const basic = await call(fx.cf.url, 'GET', '/zones', { token: null, headers: { authorization: 'Basic abc' } });
    expectFailure(basic, 400, 6111);
    expect(basic.body.errors[0]).toMatchObject({ code: 6003, message: 'Invalid request headers' });
    for (const res of [wrong, missing, basic]) fx.expectValid(OP.zones, res);
    const writes = await call(fx.cf.url, 'POST', fx.recordsPath(), { token: 'nope', body: { type: 'A' } });
    expectFailure(writes, 403, 9109);
    expect(fx.cf.records('example.com')).toEqual([]);
  });
});
