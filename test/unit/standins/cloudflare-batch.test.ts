// Batch DNS record changes on the stand-in: order, answer shape, rollback and size limit.
import { beforeEach, describe, expect, it } from 'vitest';
import { startCloudflareStandin } from '../../standins/cloudflare/index.js';
import { call } from './cloudflare-http.js';
import { expectFailure, OP, TOKEN, useStandin } from './cloudflare-fixture.js';

const fx = useStandin();

describe('POST /dns_records/batch', () => {
  let ids: { www: string; api: string; txt: string };
  beforeEach(() => {
    const [www, apiRecord, txt] = fx.cf.seed('example.com', [
      { type: 'A', name: 'www.example.com', content: '192.0.2.1' },
      { type: 'A', name: 'api.example.com', content: '192.0.2.2', comment: 'keep' },
      { type: 'TXT', name: 't.example.com', content: 'x', comment: 'old' },
    ]);
    ids = { www: www!.id, api: apiRecord!.id, txt: txt!.id };
  });

  it('runs deletes → patches → puts → posts and answers every list with full records', async () => {
    const body = {
      // The CNAME post only works because the A record it replaces is deleted first.
      posts: [{ type: 'CNAME', name: 'www.example.com', content: 'api.example.com', ttl: 1 }],
      puts: [{ id: ids.txt, type: 'TXT', name: 't.example.com', content: 'y', ttl: 1 }],
      patches: [{ id: ids.api, type: 'A', name: 'api.example.com', content: '192.0.2.20', ttl: 300 }],
      deletes: [{ id: ids.www }],
    };
    expect(fx.spec.request(OP.batch, body)).toEqual([]);
    const res = await fx.api('POST', fx.recordsPath('/batch'), body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    fx.expectValid(OP.batch, res);
    const { result } = res.body;
    expect(Object.keys(result).sort()).toEqual(['deletes', 'patches', 'posts', 'puts']);
    expect(result.deletes).toEqual([expect.objectContaining({ id: ids.www, type: 'A', content: '192.0.2.1' })]);
    expect(result.patches[0]).toMatchObject({ id: ids.api, content: '192.0.2.20', ttl: 300, comment: 'keep' });
    expect(result.puts[0]).toMatchObject({ id: ids.txt, content: 'y', comment: null });
    expect(result.posts[0]).toMatchObject({ type: 'CNAME', name: 'www.example.com', content: 'api.example.com' });
    expect(fx.cf.records('example.com').map((r) => `${r.type} ${r.name} ${r.content}`)).toEqual([
      'A api.example.com 192.0.2.20',
      'TXT t.example.com y',
      'CNAME www.example.com api.example.com',
    ]);
  });

  it('answers only the lists the request named', async () => {
    const res = await fx.api('POST', fx.recordsPath('/batch'), { posts: [{ type: 'TXT', name: 'n', content: 'v', ttl: 1 }] });
    fx.expectValid(OP.batch, res);
    expect(Object.keys(res.body.result)).toEqual(['posts']);
  });

  it('rolls everything back on the first failure and returns that error', async () => {
    const before = fx.cf.records('example.com');
    const res = await fx.api('POST', fx.recordsPath('/batch'), {
      deletes: [{ id: ids.txt }],
      patches: [{ id: ids.api, type: 'A', name: 'api.example.com', content: '192.0.2.99', ttl: 1 }],
      posts: [
        { type: 'TXT', name: 'fresh', content: 'ok', ttl: 1 },
        { type: 'A', name: 'www.example.com', content: '192.0.2.1', ttl: 1 }, // identical to an existing record
        { type: 'A', name: 'www.example.com', content: 'not-an-ip', ttl: 1 }, // never reached
      ],
    });
    expectFailure(res, 400, 81058);
    expect(res.body.errors).toHaveLength(1);
    fx.expectValid(OP.batch, res);
    expect(fx.cf.records('example.com')).toEqual(before);
  });

  it('rolls back when a delete names a record that does not exist', async () => {
    const before = fx.cf.records('example.com');
    const res = await fx.api('POST', fx.recordsPath('/batch'), { deletes: [{ id: ids.www }, { id: ids.www }] });
    expectFailure(res, 404, 81044);
    fx.expectValid(OP.batch, res);
    expect(fx.cf.records('example.com')).toEqual(before);
  });

  it('refuses more than maxBatch operations (200 by default)', async () => {
    const posts = Array.from({ length: 201 }, (_, i) => ({ type: 'TXT', name: `b${i}`, content: 'v', ttl: 1 }));
    const res = await fx.api('POST', fx.recordsPath('/batch'), { posts });
    expectFailure(res, 400, 1004);
    fx.expectValid(OP.batch, res);
    expect(fx.cf.records('example.com')).toHaveLength(3);
    // Exactly 200 operations, counted across all four lists, pass.
    const ok = await fx.api('POST', fx.recordsPath('/batch'), { posts: posts.slice(0, 199), deletes: [{ id: ids.www }] });
    expect(ok.status).toBe(200);
    expect(fx.cf.records('example.com')).toHaveLength(201);

    const small = await startCloudflareStandin({ token: TOKEN, zones: [{ name: 'example.org' }], maxBatch: 2 });
    try {
      const path = `/zones/${small.zoneId('example.org')}/dns_records/batch`;
      const refused = await call(small.url, 'POST', path, { token: TOKEN, body: { posts: posts.slice(0, 3) } });
      expectFailure(refused, 400, 1004);
    } finally {
      await small.close();
    }
  });
});
