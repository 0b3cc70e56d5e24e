import { dirname, resolve } from 'node:path';
import { expandHome } from '../doctor/checks.js';
import type { Inventory, Server } from '../inventory/schema.js';

/** Everything needed to reach one server over SSH. */
export interface HostTarget {
  name: string;
  hostname: string;
  address: string;
  port: number;
  user: string;
  /** Absolute path of the private key; undefined means ssh-agent. */
  keyPath?: string;
}

export function hostTarget(inventory: Inventory, inventoryFile: string, server: Server): HostTarget {
  const fleet = inventory.fleet.ssh;
  const key = server.ssh?.key ?? fleet.key;
  return {
    name: server.name,
    hostname: server.hostname,
    address: server.ipv4,
    port: server.ssh?.port ?? fleet.port ?? 22,
    user: server.ssh?.user ?? fleet.user ?? 'root',
    ...(key ? { keyPath: resolve(dirname(inventoryFile), expandHome(key)) } : {}),
  };
}
