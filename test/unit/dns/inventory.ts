// Inventories for the dns unit tests, built through the real schema (defaults applied, semantics not checked).
import { inventorySchema, type Inventory } from '../../../src/inventory/schema.js';
import type { ZoneRecord } from '../../../src/dns/records.js';
import { OWNER_MARKER } from '../../../src/dns/ownership.js';

export const ZONE = 'weclick.example';

export interface ServerSpec {
  name: string;
  ipv4: string;
  ipv6?: string;
  roles: string[];
  state?: 'active' | 'draining' | 'retired';
  hostname?: string;
}

export const FLEET: ServerSpec[] = [
  { name: 'mngmt', ipv4: '203.0.113.10', roles: ['management', 'subscription', 'mysql'] },
  { name: 'go', ipv4: '203.0.113.11', ipv6: '2001:db8::11', roles: ['proxy'] },
  { name: 'srv1', ipv4: '198.51.100.21', roles: ['marzban'] },
  { name: 'srv2', ipv4: '198.51.100.22', roles: ['marzban'], state: 'draining' },
  { name: 'srv3', ipv4: '198.51.100.23', roles: ['marzban'], state: 'retired' },
];

export function inventory(servers: ServerSpec[] = FLEET, fleet: Record<string, unknown> = {}): Inventory {
  return inventorySchema.parse({
    fleet: { domain: ZONE, ...fleet },
    servers: servers.map((s) => ({ provider: 'test', expires: '2030-01-31', hostname: `${s.name}.${ZONE}`, ...s })),
  });
}

let nextId = 1;
/** A zone record as the API lists it; owned (the marker in the comment) unless a comment is given. */
export function record(name: string, content: string, options: Partial<ZoneRecord> = {}): ZoneRecord {
  const id = (nextId++).toString(16).padStart(32, '0');
  return { id, name: name.includes('.') ? name : `${name}.${ZONE}`, type: 'A', content, ttl: 1, proxied: false, comment: OWNER_MARKER, ...options };
}

/** Changes as "action name type before→after" lines, for readable assertions. */
export function lines(changes: Array<{ action: string; name: string; type: string; before?: { content: string }; after?: { content: string } }>): string[] {
  return changes.map((c) => `${c.action} ${c.name.replace(`.${ZONE}`, '')} ${c.type} ${c.before?.content ?? '-'}→${c.after?.content ?? '-'}`);
}
