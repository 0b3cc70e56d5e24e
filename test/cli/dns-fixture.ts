// Shared by the dns CLI tests: a Cloudflare stand-in, a temp inventory with a .env pointing at it, and a runner.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCloudflareStandin, type CloudflareStandin, type SeedRecord } from '../standins/cloudflare/index.js';
import { weclick, type CliResult } from '../helpers/cli.js';
// The same fleet, zone and server shape as the dns unit tests, so both suites speak of one fleet.
import { FLEET, ZONE, type ServerSpec } from '../unit/dns/inventory.js';

export { FLEET, ZONE };
export type TestServer = ServerSpec;
export const MARKER = 'managed-by: weclick';

export interface FleetOptions {
  domain?: string;
  zone?: string;
  ttl?: number;
  proxySubscription?: boolean;
  mysqlHost?: string;
}

/** What FLEET asks for, as name type content. */
export const FLEET_RECORDS = [
  `db.${ZONE} A 203.0.113.10`,
  `go.${ZONE} A 203.0.113.11`,
  `go.${ZONE} AAAA 2001:db8::11`,
  `mngmt.${ZONE} A 203.0.113.10`,
  `podpiska.${ZONE} A 203.0.113.10`,
  `srv1.${ZONE} A 198.51.100.21`,
  `srv2.${ZONE} A 198.51.100.22`,
];

export function inventoryYaml(servers: TestServer[], fleet: FleetOptions = {}): string {
  const domain = fleet.domain ?? ZONE;
  const lines = ['fleet:', `  domain: ${domain}`];
  if (fleet.zone || fleet.ttl !== undefined || fleet.proxySubscription !== undefined) {
    lines.push('  cloudflare:', `    zone: ${fleet.zone ?? domain}`);
    if (fleet.ttl !== undefined) lines.push(`    ttl: ${fleet.ttl}`);
    if (fleet.proxySubscription !== undefined) lines.push(`    proxySubscription: ${fleet.proxySubscription}`);
  }
  if (fleet.mysqlHost) lines.push('  mysql:', `    host: ${fleet.mysqlHost}`);
  lines.push(servers.length ? 'servers:' : 'servers: []');
  for (const s of servers) {
    lines.push(`  - name: ${s.name}`, `    hostname: ${s.hostname ?? `${s.name}.${domain}`}`, `    ipv4: ${s.ipv4}`);
    if (s.ipv6) lines.push(`    ipv6: "${s.ipv6}"`);
    lines.push(`    roles: [${s.roles.join(', ')}]`, '    provider: test', '    expires: 2030-01-31');
    if (s.state) lines.push(`    state: ${s.state}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface Workspace {
  dir: string;
  inventory: string;
  env: string;
  writeInventory(servers: TestServer[], fleet?: FleetOptions): Promise<void>;
  writeEnv(values: Record<string, string>): Promise<void>;
}

export async function workspace(cf: CloudflareStandin, token: string, servers: TestServer[] = FLEET, fleet: FleetOptions = {}): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'weclick-dns-'));
  const ws: Workspace = {
    dir,
    inventory: join(dir, 'weclick.yaml'),
    env: join(dir, '.env'),
    writeInventory: (s, f = {}) => writeFile(ws.inventory, inventoryYaml(s, f)),
    writeEnv: (values) => writeFile(ws.env, Object.entries(values).map(([k, v]) => `${k}=${v}\n`).join(''), { mode: 0o600 }),
  };
  await ws.writeInventory(servers, fleet);
  await ws.writeEnv({ CLOUDFLARE_API_TOKEN: token, CLOUDFLARE_API_BASE_URL: cf.url });
  return ws;
}

export async function removeWorkspace(ws: Workspace | undefined): Promise<void> {
  if (ws) await rm(ws.dir, { recursive: true, force: true });
}

/**
 * The built CLI, with Cloudflare settings only from the workspace's .env (never from the developer's shell).
 * Several developers rebuild dist/ in this shared checkout; a run that started while dist/ was being rewritten
 * fails to load its own modules before doing anything, and is run again (only that failure, at most 5 times).
 */
export async function dns(ws: Workspace, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  for (let attempt = 1; ; attempt++) {
    const result = await weclick(['dns', ...args, '-i', ws.inventory], {
      env: { CLOUDFLARE_API_TOKEN: undefined, CLOUDFLARE_API_BASE_URL: undefined, CLOUDFLARE_ZONE_ID: undefined, CLOUDFLARE_BASE_URL: undefined, WECLICK_INVENTORY: undefined, ...env },
    });
    const distMissing = /ERR_MODULE_NOT_FOUND[\s\S]*\/dist\/|Cannot find module '[^']*\/dist\/|command dns:\w+ not found/.test(result.stderr);
    if (!distMissing || attempt === 5) return result;
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

export function json<T = any>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** The zone as sorted "name type content" lines. */
export function zoneLines(cf: CloudflareStandin, filter: (r: { comment: string | null }) => boolean = () => true): string[] {
  return cf
    .records(ZONE)
    .filter(filter)
    .map((r) => `${r.name} ${r.type} ${r.content}`)
    .sort();
}

export const owned = (r: { comment: string | null }) => (r.comment ?? '').includes(MARKER);

export function ownedRecord(name: string, content: string, type = 'A', extra: Partial<SeedRecord> = {}): SeedRecord {
  return { name, type, content, ttl: 1, comment: MARKER, ...extra };
}

/** Method and path (zone id replaced by {zone}) of every request, in order. */
export function requestLines(cf: CloudflareStandin): string[] {
  const id = cf.zoneId(ZONE);
  return cf.requests.map((r) => `${r.method} ${r.path.replace(id, '{zone}')}`);
}

export { startCloudflareStandin, type CloudflareStandin };
