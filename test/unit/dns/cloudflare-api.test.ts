// The Cloudflare client wrapper with the real SDK against the local stand-in (test/standins/cloudflare): paging,
// bounded retries, error messages. Sleeps are recorded (and skipped) where only the decision matters.
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudflareDns, cloudflareSettings, DEFAULT_API_BASE_URL, type CloudflareSettings } from '../../../src/dns/cloudflare-api.js';
import { OWNER_MARKER } from '../../../src/dns/ownership.js';
import type { EnvFile } from '../../../src/secrets/env-file.js';
import { WeclickError } from '../../../src/ui/errors.js';
import { startCloudflareStandin, type CloudflareStandin } from '../../standins/cloudflare/index.js';
import { ZONE } from './inventory.js';

const TOKEN = 'cf-unit-token-4f9d2c7a1b8e';
let cf: CloudflareStandin;
let sleeps: number[];

const settings = (extra: Partial<CloudflareSettings> = {}): CloudflareSettings => ({ token: TOKEN, baseURL: cf.url, envPath: '/tmp/x/.env', ...extra });
const connect = (extra: Partial<CloudflareSettings> = {}) => CloudflareDns.connect(settings(extra), { sleep: async (ms) => void sleeps.push(ms) });
const zoneRef = () => ({ id: cf.zoneId(ZONE), name: ZONE, fromSetting: false });

async function failure(promise: Promise<unknown>): Promise<WeclickError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WeclickError) return error;
    throw error;
  }
  throw new Error('expected a WeclickError');
}

beforeEach(async () => {
  cf = await startCloudflareStandin({ token: TOKEN, zones: [{ name: ZONE }, { name: 'other.example' }] });
  sleeps = [];
});
afterEach(async () => {
  await cf.close();
});

describe('settings', () => {
  const env = (values: Record<string, string>): EnvFile => ({ path: '/srv/fleet/.env', exists: true, values });

  it('reads the token, base URL and optional zone id from the .env, with Cloudflare as the default URL', () => {
    expect(cloudflareSettings(env({ CLOUDFLARE_API_TOKEN: 'abcd1234' }), {})).toEqual({ token: 'abcd1234', baseURL: DEFAULT_API_BASE_URL, zoneId: undefined, envPath: '/srv/fleet/.env' });
    expect(cloudflareSettings(env({ CLOUDFLARE_API_TOKEN: 'abcd1234', CLOUDFLARE_API_BASE_URL: 'http://127.0.0.1:9/client/v4/' }), {}).baseURL).toBe('http://127.0.0.1:9/client/v4');
  });

  it('refuses a missing token (exit 3) and a malformed zone id or URL', () => {
    const missing = (() => {
      try {
        cloudflareSettings(env({}), {});
      } catch (error) {
        return error as WeclickError;
      }
    })();
    expect(missing).toMatchObject({ exitCode: 3, message: 'CLOUDFLARE_API_TOKEN is not set: add a Cloudflare API token with Zone · DNS · Edit on the zone to /srv/fleet/.env' });
    expect(() => cloudflareSettings(env({ CLOUDFLARE_API_TOKEN: 'abcd1234', CLOUDFLARE_ZONE_ID: 'nope' }), {})).toThrow(/32 hex digits/);
    expect(() => cloudflareSettings(env({ CLOUDFLARE_API_TOKEN: 'abcd1234', CLOUDFLARE_API_BASE_URL: 'ftp://x' }), {})).toThrow(/http\(s\) URL/);
  });
});

describe('zones', () => {
  it('finds the zone by name with one request', async () => {
    const api = await connect();
    expect(await api.findZone(ZONE)).toEqual({ id: cf.zoneId(ZONE), name: ZONE, fromSetting: false });
    expect(cf.requests.map((r) => `${r.method} ${r.path} ${r.query.name}`)).toEqual([`GET /zones ${ZONE}`]);
  });

  it('says clearly when the zone does not exist', async () => {
    const error = await failure((await connect()).findZone('missing.example'));
    expect(error.message).toBe("zone missing.example not found in Cloudflare (or the token cannot see it): check fleet.cloudflare.zone and the token's zone resources");
    expect(error.exitCode).toBe(1);
  });

  it('skips the lookup with CLOUDFLARE_ZONE_ID, and notices an id that belongs to another zone', async () => {
    const api = await connect({ zoneId: cf.zoneId(ZONE) });
    const zone = await api.findZone(ZONE);
    expect(zone).toEqual({ id: cf.zoneId(ZONE), name: ZONE, fromSetting: true });
    expect(cf.requests).toEqual([]);

    cf.seed('other.example', [{ type: 'A', name: 'www', content: '192.0.2.1' }]);
    const wrong = await connect({ zoneId: cf.zoneId('other.example') });
    const error = await failure(wrong.listRecords(await wrong.findZone(ZONE)));
    expect(error.message).toBe(`CLOUDFLARE_ZONE_ID is not the id of ${ZONE}: that zone holds www.other.example; fix or remove CLOUDFLARE_ZONE_ID`);
    expect(error.exitCode).toBe(3);
  });
});

describe('listing records', () => {
  it('walks a 10,000-record zone in 10 pages, without asking for the empty eleventh', async () => {
    cf.seed(ZONE, Array.from({ length: 10_000 }, (_, i) => ({ type: 'A', name: `h${i}`, content: `198.51.100.${i % 250}`, comment: i === 7 ? OWNER_MARKER : undefined })));
    const api = await connect();
    const records = await api.listRecords(zoneRef());
    expect(records).toHaveLength(10_000);
    expect(new Set(records.map((r) => r.id)).size).toBe(10_000);
    expect(cf.requests.map((r) => `${r.query.page}/${r.query.per_page}`)).toEqual(Array.from({ length: 10 }, (_, i) => `${i + 1}/1000`));
    expect(records[7]).toMatchObject({ name: `h7.${ZONE}`, type: 'A', content: '198.51.100.7', ttl: 1, proxied: false, comment: OWNER_MARKER });
    expect(records[8]!.comment).toBeNull();
    expect(api.requests).toBe(10);
  });

  it('stops on a short page (10,001 records: 11 requests) and reads an empty zone with one', async () => {
    const empty = await connect();
    expect(await empty.listRecords(zoneRef())).toEqual([]);
    expect(empty.requests).toBe(1);
    cf.seed(ZONE, Array.from({ length: 10_001 }, (_, i) => ({ type: 'TXT', name: `t${i}`, content: `v${i}` })));
    const api = await connect();
    expect(await api.listRecords(zoneRef())).toHaveLength(10_001);
    expect(api.requests).toBe(11);
  });
});

describe('bounded retries (the SDK itself never retries: maxRetries 0)', () => {
  it('honours a 429 Retry-After, then succeeds', async () => {
    cf.fail({ status: 429, retryAfter: 2 }, 1);
    const api = await connect();
    await api.findZone(ZONE);
    expect(sleeps).toEqual([2000]);
    expect(cf.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(api.requests).toBe(cf.requests.length);
  });

  it('really waits the Retry-After it honours', async () => {
    cf.fail({ status: 429, retryAfter: 1 }, 1);
    const api = await CloudflareDns.connect(settings());
    const started = Date.now();
    await api.findZone(ZONE);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(cf.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('gives up at once, with a clear error, when Retry-After is beyond the bound', async () => {
    cf.fail({ status: 429, retryAfter: 3600 }, 1);
    const error = await failure((await connect()).findZone(ZONE));
    expect(error.message).toBe(
      `Cloudflare rate limit (HTTP 429) while looking up zone ${ZONE}: Cloudflare asked to wait 3600 s (Retry-After), longer than weclick waits (60 s); nothing more was sent, try again in a few minutes (971: Please wait and consider throttling your request speed)`,
    );
    expect(sleeps).toEqual([]);
    expect(cf.requests).toHaveLength(1);
  });

  it('gives up after 5 attempts of 429', async () => {
    cf.fail({ status: 429, retryAfter: 1 }, 10);
    const error = await failure((await connect()).listRecords(zoneRef()));
    expect(error.message).toMatch(/^Cloudflare rate limit \(HTTP 429\) while listing the records of weclick\.example: gave up after 5 attempts;/);
    expect(sleeps).toEqual([1000, 1000, 1000, 1000]);
    expect(cf.requests).toHaveLength(5);
  });

  it('retries 5xx with growing backoff, then succeeds', async () => {
    cf.fail({ status: 503 }, 4);
    const api = await connect();
    await api.findZone(ZONE);
    expect(cf.requests.map((r) => r.status)).toEqual([503, 503, 503, 503, 200]);
    expect(sleeps).toHaveLength(4);
    [500, 1000, 2000, 4000].forEach((full, i) => {
      expect(sleeps[i]).toBeGreaterThanOrEqual(full * 0.75);
      expect(sleeps[i]).toBeLessThanOrEqual(full);
    });
  });

  it('reports a 5xx that does not go away', async () => {
    cf.fail({ status: 502 }, 5);
    const error = await failure((await connect()).findZone(ZONE));
    expect(error.message).toBe(`Cloudflare answered HTTP 502 while looking up zone ${ZONE} (10001: Service temporarily unavailable); gave up after 5 attempts`);
  });

  it('reports an unreachable API after retrying', async () => {
    const port = await closedPort();
    const error = await failure((await connect({ baseURL: `http://127.0.0.1:${port}/client/v4` })).findZone(ZONE));
    expect(error.message).toMatch(new RegExp(`^cannot reach Cloudflare at http://127\\.0\\.0\\.1:${port}/client/v4 while looking up zone ${ZONE.replace('.', '\\.')}: .*; gave up after 5 attempts$`));
    expect(sleeps).toHaveLength(4);
  });
});

describe('errors that are not retried', () => {
  it('an invalid token: one line, no token in it, one request', async () => {
    const error = await failure((await connect({ token: 'wrong-token-1234567' })).findZone(ZONE));
    expect(error.message).toBe(
      `Cloudflare refused the API token while looking up zone ${ZONE} (9109: Invalid access token): check CLOUDFLARE_API_TOKEN in /tmp/x/.env and its permissions (Zone · DNS · Edit)`,
    );
    expect(error.message).not.toContain('wrong-token');
    expect(error.message).not.toContain(TOKEN);
    expect(cf.requests).toHaveLength(1);
  });

  it('a rejected batch: the first error, no retry, nothing applied', async () => {
    const api = await connect();
    const post = { name: `a.${ZONE}`, type: 'A', content: '192.0.2.1', ttl: 1, proxied: false, comment: OWNER_MARKER };
    const bad = { ...post, name: `b.${ZONE}`, ttl: 5 };
    const error = await failure(api.batch(zoneRef(), { deletes: [], patches: [], posts: [post, bad], changes: [{} as never, {} as never] }));
    expect(error.message).toBe(
      `Cloudflare rejected the request (HTTP 400) while applying a batch of 2 change(s) (1004: DNS Validation Error; 9021: TTL must be between 60 and 86400 seconds, or 1 for Automatic.)`,
    );
    expect(cf.requests).toHaveLength(1);
    expect(cf.records(ZONE)).toEqual([]);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
