import { describe, expect, it } from 'vitest';
import { apiBase, curlConfig, parseCurlOutput, propagationWorkers } from '../../../src/users/propagate.js';
import type { Inventory } from '../../../src/inventory/schema.js';

describe('curl config for a worker', () => {
  it('one PUT per user with an empty JSON body, the token only in the config (stdin), blocks joined by next', () => {
    const config = curlConfig('http://127.0.0.1:8000', ['alice', 'bob'], 'HEAD.PAYLOAD.SIG');
    const blocks = config.split('\nnext\n');
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toContain('url = "http://127.0.0.1:8000/api/user/alice"');
    expect(blocks[0]).toContain('request = "PUT"');
    expect(blocks[0]).toContain('data-raw = "{}"');
    expect(blocks[0]).toContain('header = "Authorization: Bearer HEAD.PAYLOAD.SIG"');
    // Config quoting turns \\ into \, then --write-out turns \n into a newline.
    expect(blocks[1]).toContain('write-out = "bob %{http_code}\\\\n"');
  });

  it('quotes values for curl config syntax', () => {
    expect(curlConfig('http://h', ['a'], 'x"y\\z')).toContain('header = "Authorization: Bearer x\\"y\\\\z"');
  });

  it('reads the per-user status codes', () => {
    const results = parseCurlOutput('alice 200\nbob 000\ncarol 404\ndave 401\neve 500\n', ['alice', 'bob', 'carol', 'dave', 'eve', 'frank'], 'http://127.0.0.1:8000');
    expect(results.map((r) => r.outcome)).toEqual(['applied', 'unreachable', 'gone', 'failed', 'failed', 'failed']);
    expect(results[1]!.detail).toBe('Marzban API at http://127.0.0.1:8000 did not answer');
    expect(results[3]!.detail).toMatch(/refused weclick's admin token/);
  });

  it('targets marzban workers that are not retired; the API base may name the worker address', () => {
    const server = (name: string, roles: string[], state: string) => ({ name, roles, state, ipv4: '192.0.2.1' });
    const inventory = { servers: [server('srv1', ['marzban'], 'active'), server('srv2', ['marzban'], 'draining'), server('srv3', ['marzban'], 'retired'), server('go', ['proxy'], 'active')] } as unknown as Inventory;
    expect(propagationWorkers(inventory).map((s) => s.name)).toEqual(['srv1', 'srv2']);
    expect(apiBase('http://{ipv4}:8000/', { ipv4: '192.0.2.7' })).toBe('http://192.0.2.7:8000');
  });
});
