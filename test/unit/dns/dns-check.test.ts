// weclick doctor's Cloudflare checks (src/doctor/dns-check.ts) against the stand-in with the real SDK.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dnsChecks } from '../../../src/doctor/dns-check.js';
import type { LoadResult } from '../../../src/inventory/load.js';
import type { EnvFile } from '../../../src/secrets/env-file.js';
import { startCloudflareStandin, type CloudflareStandin } from '../../standins/cloudflare/index.js';
import { inventory, ZONE } from './inventory.js';

const TOKEN = 'cf-doctor-token-0c1d2e3f4a5b';
let cf: CloudflareStandin;

const loaded = (zone = ZONE): LoadResult => ({ ok: true, inventory: inventory(undefined, { cloudflare: { zone } }), file: '/tmp/f/weclick.yaml' } as unknown as LoadResult);
const env = (values: Record<string, string>): EnvFile => ({ path: '/tmp/f/.env', exists: true, values });
const good = () => env({ CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_API_BASE_URL: cf.url });

beforeEach(async () => {
  cf = await startCloudflareStandin({ token: TOKEN, zones: [{ name: ZONE }] });
});
afterEach(async () => {
  await cf.close();
});

describe('dnsChecks', () => {
  it('passes when the token is accepted and the zone exists (one request)', async () => {
    expect(await dnsChecks(loaded(), good(), {})).toEqual([
      { area: 'cloudflare token', status: 'ok', detail: `accepted by ${cf.url}` },
      { area: 'cloudflare zone', status: 'ok', detail: `${ZONE} found (id ${cf.zoneId(ZONE)})` },
    ]);
    expect(cf.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /zones']);
  });

  it('fails the token check on an invalid token, without printing it', async () => {
    const checks = await dnsChecks(loaded(), env({ CLOUDFLARE_API_TOKEN: 'not-the-token-42', CLOUDFLARE_API_BASE_URL: cf.url }), {});
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ area: 'cloudflare token', status: 'fail' });
    expect(checks[0]!.detail).toMatch(/^Cloudflare refused the API token while looking up zone weclick\.example \(9109: Invalid access token\)/);
    expect(JSON.stringify(checks)).not.toContain('not-the-token-42');
  });

  it('fails the zone check for a zone that does not exist', async () => {
    const checks = await dnsChecks(loaded('missing.example'), good(), {});
    expect(checks.map((c) => `${c.area} ${c.status}`)).toEqual(['cloudflare token ok', 'cloudflare zone fail']);
    expect(checks[1]!.detail).toMatch(/^zone missing\.example not found in Cloudflare/);
  });

  it('fails when CLOUDFLARE_ZONE_ID is not the zone\'s id', async () => {
    const checks = await dnsChecks(loaded(), env({ CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_API_BASE_URL: cf.url, CLOUDFLARE_ZONE_ID: 'f'.repeat(32) }), {});
    expect(checks.at(-1)).toEqual({
      area: 'cloudflare zone',
      status: 'fail',
      detail: `CLOUDFLARE_ZONE_ID ${'f'.repeat(32)} is not the id of ${ZONE}`,
      fix: `set CLOUDFLARE_ZONE_ID=${cf.zoneId(ZONE)} or remove it from /tmp/f/.env`,
    });
  });

  it('fails on an API that keeps answering 5xx, after a short retry budget', async () => {
    cf.fail({ status: 503 }, 3);
    const checks = await dnsChecks(loaded(), good(), {}, { sleep: async () => {} });
    expect(checks).toEqual([{ area: 'cloudflare', status: 'fail', detail: `Cloudflare answered HTTP 503 while looking up zone ${ZONE} (10001: Service temporarily unavailable); gave up after 3 attempts` }]);
  });

  it('only warns without a token or with an invalid inventory, and sends nothing', async () => {
    expect(await dnsChecks(loaded(), env({}), {})).toEqual([{ area: 'cloudflare', status: 'warn', detail: 'not checked: CLOUDFLARE_API_TOKEN is not set', fix: 'add CLOUDFLARE_API_TOKEN to /tmp/f/.env' }]);
    expect(await dnsChecks({ ok: false, problems: [], file: 'x' }, good(), {})).toEqual([{ area: 'cloudflare', status: 'warn', detail: 'not checked: the inventory is invalid' }]);
    expect(cf.requests).toEqual([]);
  });
});
