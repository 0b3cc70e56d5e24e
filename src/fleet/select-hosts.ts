import type { Inventory, Role, Server } from '../inventory/schema.js';
import { findServer } from '../inventory/select.js';

export interface HostSelection {
  hosts?: string[];
  role?: Role;
}

// Management first, then workers, then the entry point: users are never sent somewhere not yet ready.
const ORDER: Role[] = ['management', 'mysql', 'subscription', 'marzban', 'outline', 'proxy'];

/** The servers a command works on: named ones, or those holding a role, or every server in service. */
export function selectHosts(inventory: Inventory, selection: HostSelection): Server[] {
  let servers: Server[];
  if (selection.hosts && selection.hosts.length > 0) servers = selection.hosts.map((name) => findServer(inventory, name));
  else servers = inventory.servers.filter((s) => s.state !== 'retired');
  if (selection.role) servers = servers.filter((s) => s.roles.includes(selection.role!));
  return [...new Map(servers.map((s) => [s.name, s])).values()];
}

export function inRolloutOrder(servers: Server[]): Server[] {
  const rank = (s: Server) => Math.min(...s.roles.map((r) => ORDER.indexOf(r)));
  return [...servers].sort((a, b) => rank(a) - rank(b));
}
