import { servingHolders } from '../fleet/serving.js';
import { serviceHostnames } from '../fleet/service-names.js';
import type { Inventory, Role, Server } from '../inventory/schema.js';
import { inZone, normalContent, normalName, type DesiredRecord, type ManagedType } from './records.js';

export interface DesiredState {
  zone: string;
  records: DesiredRecord[];
  /** Errors that make any plan unsafe (names outside the zone): nothing may be applied. */
  problems: string[];
  /** Things worth saying that do not stop a plan. */
  warnings: string[];
}

type Service = keyof ReturnType<typeof serviceHostnames>;

/** Which role's holders each service name points at. */
const SERVICE_ROLES: ReadonlyArray<[Service, Role]> = [
  ['entry', 'proxy'],
  ['subscription', 'subscription'],
  ['management', 'management'],
  ['mysql', 'mysql'],
];

interface Wanted {
  name: string;
  type: ManagedType;
  content: string;
  reason: string;
  /** Only the subscription site may go through Cloudflare's proxy: it serves plain HTTPS, nothing else does. */
  proxySafe: boolean;
}

/**
 * The records the inventory asks for: A (and AAAA) for every active or draining server's hostname, and the
 * service names on the servers holding their roles. Retired servers get none, so their owned records go.
 */
export function desiredRecords(inventory: Inventory): DesiredState {
  const { fleet } = inventory;
  const zone = zoneOf(inventory);
  const ttl = fleet.cloudflare?.ttl ?? 1;
  const proxySubscription = fleet.cloudflare?.proxySubscription ?? false;
  const warnings: string[] = [];
  const wanted: Wanted[] = [];

  const addServer = (name: string, server: Server, reason: string, proxySafe: boolean) => {
    wanted.push({ name: normalName(name), type: 'A', content: normalContent('A', server.ipv4), reason, proxySafe });
    if (server.ipv6) wanted.push({ name: normalName(name), type: 'AAAA', content: normalContent('AAAA', server.ipv6), reason, proxySafe });
  };

  for (const server of inventory.servers) {
    if (server.state !== 'retired') addServer(server.hostname, server, `server ${server.name}`, false);
  }

  const names = serviceHostnames(inventory);
  for (const [service, role] of SERVICE_ROLES) {
    const name = names[service];
    const holders = servingHolders(inventory.servers, role);
    if (holders.length === 0) warnings.push(`no active or draining server holds the ${role} role: ${name} gets no record`);
    else if (holders[0]!.state === 'draining') {
      warnings.push(`no active server holds the ${role} role: ${name} stays on draining ${holders.map((s) => s.name).join(', ')}`);
    }
    for (const server of holders) addServer(name, server, `${service} name (${role} on ${server.name})`, service === 'subscription');
  }

  const records = merge(wanted, ttl, proxySubscription, warnings);
  const problems = [...new Set(records.map((r) => r.name))]
    .filter((name) => !inZone(name, zone))
    .map((name) => `${name} is outside the Cloudflare zone ${zone}; fix the hostname or fleet.cloudflare.zone`);
  return { zone, records, problems, warnings };
}

/** The Cloudflare zone: fleet.cloudflare.zone, else the fleet's domain. */
export function zoneOf(inventory: Inventory): string {
  return normalName(inventory.fleet.cloudflare?.zone ?? inventory.fleet.domain);
}

/** One record per (name, type, content); a name is proxied only when asked and every use of it is proxy-safe. */
function merge(wanted: Wanted[], ttl: number, proxySubscription: boolean, warnings: string[]): DesiredRecord[] {
  const unsafeNames = new Set(wanted.filter((w) => !w.proxySafe).map((w) => w.name));
  const proxied = (name: string) => proxySubscription && !unsafeNames.has(name);
  if (proxySubscription) {
    for (const name of new Set(wanted.filter((w) => w.proxySafe && unsafeNames.has(w.name)).map((w) => w.name))) {
      warnings.push(`fleet.cloudflare.proxySubscription is ignored for ${name}: the name also carries VPN or MySQL traffic, which Cloudflare's proxy would break`);
    }
  }
  const byKey = new Map<string, DesiredRecord>();
  for (const w of wanted) {
    const key = `${w.name}\u0000${w.type}\u0000${w.content}`;
    const existing = byKey.get(key);
    if (existing) {
      if (!existing.reasons.includes(w.reason)) existing.reasons.push(w.reason);
      continue;
    }
    const isProxied = proxied(w.name);
    // Cloudflare serves proxied records with automatic TTL whatever is asked.
    byKey.set(key, { name: w.name, type: w.type, content: w.content, ttl: isProxied ? 1 : ttl, proxied: isProxied, reasons: [w.reason] });
  }
  return [...byKey.values()].sort(compareRecords);
}

export function compareRecords(a: { name: string; type: string; content: string }, b: { name: string; type: string; content: string }): number {
  return a.name.localeCompare(b.name) || a.type.localeCompare(b.type) || a.content.localeCompare(b.content, 'en', { numeric: true });
}
