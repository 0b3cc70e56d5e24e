import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { parseInventory } from '../../../src/inventory/load.js';
import type { Inventory } from '../../../src/inventory/schema.js';

export const EXAMPLE = readFileSync(new URL('../../../inventory.example.yaml', import.meta.url), 'utf8');

export function load(text: string): Inventory {
  const result = parseInventory(text, 'test.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.inventory;
}

export interface ServerSpec {
  name: string;
  expires: string;
  provider?: string;
  state?: string;
  price?: { monthly: number; currency: string };
}

/** The example's fleet with these servers instead of its own, validated like a real file. */
export function fleetWith(servers: ServerSpec[]): Inventory {
  const doc = parse(EXAMPLE) as { servers: unknown[] };
  doc.servers = servers.map((s, i) => ({
    name: s.name,
    hostname: `${s.name}.weclick.tech`,
    ipv4: `198.51.100.${i + 1}`,
    roles: ['marzban'],
    provider: s.provider ?? 'pq.hosting',
    expires: s.expires,
    ...(s.state ? { state: s.state } : {}),
    ...(s.price ? { price: s.price } : {}),
  }));
  return load(stringify(doc));
}
