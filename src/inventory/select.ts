import { closest } from 'fastest-levenshtein';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import type { Inventory, Role, Server, ServerState } from './schema.js';

export interface ServerFilter {
  role?: Role;
  provider?: string;
  state?: ServerState;
}

export function filterServers(inventory: Inventory, filter: ServerFilter): Server[] {
  return inventory.servers.filter(
    (s) =>
      (!filter.role || s.roles.includes(filter.role)) &&
      (!filter.provider || s.provider.toLowerCase() === filter.provider.toLowerCase()) &&
      (!filter.state || s.state === filter.state),
  );
}

/** The server called `name`, or an error that names the closest existing one. */
export function findServer(inventory: Inventory, name: string): Server {
  const server = inventory.servers.find((s) => s.name === name);
  if (server) return server;
  const names = inventory.servers.map((s) => s.name);
  const hint = names.length > 0 ? ` (did you mean '${closest(name, names)}'?)` : '';
  throw new WeclickError(`no server named '${name}' in the inventory${hint}`, { exitCode: EXIT.badInput });
}
