// Fault injection (429, 5xx, delays) and the request log of the stand-in.
import { describe, expect, it } from 'vitest';
import { operationIdFor } from './cloudflare-spec.js';
import { expectFailure, OP, useStandin } from './cloudflare-fixture.js';

const fx = useStandin();

describe('fault injection and the request log', () => {
  it('answers 429 with retry-after and code 971 (the only point where the spec disagrees)', async () => {
    fx.cf.fail({ status: 429, retryAfter: 3 });
    const limited = await fx.api('GET', fx.recordsPath());
    expectFailure(limited, 429, 971);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(limited.body.errors[0].message).toBe('Please wait and consider throttling your request speed');
    const errors = fx.spec.response(OP.list, limited.status, limited.body);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\/errors\/0\/code must be >= 1000/);
    expect((await fx.api('GET', fx.recordsPath())).status).toBe(200);
  });

  it('fails only matching requests, `times` times, with 5xx', async () => {
    fx.cf.fail({ status: 503 }, 2, { method: 'POST', pathIncludes: '/dns_records' });
    expect((await fx.api('GET', fx.recordsPath())).status).toBe(200);
    const body = { type: 'TXT', name: 'f', content: 'v', ttl: 1 };
    expect((await fx.api('POST', fx.recordsPath(), body)).status).toBe(503);
    expect((await fx.api('POST', fx.recordsPath(), body)).status).toBe(503);
    expect(fx.cf.records('example.com')).toEqual([]); // a failed request changes nothing
    expect((await fx.api('POST', fx.recordsPath(), body)).status).toBe(200);
    fx.cf.fail({ status: 500 });
    expectFailure(await fx.api('GET', '/zones'), 500, 10001);
    fx.cf.fail({ status: 502 });
    expect((await fx.api('GET', '/zones')).status).toBe(502);
  });

  it('delays an answer without changing it', async () => {
    fx.cf.fail({ delayMs: 300 });
    const started = Date.now();
    const res = await fx.api('GET', '/zones');
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    fx.expectValid(OP.zones, res);
  });

  it('logs method, path, query, status and body; resetLog empties it', async () => {
    await fx.api('GET', '/zones?name=example.com');
    await fx.api('POST', fx.recordsPath(), { type: 'A', name: 'bad', content: 'x', ttl: 1 });
    expect(fx.cf.requests).toEqual([
      { method: 'GET', path: '/zones', query: { name: 'example.com' }, status: 200 },
      {
        method: 'POST',
        path: `/zones/${fx.zoneId}/dns_records`,
        query: {},
        status: 400,
        body: { type: 'A', name: 'bad', content: 'x', ttl: 1 },
      },
    ]);
    fx.cf.resetLog();
    expect(fx.cf.requests).toEqual([]);
  });

  it('accepted every request body of this file that the spec describes', async () => {
    // Replays a typical session and checks each accepted write against the spec's request schema.
    const created = await fx.api('POST', fx.recordsPath(), { type: 'A', name: 'w', content: '192.0.2.3', ttl: 120 });
    const path = fx.recordsPath(`/${created.body.result.id}`);
    await fx.api('PUT', path, { type: 'A', name: 'w', content: '192.0.2.4', ttl: 120, comment: 'c' });
    await fx.api('PATCH', path, { type: 'A', name: 'w', content: '192.0.2.5', ttl: 120 });
    await fx.api('POST', fx.recordsPath('/batch'), { deletes: [{ id: created.body.result.id }] });
    const writes = fx.cf.requests.filter((r) => r.body !== undefined && r.status === 200);
    expect(writes).toHaveLength(4);
    for (const entry of writes) {
      const operationId = operationIdFor(entry.method, entry.path)!;
      expect(fx.spec.request(operationId, entry.body), `${entry.method} ${entry.path}`).toEqual([]);
    }
  });
});
