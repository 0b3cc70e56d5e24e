// weclick dns plan | sync | list through the built CLI, against the local Cloudflare stand-in
// (test/standins/cloudflare). Every request body weclick sent is checked against Cloudflare's OpenAPI spec.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../standins/cloudflare/index.js';
import { loadCloudflareSpec, operationIdFor } from '../unit/standins/cloudflare-spec.js';
import {
  dns,
  FLEET,
  FLEET_RECORDS,
  json,
  MARKER,
  owned,
  ownedRecord,
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

const TOKEN = 'cf-cli-token-7e6d5c4b3a29f1';
let cf: CloudflareStandin;
let ws: Workspace;
const sent: RequestLogEntry[] = [];

beforeEach(async () => {
  cf = await startCloudflareStandin({ token: TOKEN, zones: [{ name: ZONE }] });
  ws = await workspace(cf, TOKEN);
});
afterEach(async () => {
  sent.push(...cf.requests.filter((r) => r.body !== undefined && r.status === 200));
  await cf.close();
  await removeWorkspace(ws);
});

const LIST = `GET /zones/{zone}/dns_records`;
const BATCH = `POST /zones/{zone}/dns_records/batch`;

describe('dns plan', () => {
  it('shows the creates for an empty zone as a before → after table, and changes nothing', async () => {
    const r = await dns(ws, ['plan']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Zone ${ZONE}: 7 to create, 0 to update, 0 to delete; 0 unchanged; 0 owned by weclick, 0 not (left alone).`);
    expect(r.stdout).toMatch(/ACTION\s+NAME\s+TYPE\s+BEFORE\s+AFTER\s+WHY/);
    expect(r.stdout).toMatch(/create\s+go\.weclick\.example\s+AAAA\s+→\s+2001:db8::11 ttl auto\s+server go; entry name \(proxy on go\)/);
    expect(r.stdout).toMatch(/create\s+podpiska\.weclick\.example\s+A\s+→\s+203\.0\.113\.10 ttl auto\s+subscription name \(subscription on mngmt\)/);
    expect(r.stdout).not.toContain('srv3'); // retired
    expect(r.stderr).toBe('');
    expect(requestLines(cf)).toEqual(['GET /zones', LIST]);
    expect(cf.records(ZONE)).toEqual([]);
  });

  it('--json gives the whole plan', async () => {
    cf.seed(ZONE, [ownedRecord('srv3', '198.51.100.23'), { name: 'www', type: 'A', content: '192.0.2.80' }]);
    const plan = json(await dns(ws, ['plan', '--json']));
    expect(plan).toMatchObject({ zone: ZONE, unchanged: 0, owned: 1, unowned: 1, conflicts: [], problems: [], guard: { tripped: false } });
    expect(plan.changes.map((c: any) => `${c.action} ${c.name} ${c.type}`)).toEqual([
      `delete srv3.${ZONE} A`,
      ...FLEET_RECORDS.map((line) => `create ${line.split(' ').slice(0, 2).join(' ')}`),
    ]);
    expect(plan.changes[1]).toEqual({ action: 'create', name: `db.${ZONE}`, type: 'A', after: { content: '203.0.113.10', ttl: 1, proxied: false, comment: MARKER }, reasons: ['mysql name (mysql on mngmt)'] });
  });

  it('--exit-code: 5 while the zone differs, 0 once it matches', async () => {
    expect((await dns(ws, ['plan', '--exit-code'])).code).toBe(5);
    expect((await dns(ws, ['sync', '--yes'])).code).toBe(0);
    const r = await dns(ws, ['plan', '--exit-code']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Zone ${ZONE}: 0 to create, 0 to update, 0 to delete; 7 unchanged; 7 owned by weclick, 0 not (left alone).`);
  });
});

describe('dns sync', () => {
  it('refuses without --yes when there is no terminal to confirm on (exit 4), after showing the plan', async () => {
    const r = await dns(ws, ['sync']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('7 to create');
    expect(r.stderr).toBe('error: not applied: no terminal to confirm on; re-run with --yes to apply the plan above\n');
    expect(requestLines(cf)).not.toContain(BATCH);
  });

  it('--dry-run shows the plan and changes nothing', async () => {
    const r = await dns(ws, ['sync', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Dry run: nothing was changed.');
    expect(cf.records(ZONE)).toEqual([]);
  });

  it('applies with one batch and verifies: list, batch, list (plus the zone lookup); a second run has nothing to do', async () => {
    const r = await dns(ws, ['sync', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Applied 7 change(s) (7 created, 0 updated, 0 deleted) in 1 batch(es); verified: the zone matches the inventory. 4 API request(s).');
    expect(zoneLines(cf)).toEqual(FLEET_RECORDS);
    expect(cf.records(ZONE).every((rec) => rec.comment === MARKER && rec.ttl === 1 && !rec.proxied)).toBe(true);
    expect(requestLines(cf)).toEqual(['GET /zones', LIST, BATCH, LIST]);

    cf.resetLog();
    const again = await dns(ws, ['sync', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to do: every record weclick owns matches the inventory.');
    expect(requestLines(cf)).toEqual(['GET /zones', LIST]);
  });

  it('makes 3 requests when CLOUDFLARE_ZONE_ID saves the zone lookup', async () => {
    await ws.writeEnv({ CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_API_BASE_URL: cf.url, CLOUDFLARE_ZONE_ID: cf.zoneId(ZONE) });
    const r = await dns(ws, ['sync', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(requestLines(cf)).toEqual([LIST, BATCH, LIST]);
  });

  it('--json reports the plan and what was applied', async () => {
    const out = json(await dns(ws, ['sync', '--yes', '--json']));
    expect(out).toMatchObject({ zone: ZONE, applied: 7, dryRun: false, requests: 4, result: { applied: 7, batches: 1, verified: true } });
    expect(out.changes).toHaveLength(7);
  });

  it('follows the inventory: a moved server is updated, a retired one and a removed one are deleted; others are left alone', async () => {
    const theirs = cf.seed(ZONE, [
      { name: 'www', type: 'A', content: '192.0.2.80', comment: 'the website' },
      { name: '@', type: 'MX', content: 'mx.example.net', priority: 10 },
      { name: 'srv9', type: 'A', content: '192.0.2.9' }, // a server name, but not weclick's
    ]);
    cf.seed(ZONE, [
      ...FLEET_RECORDS.filter((l) => !l.startsWith('srv1.')).map((l) => {
        const [name, type, content] = l.split(' ') as [string, string, string];
        return ownedRecord(name, content, type);
      }),
      ownedRecord('srv1', '192.0.2.21', 'A', { comment: `rented in Amsterdam; ${MARKER}` }),
      ownedRecord('srv3', '198.51.100.23'),
      ownedRecord('srv8', '192.0.2.8'),
    ]);
    const r = await dns(ws, ['sync', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/update\s+srv1\.weclick\.example\s+A\s+192\.0\.2\.21 ttl auto\s+→\s+198\.51\.100\.21 ttl auto/);
    expect(r.stdout).toMatch(/delete\s+srv3\.weclick\.example\s+A\s+198\.51\.100\.23 ttl auto\s+→\s+\(deleted\)\s+not in the inventory/);
    expect(zoneLines(cf, owned)).toEqual(FLEET_RECORDS);
    expect(cf.records(ZONE).find((rec) => rec.name === `srv1.${ZONE}`)!.comment).toBe(`rented in Amsterdam; ${MARKER}`);
    for (const record of theirs) expect(cf.records(ZONE).find((rec) => rec.id === record.id)).toEqual(record);
  });

  it('reports an unowned record with another value in the way, and leaves it exactly as it was', async () => {
    const [theirs] = cf.seed(ZONE, [{ name: 'srv1', type: 'A', content: '192.0.2.50', comment: 'hand made' }]);
    const r = await dns(ws, ['sync', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Not touched: 1 record(s) weclick does not own stand where the inventory wants its own:');
    expect(r.stdout).toMatch(/srv1\.weclick\.example\s+A\s+192\.0\.2\.50\s+not weclick's and in the way of A 198\.51\.100\.21 \(server srv1\); left untouched, so that is not created/);
    expect(cf.records(ZONE).find((rec) => rec.id === theirs!.id)).toEqual(theirs);
    expect(zoneLines(cf).filter((l) => l.startsWith('srv1.'))).toEqual([`srv1.${ZONE} A 192.0.2.50`]);
    const plan = json(await dns(ws, ['plan', '--json', '--exit-code']));
    expect(plan.conflicts).toEqual([{ id: theirs!.id, name: `srv1.${ZONE}`, type: 'A', content: '192.0.2.50', comment: 'hand made', problem: expect.stringContaining("not weclick's") }]);
  });

  it('adopts a matching unowned record only with --adopt, keeping its id and the user comment', async () => {
    const [theirs] = cf.seed(ZONE, [{ name: 'mngmt', type: 'A', content: '203.0.113.10', comment: 'set up by hand', ttl: 3600 }]);
    const plain = await dns(ws, ['sync', '--yes']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/mngmt\.weclick\.example\s+A\s+203\.0\.113\.10\s+matches the inventory .* but is not weclick's; --adopt takes it over/);
    expect(cf.records(ZONE).find((rec) => rec.id === theirs!.id)).toEqual(theirs);
    expect(cf.records(ZONE).filter((rec) => rec.name === `mngmt.${ZONE}`)).toHaveLength(1);

    const adopting = await dns(ws, ['sync', '--yes', '--adopt']);
    expect(adopting.code, adopting.stderr).toBe(0);
    expect(adopting.stdout).toMatch(/adopt\s+mngmt\.weclick\.example\s+A\s+203\.0\.113\.10 ttl 3600\s+→\s+203\.0\.113\.10 ttl auto comment "set up by hand; managed-by: weclick"/);
    const after = cf.records(ZONE).filter((rec) => rec.name === `mngmt.${ZONE}`);
    expect(after.map((rec) => [rec.id, rec.comment, rec.ttl])).toEqual([[theirs!.id, `set up by hand; ${MARKER}`, 1]]);

    const list = await dns(ws, ['list']);
    expect(list.stdout).toMatch(/mngmt\.weclick\.example\s+A\s+203\.0\.113\.10\s+auto\s+no\s+weclick\s+set up by hand/);
  });

  it('the guard: 4 of 10 owned records changing needs --force (exit 4, nothing sent); --force applies', async () => {
    const servers: TestServer[] = Array.from({ length: 10 }, (_, i) => ({ name: `srv${i + 1}`, ipv4: `198.51.100.${i + 1}`, roles: ['marzban'] }));
    await ws.writeInventory(servers);
    cf.seed(ZONE, servers.map((s, i) => ownedRecord(s.name, i < 4 ? `192.0.2.${i + 1}` : s.ipv4)));
    const refused = await dns(ws, ['sync', '--yes']);
    expect(refused.code).toBe(4);
    expect(refused.stdout).toContain('Needs --force: 4 of 10 owned records (40%) would be updated or deleted');
    expect(refused.stderr).toBe(
      'error: refused: 4 of 10 owned records (40%) would be updated or deleted, more than 30% of a zone with 10 or more owned records; check the plan, then re-run with --force\n',
    );
    expect(requestLines(cf)).not.toContain(BATCH);

    const asJson = json(await dns(ws, ['sync', '--yes', '--json']));
    expect(asJson.error).toMatchObject({ exitCode: 4, guard: { owned: 10, touched: 4, tripped: true } });

    expect((await dns(ws, ['sync', '--dry-run'])).code).toBe(0);
    const forced = await dns(ws, ['sync', '--yes', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(zoneLines(cf)).toEqual(servers.map((s) => `${s.name}.${ZONE} A ${s.ipv4}`).sort());
  });

  it('proxies only the subscription site when asked, with the TTL from the inventory elsewhere; unproxies the rest', async () => {
    await ws.writeInventory(FLEET, { ttl: 300, proxySubscription: true });
    cf.seed(ZONE, [ownedRecord('go', '203.0.113.11', 'A', { proxied: true })]);
    const r = await dns(ws, ['sync', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const byName = Object.fromEntries(cf.records(ZONE).map((rec) => [`${rec.name} ${rec.type}`, `${rec.ttl}${rec.proxied ? ' proxied' : ''}`]));
    expect(byName).toEqual({
      [`db.${ZONE} A`]: '300',
      [`go.${ZONE} A`]: '300',
      [`go.${ZONE} AAAA`]: '300',
      [`mngmt.${ZONE} A`]: '300',
      [`podpiska.${ZONE} A`]: '1 proxied',
      [`srv1.${ZONE} A`]: '300',
      [`srv2.${ZONE} A`]: '300',
    });
  });
});

describe('dns list', () => {
  beforeEach(() => {
    cf.seed(ZONE, [ownedRecord('srv1', '198.51.100.21'), { name: 'www', type: 'A', content: '192.0.2.80', comment: 'the website' }, { name: 'txt', type: 'TXT', content: 'hello' }]);
  });

  it('shows every record with its owner', async () => {
    const r = await dns(ws, ['list']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(0, 4)).toEqual([
      'NAME                  TYPE  CONTENT        TTL   PROXIED  OWNER    COMMENT',
      'srv1.weclick.example  A     198.51.100.21  auto  no       weclick',
      'txt.weclick.example   TXT   hello          auto  no       -',
      'www.weclick.example   A     192.0.2.80     auto  no       -        the website',
    ]);
    expect(r.stdout).toContain(`Zone ${ZONE}: 3 record(s), 1 owned by weclick, 2 not.`);
  });

  it('--owned, --unowned and --json', async () => {
    const ownedOnly = await dns(ws, ['list', '--owned']);
    expect(ownedOnly.code, ownedOnly.stderr).toBe(0);
    expect(ownedOnly.stdout).toMatch(/^srv1\.weclick\.example/m);
    expect(ownedOnly.stdout).not.toContain('www.');
    const unownedOnly = await dns(ws, ['list', '--unowned']);
    expect(unownedOnly.stdout).toMatch(/^www\.weclick\.example/m);
    expect(unownedOnly.stdout).not.toContain('srv1.');
    const out = json(await dns(ws, ['list', '--json']));
    expect(out).toMatchObject({ zone: ZONE, owned: 1, unowned: 2 });
    expect(out.records.map((rec: any) => `${rec.name} ${rec.owned}`)).toEqual([`srv1.${ZONE} true`, `txt.${ZONE} false`, `www.${ZONE} false`]);
    const unowned = json(await dns(ws, ['list', '--unowned', '--json']));
    expect(unowned.records).toHaveLength(2);
    const both = await dns(ws, ['list', '--owned', '--unowned']);
    expect(both.code, both.stderr).toBe(2);
    expect(both.stderr).toContain('--owned=true cannot also be provided when using --unowned');
  });
});

describe('settings', () => {
  it('a missing token: exit 3, one line naming the .env, nothing sent', async () => {
    await ws.writeEnv({ CLOUDFLARE_API_BASE_URL: cf.url });
    const r = await dns(ws, ['plan']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toBe(`error: CLOUDFLARE_API_TOKEN is not set: add a Cloudflare API token with Zone · DNS · Edit on the zone to ${ws.env}\n`);
    expect(cf.requests).toEqual([]);
  });
});

// Runs last (tests in a file run in order): every body the tests above made weclick send.
describe("Cloudflare's OpenAPI description", () => {
  it('accepts every request body weclick sent in this file', () => {
    const spec = loadCloudflareSpec({ realApi: true });
    expect(sent.filter((r) => r.path.endsWith('/batch')).length).toBeGreaterThan(5);
    for (const entry of sent) expect(spec.request(operationIdFor(entry.method, entry.path)!, entry.body), `${entry.method} ${entry.path}`).toEqual([]);
  });
});
