// Listing DNS records on the stand-in: filters, ordering and pagination, answers checked against the spec.
import { beforeEach, describe, expect, it } from 'vitest';
import { OP, useStandin } from './cloudflare-fixture.js';

const fx = useStandin();

describe('listing, filters and pagination', () => {
  const list = async (query: string) => {
    const res = await fx.api('GET', fx.recordsPath(`?${query}`));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    fx.expectValid(OP.list, res);
    return res;
  };
  const names = async (query: string) =>
    (await list(query)).body.result.map((r: { type: string; name: string }) => `${r.type} ${r.name}`);

  beforeEach(() => {
    fx.cf.seed('example.com', [
      { type: 'A', name: 'www.example.com', content: '192.0.2.1', comment: 'owner=weclick id=1' },
      { type: 'A', name: 'api.example.com', content: '192.0.2.2', comment: 'managed by hand' },
      { type: 'AAAA', name: 'www.example.com', content: '2001:db8::1' },
      { type: 'CNAME', name: 'docs.example.com', content: 'www.example.com' },
      { type: 'TXT', name: 'example.com', content: 'v=spf1 -all', comment: 'Owner=weclick' },
      { type: 'MX', name: 'example.com', content: 'mail.example.com', priority: 10 },
    ]);
  });

  it('filters by name, name.*, type and content, case-insensitively', async () => {
    expect(await names('name=WWW.Example.com')).toEqual(['A www.example.com', 'AAAA www.example.com']);
    expect(await names('name.exact=www.example.com&type=AAAA')).toEqual(['AAAA www.example.com']);
    expect(await names('name[exact]=api.example.com')).toEqual(['A api.example.com']);
    expect(await names('name.startswith=API')).toEqual(['A api.example.com']);
    expect(await names('name.endswith=docs.example.com')).toEqual(['CNAME docs.example.com']);
    expect(await names('name.contains=example')).toHaveLength(6);
    expect(await names('type=mx')).toEqual(['MX example.com']);
    expect(await names('content=192.0.2.2')).toEqual(['A api.example.com']);
    expect(await names('content.startswith=192.0.2.')).toEqual(['A www.example.com', 'A api.example.com']);
    expect(await names('proxied=false')).toHaveLength(6);
  });

  it('filters by comment and combines filters with match=all|any', async () => {
    expect(await names('comment.contains=WECLICK')).toEqual(['A www.example.com', 'TXT example.com']);
    expect(await names('comment.startswith=owner=')).toEqual(['A www.example.com', 'TXT example.com']);
    expect(await names('comment.exact=Managed%20By%20Hand')).toEqual(['A api.example.com']);
    expect(await names('comment.absent=')).toEqual(['AAAA www.example.com', 'CNAME docs.example.com', 'MX example.com']);
    expect(await names('comment.present=')).toHaveLength(3);
    expect(await names('type=CNAME&content=192.0.2.2')).toEqual([]);
    expect(await names('type=CNAME&content=192.0.2.2&match=any')).toEqual(['A api.example.com', 'CNAME docs.example.com']);
  });

  it('orders by a field when asked', async () => {
    expect(await names('order=name&direction=desc&type=A')).toEqual(['A www.example.com', 'A api.example.com']);
    expect(await names('order=type&direction=asc&name=www.example.com')).toEqual(['A www.example.com', 'AAAA www.example.com']);
  });

  it('pages with correct result_info and answers an empty page past the end', async () => {
    fx.cf.seed('example.com', Array.from({ length: 19 }, (_, i) => ({ type: 'TXT', name: `t${i}`, content: `n${i}` })));
    const pages = [];
    for (let page = 1; page <= 4; page += 1) pages.push((await list(`per_page=10&page=${page}`)).body);
    expect(pages.map((p) => p.result.length)).toEqual([10, 10, 5, 0]);
    expect(pages.map((p) => p.result_info)).toEqual(
      [1, 2, 3, 4].map((page, i) => ({ page, per_page: 10, count: [10, 10, 5, 0][i], total_count: 25, total_pages: 3 })),
    );
    const ids = pages.flatMap((p) => p.result.map((r: { id: string }) => r.id));
    expect(new Set(ids).size).toBe(25);
    expect((await list('')).body.result_info).toMatchObject({ page: 1, per_page: 100, count: 25 });
    expect((await list('per_page=999999')).body.result_info.per_page).toBe(5000);
  });
});
