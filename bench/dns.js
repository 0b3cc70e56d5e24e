// DNS sync of 200 changed records against the local Cloudflare stand-in, side by side with one request per
// record (what flarectl or a naive script does), in one run (issue 6). Both run as child processes.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, table } from './report.js';

const RUNS = Number(process.env.BENCH_DNS_RUNS ?? 3);
const TOKEN = 'bench-dns-token-0123456789abcdef';
const ZONE = 'weclick.example';
const MARKER = 'managed-by: weclick';
const REPO = fileURLToPath(new URL('..', import.meta.url));
/** Simulated round trip per request: loopback (0) and something like a real API from Europe (50 ms). */
const LATENCIES = (process.env.BENCH_DNS_LATENCIES ?? '0,50').split(',').map(Number);

/**
 * The scenario: 140 servers in the zone (owned) plus 50 records someone else owns. The inventory moves srv1-60
 * to new addresses (60 updates), drops srv101-140 (40 deletes) and adds srv141-240 (100 creates): 200 changes.
 */
function scenario() {
  const before = Array.from({ length: 140 }, (_, i) => ({ name: `srv${i + 1}.${ZONE}`, type: 'A', content: `198.51.100.${i + 1}`, ttl: 1, comment: MARKER }));
  const others = Array.from({ length: 50 }, (_, i) => ({ name: `site${i}.${ZONE}`, type: 'TXT', content: `v=${i}`, ttl: 1 }));
  const servers = [
    ...Array.from({ length: 60 }, (_, i) => ({ name: `srv${i + 1}`, ipv4: `192.0.2.${i + 1}` })),
    ...Array.from({ length: 40 }, (_, i) => ({ name: `srv${i + 61}`, ipv4: `198.51.100.${i + 61}` })),
    ...Array.from({ length: 100 }, (_, i) => ({ name: `srv${i + 141}`, ipv4: `203.0.113.${i + 1}` })),
  ];
  return { seed: [...before, ...others], servers, desired: servers.map((s) => ({ name: `${s.name}.${ZONE}`, content: s.ipv4 })) };
}

function inventoryYaml(servers) {
  const lines = ['fleet:', `  domain: ${ZONE}`, 'servers:'];
  for (const s of servers) lines.push(`  - { name: ${s.name}, hostname: ${s.name}.${ZONE}, ipv4: ${s.ipv4}, roles: [marzban], provider: bench, expires: 2030-01-31 }`);
  return `${lines.join('\n')}\n`;
}

function run(args, env = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, NO_COLOR: '1', CLOUDFLARE_API_TOKEN: '', CLOUDFLARE_API_BASE_URL: '', CLOUDFLARE_ZONE_ID: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}:\n${output}`));
      else resolve(ms);
    });
  });
}

/** One measured run of `how` ('weclick', 'weclick+zone-id' or 'naive') on a fresh stand-in. */
async function measure(startCloudflareStandin, how, latency) {
  const { seed, servers, desired } = scenario();
  const cf = await startCloudflareStandin({ token: TOKEN, zones: [{ name: ZONE }] });
  const dir = await mkdtemp(join(tmpdir(), 'weclick-bench-dns-'));
  try {
    cf.seed(ZONE, seed);
    if (latency > 0) cf.fail({ delayMs: latency }, 1_000_000);
    cf.resetLog();
    let ms;
    if (how === 'naive') {
      const input = join(dir, 'naive.json');
      await writeFile(input, JSON.stringify({ url: cf.url, token: TOKEN, zone: ZONE, desired }));
      ms = await run([fileURLToPath(import.meta.url), '--naive', input]);
    } else {
      await writeFile(join(dir, 'weclick.yaml'), inventoryYaml(servers));
      const env = [`CLOUDFLARE_API_TOKEN=${TOKEN}`, `CLOUDFLARE_API_BASE_URL=${cf.url}`];
      if (how === 'weclick+zone-id') env.push(`CLOUDFLARE_ZONE_ID=${cf.zoneId(ZONE)}`);
      await writeFile(join(dir, '.env'), `${env.join('\n')}\n`, { mode: 0o600 });
      ms = await run(['bin/run.js', 'dns', 'sync', '--yes', '--force', '-i', join(dir, 'weclick.yaml')]);
    }
    // Both must have produced the same zone, or the comparison means nothing.
    const owned = cf.records(ZONE).filter((r) => (r.comment ?? '').includes(MARKER)).map((r) => `${r.name} ${r.content}`).sort();
    const wanted = desired.map((d) => `${d.name} ${d.content}`).sort();
    if (JSON.stringify(owned) !== JSON.stringify(wanted)) throw new Error(`${how}: the zone does not match the inventory after the sync`);
    if (cf.records(ZONE).length !== wanted.length + 50) throw new Error(`${how}: records it does not own were touched`);
    return { ms, requests: cf.requests.length };
  } finally {
    await cf.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchDns() {
  if (!existsSync(join(REPO, 'dist', 'commands', 'dns', 'sync.js'))) throw new Error('bench dns: build first (npm run build)');
  const { tsImport } = await import('tsx/esm/api');
  const { startCloudflareStandin } = await tsImport('../test/standins/cloudflare/index.ts', import.meta.url);
  const rows = [];
  for (const latency of LATENCIES) {
    const results = { naive: [], weclick: [], 'weclick+zone-id': [] };
    // Interleaved, so machine noise hits every case alike.
    for (let i = 0; i < RUNS; i++) for (const how of Object.keys(results)) results[how].push(await measure(startCloudflareStandin, how, latency));
    const naive = { requests: results.naive[0].requests, ms: median(results.naive.map((r) => r.ms)) };
    const label = { naive: 'one request per record (naive fetch script)', weclick: 'weclick dns sync (built CLI)', 'weclick+zone-id': 'weclick dns sync, CLOUDFLARE_ZONE_ID set' };
    for (const how of Object.keys(results)) {
      const requests = results[how][0].requests;
      const ms = median(results[how].map((r) => r.ms));
      rows.push([
        label[how],
        `${latency} ms`,
        String(requests),
        `${ms.toFixed(0)} ms`,
        how === 'naive' ? '1x' : `${(naive.requests / requests).toFixed(1)}x fewer`,
        how === 'naive' ? '1x' : `${(naive.ms / ms).toFixed(2)}x`,
      ]);
    }
  }
  return table(
    `DNS: sync of 200 changed records (60 updates, 40 deletes, 100 creates; 140 owned + 50 foreign records) against the stand-in, median of ${RUNS}; target <= 3 requests`,
    ['case', 'added latency/request', 'HTTP requests', 'wall time', 'requests vs naive', 'speed vs naive'],
    rows,
  );
}

/**
 * The baseline: what a script (or flarectl, one command per record) does: find the zone, list its records,
 * then one POST, PATCH or DELETE per changed record, one after another.
 */
async function naiveSync({ url, token, zone, desired }) {
  const api = async (method, path, body) => {
    const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    const json = await res.json();
    if (!json.success) throw new Error(`${method} ${path}: ${JSON.stringify(json.errors)}`);
    return json;
  };
  const zoneId = (await api('GET', `/zones?name=${zone}`)).result[0].id;
  const records = [];
  for (let page = 1; ; page++) {
    const { result, result_info: info } = await api('GET', `/zones/${zoneId}/dns_records?per_page=100&page=${page}`);
    records.push(...result);
    if (page >= info.total_pages) break;
  }
  const owned = new Map(records.filter((r) => (r.comment ?? '').includes(MARKER)).map((r) => [r.name, r]));
  for (const want of desired) {
    const have = owned.get(want.name);
    owned.delete(want.name);
    if (!have) await api('POST', `/zones/${zoneId}/dns_records`, { type: 'A', name: want.name, content: want.content, ttl: 1, proxied: false, comment: MARKER });
    else if (have.content !== want.content) await api('PATCH', `/zones/${zoneId}/dns_records/${have.id}`, { type: 'A', name: want.name, content: want.content, ttl: 1 });
  }
  for (const gone of owned.values()) await api('DELETE', `/zones/${zoneId}/dns_records/${gone.id}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === '--naive') {
  await naiveSync(JSON.parse(await readFile(process.argv[3], 'utf8')));
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchDns());
}
