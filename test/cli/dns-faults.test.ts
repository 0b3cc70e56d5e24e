// weclick dns through the built CLI when Cloudflare misbehaves or the input is wrong: 429 and Retry-After, 5xx,
// an invalid token, a missing zone, a rejected batch, a 10,000-record zone, names outside the zone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  dns,
  FLEET,
  FLEET_RECORDS,
  json,
  owned,
  removeWorkspace,
  requestLines,
  startCloudflareStandin,
  workspace,
  ZONE,
  zoneLines,
  type CloudflareStandin,
  type TestServer,
  type Workspace,
} from './dns-fixture.js';

const TOKEN = 'cf-faults-token-5b4a3c2d1e0f99';
let cf: CloudflareStandin;
let ws: Workspace;

async function start(options: { maxBatch?: number; zones?: string[] } = {}) {
  cf = await startCloudflareStandin({ token: TOKEN, zones: (options.zones ?? [ZONE]).map((name) => ({ name })), maxBatch: options.maxBatch });
  ws = await workspace(cf, TOKEN);
}
beforeEach(() => start());
afterEach(async () => {
  await cf.close();
  await removeWorkspace(ws);
});

const LIST = 'GET /zones/{zone}/dns_records';
const BATCH = 'POST /zones/{zone}/dns_records/batch';

describe('rate limits (429)', () => {
  it('honours Retry-After, says so on stderr, then succeeds', async () => {
    cf.fail({ status: 429, retryAfter: 1 }, 1, { method: 'GET', pathIncludes: '/dns_records' });
    const r = await dns(ws, ['sync', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('Cloudflare: rate limited (HTTP 429); retrying in 1.0 s (attempt 2)\n');
    expect(r.ms).toBeGreaterThanOrEqual(1000);
    expect(requestLines(cf)).toEqual(['GET /zones', LIST, LIST, BATCH, LIST]);
    expect(zoneLines(cf)).toEqual(FLEET_RECORDS);
  });

  it('does not wait out a Retry-After beyond its bound: a clear error at once, nothing applied', async () => {
    cf.fail({ status: 429, retryAfter: 3600 }, 1, { method: 'POST' });
    const r = await dns(ws, ['sync', '--yes']);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(30_000);
    const [first, ...rest] = r.stderr.trimEnd().split('\n');
    expect(first).toBe(
      'error: batch 1 of 1 failed, nothing was applied: Cloudflare rate limit (HTTP 429) while applying a batch of 7 change(s): Cloudflare asked to wait 3600 s (Retry-After), longer than weclick waits (60 s); nothing more was sent, try again in a few minutes (971: Please wait and consider throttling your request speed)',
    );
    expect(rest).toEqual(['  the zone, read again: 7 change(s) still to do (the plan is shown again)']);
    expect(r.stdout).toContain('The plan again, from the zone as it is now:');
    expect(requestLines(cf).filter((l) => l === BATCH)).toHaveLength(1);
    expect(cf.records(ZONE)).toEqual([]);
  });

  it('gives up after 5 attempts when the limit does not lift', async () => {
    cf.fail({ status: 429, retryAfter: 0 }, 50);
    const r = await dns(ws, ['plan', '--json']);
    expect(r.code).toBe(1);
    expect(json(r).error).toMatchObject({
      exitCode: 1,
      message: `Cloudflare rate limit (HTTP 429) while looking up zone ${ZONE}: gave up after 5 attempts; nothing more was sent, try again in a few minutes (971: Please wait and consider throttling your request speed)`,
      cloudflare: { kind: 'rate-limited', status: 429, retryAfterSeconds: 0 },
    });
    expect(requestLines(cf)).toEqual(Array(5).fill('GET /zones'));
  });
});

describe('server errors (5xx)', () => {
  it('retries a 5xx batch with backoff and applies once', async () => {
    cf.fail({ status: 503 }, 2, { method: 'POST', pathIncludes: '/batch' });
    const r = await dns(ws, ['sync', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Cloudflare: HTTP 503; retrying in 0\.\d s \(attempt 2\)\nCloudflare: HTTP 503; retrying in (0\.[89]|1\.0) s \(attempt 3\)\n$/);
    expect(cf.requests.filter((q) => q.path.endsWith('/batch')).map((q) => q.status)).toEqual([503, 503, 200]);
    expect(zoneLines(cf)).toEqual(FLEET_RECORDS);
  });
});

describe('credentials and zone', () => {
  it('an invalid token: exit 1, one clear line, the token nowhere in the output', async () => {
    await ws.writeEnv({ CLOUDFLARE_API_TOKEN: 'wrong-token-abcdef123456', CLOUDFLARE_API_BASE_URL: cf.url });
    for (const command of ['plan', 'sync', 'list']) {
      const r = await dns(ws, [command, ...(command === 'sync' ? ['--yes'] : [])]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `error: Cloudflare refused the API token while looking up zone ${ZONE} (9109: Invalid access token): check CLOUDFLARE_API_TOKEN in ${ws.env} and its permissions (Zone · DNS · Edit)\n`,
      );
      expect(r.stdout).toBe('');
      expect(`${r.stdout}${r.stderr}`).not.toContain('wrong-token');
    }
    const asJson = await dns(ws, ['plan', '--json']);
    expect(json(asJson).error).toMatchObject({ exitCode: 1, cloudflare: { kind: 'auth', status: 403, errors: [{ code: 9109, message: 'Invalid access token' }] } });
    expect(asJson.stdout).not.toContain('wrong-token');
  });

  it('a zone that does not exist: exit 1, said plainly', async () => {
    await cf.close();
    await removeWorkspace(ws);
    await start({ zones: ['other.example'] });
    const r = await dns(ws, ['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: zone ${ZONE} not found in Cloudflare (or the token cannot see it): check fleet.cloudflare.zone and the token's zone resources\n`);
  });
});

describe('rejected batches', () => {
  it('a rejected batch applies nothing, says so, and shows the plan again (text and --json)', async () => {
    await cf.close();
    await removeWorkspace(ws);
    await start({ maxBatch: 5 });
    const r = await dns(ws, ['sync', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(
      'error: batch 1 of 1 failed, nothing was applied: Cloudflare rejected the request (HTTP 400) while applying a batch of 7 change(s) (1004: DNS Validation Error: batch of 7 record operations exceeds the limit of 5.)',
    );
    const [before, again] = r.stdout.split('The plan again, from the zone as it is now:');
    for (const part of [before!, again!]) expect(part.match(/^create /gm)).toHaveLength(7);
    expect(cf.records(ZONE)).toEqual([]);

    const out = json(await dns(ws, ['sync', '--yes', '--json']));
    expect(out.error).toMatchObject({ exitCode: 1, appliedChanges: 0 });
    expect(out.error.remaining.changes).toHaveLength(7);
  });

  it('a later batch rejected: the earlier one stays applied, and the message says exactly which', async () => {
    const servers: TestServer[] = Array.from({ length: 250 }, (_, i) => ({ name: `srv${i + 1}`, ipv4: `198.51.100.${i + 1}`, roles: ['marzban'] }));
    await ws.writeInventory(servers);
    const plan = json(await dns(ws, ['plan', '--json']));
    const last = plan.changes.at(-1); // in the second batch of 200
    // The first batch answers late; meanwhile someone adds, by hand, a record the second batch would create.
    cf.fail({ delayMs: 1500 }, 1, { method: 'POST', pathIncludes: '/batch' });
    const running = dns(ws, ['sync', '--yes']);
    while (!cf.requests.some((q) => q.path.endsWith('/batch'))) await new Promise((resolve) => setTimeout(resolve, 20));
    cf.seed(ZONE, [{ name: last.name, type: 'A', content: last.after.content, comment: 'by hand' }]);
    const r = await running;
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(
      'error: batch 2 of 2 failed, batch 1 (200 of 250 changes) was applied; batch 2 was not: Cloudflare rejected the request (HTTP 400) while applying a batch of 50 change(s) (81058: An identical record already exists.)',
    );
    expect(cf.records(ZONE).filter(owned)).toHaveLength(200);
    const again = r.stdout.split('The plan again, from the zone as it is now:')[1]!;
    expect(again).toContain(`Zone ${ZONE}: 49 to create, 0 to update, 0 to delete; 200 unchanged; 200 owned by weclick, 1 not (left alone).`);
    expect(again).toContain(`matches the inventory (server ${last.name.split('.')[0]}) but is not weclick's`);
  });
});

describe('a zone of 10,000 records', () => {
  it('is read page by page (no empty page asked for) and planned, listed and synced', async () => {
    cf.seed(ZONE, Array.from({ length: 10_000 }, (_, i) => ({ type: 'TXT', name: `k${i}`, content: `v${i}` })));
    const plan = json(await dns(ws, ['plan', '--json']));
    expect(plan).toMatchObject({ unowned: 10_000, owned: 0 });
    expect(plan.changes).toHaveLength(7);
    expect(cf.requests.filter((q) => q.path.endsWith('/dns_records')).map((q) => q.query.page)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);

    const sync = await dns(ws, ['sync', '--yes']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(zoneLines(cf, owned)).toEqual(FLEET_RECORDS);

    cf.resetLog();
    const list = json(await dns(ws, ['list', '--json']));
    expect(list).toMatchObject({ owned: 7, unowned: 10_000 });
    expect(list.records).toHaveLength(10_007);
    expect(requestLines(cf)).toEqual(['GET /zones', ...Array(11).fill(LIST)]);
  });
});

describe('names outside the zone', () => {
  const cases: Array<[string, TestServer[], Parameters<Workspace['writeInventory']>[1], RegExp]> = [
    ['a zone that does not hold the fleet domain', FLEET, { zone: 'elsewhere.example' }, /zone 'elsewhere\.example' does not contain the fleet domain weclick\.example/],
    ['a server hostname outside the zone', [{ name: 'srv1', ipv4: '198.51.100.21', roles: ['marzban'], hostname: 'srv1.elsewhere.example' }], {}, /'srv1\.elsewhere\.example' is outside the fleet domain weclick\.example/],
    ['a MySQL name outside the zone', FLEET, { mysqlHost: 'db.elsewhere.example' }, /'db\.elsewhere\.example' is outside the fleet domain weclick\.example/],
  ];
  for (const [what, servers, fleet, problem] of cases) {
    it(`${what}: exit 3, nothing sent to Cloudflare`, async () => {
      await ws.writeInventory(servers, fleet);
      for (const args of [['plan'], ['sync', '--yes']]) {
        const r = await dns(ws, args);
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(/^error: .*weclick\.yaml: the inventory has 1 problem\(s\); nothing was changed\n/);
        expect(r.stderr).toMatch(problem);
      }
      expect(cf.requests).toEqual([]);
    });
  }
});

