// Crash target: `weclick dns sync --yes --force` of a plan of several hundred changes (3-4 batches) against
// the Cloudflare STAND-IN (test/standins/cloudflare, in this test process: it applies each batch all or nothing,
// as Cloudflare documents). Every batch answers 300 ms late, so kills land while batches are in flight.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchChunks } from '../../src/dns/batch.js';
import { OWNER_MARKER } from '../../src/dns/ownership.js';
import type { DnsChange } from '../../src/dns/plan.js';
import { startCloudflareStandin, type CloudflareStandin } from '../standins/cloudflare/index.js';
import type { SeedRecord } from '../standins/cloudflare/types.js';
import { inventoryProblems, localLeftovers, tail } from './crash-checks.js';
import { weclickSteady } from './crash-process.js';
import type { CrashTarget, CrashWorld } from './crash-target.js';
import { sized } from './figures.js';

const ZONE = 'crash.example';
const TOKEN = 'cf-crash-token-7d1e2f3a4b5c';
const SERVERS = sized(200, 420);
const UPDATES = sized(60, 150);
const DELETES = sized(150, 300);
const BATCH_DELAY_MS = 300;

/** Documentation addresses only (192.0.2/24, 198.51.100/24, 203.0.113/24), one per server. */
const address = (i: number) => `${['192.0.2', '198.51.100', '203.0.113'][Math.floor(i / 250)]}.${(i % 250) + 1}`;
const name = (i: number) => `s${String(i).padStart(3, '0')}`;
const id = (n: number) => n.toString(16).padStart(32, '0');

function inventoryYaml(): string {
  const servers = Array.from({ length: SERVERS }, (_, i) => {
    const roles = i === 0 ? '[management, subscription, mysql]' : i === 1 ? '[proxy]' : '[marzban]';
    return `  - { name: ${name(i)}, hostname: ${name(i)}.${ZONE}, ipv4: ${address(i)}, roles: ${roles}, provider: test, expires: 2030-01-31 }`;
  });
  return `fleet:\n  domain: ${ZONE}\nservers:\n${servers.join('\n')}\n`;
}

/** The zone before: owned records to update, stale owned ones to delete, 20 unowned ones never touched. */
function seedRecords(): SeedRecord[] {
  const owned = { ttl: 1, proxied: false, comment: OWNER_MARKER };
  return [
    ...Array.from({ length: UPDATES }, (_, i) => ({ id: id(i + 1), name: `${name(i)}.${ZONE}`, type: 'A', content: address(SERVERS + 30 - i), ...owned })),
    ...Array.from({ length: DELETES }, (_, i) => ({ id: id(1000 + i), name: `old${i}.${ZONE}`, type: 'A', content: address(i), ...owned })),
    ...Array.from({ length: 20 }, (_, i) => ({ id: id(5000 + i), name: `mail${i}.${ZONE}`, type: 'TXT', content: `"v=spf1 -all ${i}"`, ttl: 1, comment: 'hand-made' })),
  ];
}

type ZoneRow = { id: string; name: string; type: string; content: string; ttl: number; proxied: boolean; comment: string | null };
const line = (r: Pick<ZoneRow, 'name' | 'type' | 'content' | 'ttl' | 'proxied' | 'comment'>) => `${r.name} ${r.type} ${r.content} ttl=${r.ttl} proxied=${r.proxied} ${r.comment ?? ''}`;

/** Whether one planned change is visible in the zone. */
function applied(change: DnsChange, zone: ZoneRow[]): boolean {
  if (change.action === 'delete') return !zone.some((r) => r.id === change.id);
  const after = change.after!;
  const matches = (r: ZoneRow) => r.content === after.content && r.ttl === after.ttl && r.proxied === after.proxied && r.comment === after.comment;
  if (change.action === 'create') return zone.some((r) => r.name === change.name && r.type === change.type && matches(r));
  return zone.some((r) => r.id === change.id && matches(r));
}

export const dnsSyncTarget: CrashTarget = {
  command: 'dns sync',
  even: [0, 8],
  random: [0, 4],
  ciEvents: 1,
  async open(): Promise<CrashWorld> {
    const dir = mkdtempSync(join(tmpdir(), 'weclick-crash-dns-'));
    const file = join(dir, 'weclick.yaml');
    writeFileSync(file, inventoryYaml());
    const inventoryText = readFileSync(file, 'utf8');
    const env = { CLOUDFLARE_API_TOKEN: undefined, CLOUDFLARE_API_BASE_URL: undefined, CLOUDFLARE_ZONE_ID: undefined, CLOUDFLARE_BASE_URL: undefined, WECLICK_INVENTORY: undefined };
    let cf: CloudflareStandin | undefined;

    const reset = async () => {
      await cf?.close();
      cf = await startCloudflareStandin({ token: TOKEN, zones: [{ name: ZONE }] });
      cf.seed(ZONE, seedRecords());
      cf.fail({ delayMs: BATCH_DELAY_MS }, 1000, { method: 'POST', pathIncludes: '/batch' });
      writeFileSync(join(dir, '.env'), `CLOUDFLARE_API_TOKEN=${TOKEN}\nCLOUDFLARE_API_BASE_URL=${cf.url}\n`, { mode: 0o600 });
    };
    const zone = (): ZoneRow[] => cf!.records(ZONE).map((r) => ({ id: r.id, name: r.name, type: r.type, content: r.content, ttl: r.ttl, proxied: r.proxied, comment: r.comment }));
    /** A batch the killed process had sent is still being answered (late, on purpose): let the stand-in finish. */
    const quiet = async () => {
      for (let i = 0; i < 100 && cf!.requests.some((r) => r.status === 0); i++) await new Promise((r) => setTimeout(r, 50));
    };

    // The plan against the seeded zone, cut into batches as weclick cuts it.
    await reset();
    const planned = await weclickSteady(['dns', 'plan', '--json', '-i', file], { env });
    if (planned.code !== 0) throw new Error(`dns plan failed (${planned.code}): ${tail(planned.stderr)}`);
    const batches = batchChunks(JSON.parse(planned.stdout).changes as DnsChange[]);
    if (batches.length < 2) throw new Error(`the crash plan makes only ${batches.length} batch(es)`);
    const unowned = zone().filter((r) => r.comment !== OWNER_MARKER).map(line).sort();
    // Records weclick owns once the zone matches the inventory: the ones left as they are, updated, created.
    const wantOwned = JSON.parse(planned.stdout).unchanged + batches.flatMap((b) => b.changes).filter((c) => c.action !== 'delete').length;

    return {
      args: ['dns', 'sync', '--yes', '--force', '-i', file],
      env,
      lines: [/^Needs --force/],
      // The plan is shown and the guard passed (--force): the batches follow, one every BATCH_DELAY_MS or so. Most of
      // an uninterrupted run is spent before them, so these land in each batch in turn.
      events: [0.5, 1.5, 2.5, 3.5].map((k) => ({ line: /^Needs --force/, thenMs: Math.round(BATCH_DELAY_MS * k) })),
      reset,
      async afterKill() {
        await quiet();
        const now = zone();
        const problems: string[] = [];
        // Each batch all or nothing, and only batches 1..k (weclick sends them one after another).
        const states = batches.map((b) => b.changes.filter((c) => applied(c, now)).length);
        states.forEach((done, i) => {
          if (done !== 0 && done !== batches[i]!.changes.length) problems.push(`batch ${i + 1} of ${batches.length} is half-applied: ${done} of ${batches[i]!.changes.length} changes in the zone`);
        });
        const whole = states.map((done, i) => done === batches[i]!.changes.length);
        if (whole.some((w, i) => !w && whole.slice(i + 1).some(Boolean))) problems.push(`batches applied out of order: ${whole.map((w) => (w ? 'x' : '.')).join('')}`);
        return [...problems, ...(await inventoryProblems(file, [inventoryText]))];
      },
      async observe() {
        const now = zone();
        return `${batches.filter((b) => b.changes.every((c) => applied(c, now))).length} of ${batches.length} batches applied`;
      },
      async converged(rerun) {
        await quiet();
        const problems: string[] = [];
        if (rerun.code !== 0) problems.push(`the rerun failed (exit ${rerun.code}): ${tail(rerun.stderr + rerun.stdout)}`);
        const now = zone();
        const missing = batches.flatMap((b) => b.changes).filter((c) => !applied(c, now));
        if (missing.length > 0) problems.push(`${missing.length} planned change(s) not in the zone after the rerun (first: ${missing[0]!.action} ${missing[0]!.name})`);
        const owned = now.filter((r) => r.comment === OWNER_MARKER).length;
        if (owned !== wantOwned) problems.push(`${owned} owned records after the rerun; the inventory asks for ${wantOwned}`);
        const untouched = now.filter((r) => r.comment !== OWNER_MARKER).map(line).sort();
        if (untouched.join('\n') !== unowned.join('\n')) problems.push('records weclick does not own were changed');
        if (new Set(now.map((r) => `${r.name} ${r.type} ${r.content}`)).size !== now.length) problems.push('duplicated records in the zone');
        problems.push(...localLeftovers(file, { locks: true }), ...(await inventoryProblems(file, [inventoryText])));
        return problems;
      },
      async close() {
        await cf?.close();
      },
    };
  },
};
