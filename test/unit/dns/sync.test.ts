// Applying plans in batches, against the stand-in with the real SDK: partial failures say what was applied and
// carry the plan still to do; a lost answer is recognised by reading the zone again; the guard refuses.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OWNER_MARKER } from '../../../src/dns/ownership.js';
import { applyPlan, DnsApplyError, openDns, readPlan, type DnsSession } from '../../../src/dns/sync.js';
import type { EnvFile } from '../../../src/secrets/env-file.js';
import { WeclickError } from '../../../src/ui/errors.js';
import { startCloudflareStandin, type CloudflareStandin } from '../../standins/cloudflare/index.js';
import { FLEET, inventory, ZONE, type ServerSpec } from './inventory.js';

const TOKEN = 'cf-sync-token-9a8b7c6d5e4f';
let cf: CloudflareStandin;

for (const key of ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_API_BASE_URL', 'CLOUDFLARE_ZONE_ID']) delete process.env[key];

const env = (): EnvFile => ({ path: '/tmp/test/.env', exists: true, values: { CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_API_BASE_URL: cf.url } });
const zoneLines = () => cf.records(ZONE).map((r) => `${r.name.replace(`.${ZONE}`, '')} ${r.type} ${r.content}`).sort();
const open = (servers: ServerSpec[] = FLEET, sleep?: (ms: number) => Promise<void>, timeoutMs?: number) => openDns(inventory(servers), env(), { sleep, timeoutMs });

async function rejection<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected ${type.name}`);
}

beforeEach(async () => {
  cf = await startCloudflareStandin({ token: TOKEN, zones: [{ name: ZONE }] });
});
afterEach(async () => {
  await cf.close();
});

describe('applyPlan', () => {
  it('applies in one batch and verifies with one more read: list, batch, list', async () => {
    const session = await open();
    cf.resetLog();
    const plan = await readPlan(session);
    const result = await applyPlan(session, plan);
    expect(result).toEqual({ applied: 7, batches: 1, verified: true });
    expect(cf.requests.map((r) => `${r.method} ${r.path.endsWith('/batch') ? 'batch' : 'list'}`)).toEqual(['GET list', 'POST batch', 'GET list']);
    expect(zoneLines()).toEqual(['db A 203.0.113.10', 'go A 203.0.113.11', 'go AAAA 2001:db8::11', 'mngmt A 203.0.113.10', 'podpiska A 203.0.113.10', 'srv1 A 198.51.100.21', 'srv2 A 198.51.100.22']);
    expect(cf.records(ZONE).every((r) => r.comment === OWNER_MARKER)).toBe(true);
  });

  it('says which batches were applied when a later one is rejected, and carries the plan still to do', async () => {
    const session = await open();
    const plan = await readPlan(session);
    // Someone creates srv2 by hand between plan and apply: the third batch (srv1, srv2) hits an identical record.
    cf.seed(ZONE, [{ type: 'A', name: 'srv2', content: '198.51.100.22', comment: 'by hand' }]);
    const error = await rejection(applyPlan(session, plan, { limit: 3 }), DnsApplyError);
    expect(error.message).toBe(
      'batch 3 of 3 failed, batches 1-2 (6 of 7 changes) were applied; batch 3 was not: Cloudflare rejected the request (HTTP 400) while applying a batch of 1 change(s) (81058: An identical record already exists.)',
    );
    expect(error.exitCode).toBe(1);
    expect(error.appliedChanges).toBe(6);
    expect(error.remaining!.changes).toEqual([]);
    expect(error.remaining!.conflicts.map((c) => `${c.name} ${c.content} ${c.comment}`)).toEqual([`srv2.${ZONE} 198.51.100.22 by hand`]);
    expect(error.details).toEqual(['the zone, read again: 0 change(s) still to do, 1 new record(s) in the way (the plan is shown again)']);
  });

  it('reports a rejected first batch as "nothing was applied", with the whole plan still to do', async () => {
    await cf.close();
    cf = await startCloudflareStandin({ token: TOKEN, zones: [{ name: ZONE }], maxBatch: 5 });
    const session = await open();
    const plan = await readPlan(session);
    const error = await rejection(applyPlan(session, plan), DnsApplyError);
    expect(error.message).toMatch(/^batch 1 of 1 failed, nothing was applied: Cloudflare rejected the request \(HTTP 400\) while applying a batch of 7 change\(s\) \(1004: DNS Validation Error: batch of 7 record operations exceeds the limit of 5\.\)$/);
    expect(error.remaining!.changes).toHaveLength(7);
    expect(cf.records(ZONE)).toEqual([]);
  });

  it('recognises a batch applied though its answer was lost (timeout, then a retry that hits its own records)', async () => {
    cf.fail({ delayMs: 700 }, 1, { method: 'POST', pathIncludes: '/batch' });
    const session = await open(FLEET, (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(ms, 1000))), 300);
    const plan = await readPlan(session);
    const result = await applyPlan(session, plan);
    expect(result.applied).toBe(7);
    expect(result.verified).toBe(true);
    expect(result.note).toMatch(/81058: An identical record already exists\..*; but the zone, read again, already matches the inventory$/);
    expect(cf.records(ZONE)).toHaveLength(7);
  });

  it('fails the verify read when the zone still differs after the batches', async () => {
    const session = await open();
    const plan = await readPlan(session);
    // A plan for 6 records applied to an inventory that wants 7: what the verify read is for.
    const short = { ...plan, changes: plan.changes.slice(1) };
    const error = await rejection(applyPlan(session, short), DnsApplyError);
    expect(error.message).toBe('all 1 batch(es) were accepted, but the verify read still differs from the inventory (1 create, 0 update, 0 delete)');
    expect(error.remaining!.changes.map((c) => c.name)).toEqual([`db.${ZONE}`]);
  });

  it('refuses a plan the guard stops unless forced, before sending anything', async () => {
    const servers: ServerSpec[] = Array.from({ length: 10 }, (_, i) => ({ name: `srv${i + 1}`, ipv4: `198.51.100.${i + 1}`, roles: ['marzban'] }));
    cf.seed(ZONE, servers.map((s, i) => ({ type: 'A', name: s.name, content: i < 4 ? `192.0.2.${i + 1}` : s.ipv4, comment: OWNER_MARKER })));
    const session: DnsSession = await open(servers);
    const plan = await readPlan(session);
    cf.resetLog();
    const refused = await rejection(applyPlan(session, plan), WeclickError);
    expect(refused.exitCode).toBe(4);
    expect(refused.message).toMatch(/^refused: 4 of 10 owned records \(40%\) would be updated or deleted/);
    expect(cf.requests).toEqual([]);
    expect(await applyPlan(session, plan, { force: true })).toMatchObject({ applied: 4, verified: true });
  });

  it('refuses an inventory with names outside the zone before connecting', async () => {
    const servers: ServerSpec[] = [{ name: 'srv1', ipv4: '198.51.100.21', roles: ['marzban'], hostname: 'srv1.elsewhere.example' }];
    const error = await rejection(open(servers), WeclickError);
    expect(error.exitCode).toBe(3);
    expect(error.details).toEqual(['srv1.elsewhere.example is outside the Cloudflare zone weclick.example; fix the hostname or fleet.cloudflare.zone']);
    expect(cf.requests).toEqual([]);
  });
});
