import { isServing, servingHolders } from '../fleet/serving.js';
import type { Inventory, Server } from '../inventory/schema.js';
import type { HaproxyContext, HaproxyServer } from '../provision/context.js';
import type { ProvisionSettings } from '../provision/settings.js';
import { HAPROXY } from './paths.js';

/**
 * The entry point(s): the active servers holding the proxy role (a draining one only when none is active — an old
 * entry point keeps its open connections while its replacement takes the name). Validation insists on exactly one.
 */
export function entryPoints(inventory: Inventory): Server[] {
  return servingHolders(inventory.servers, 'proxy');
}

/** The backend's servers: every active or draining Marzban worker; standby and retired ones are left out. */
export function backendServers(inventory: Inventory, settings: Pick<ProvisionSettings, 'xrayPort'>): HaproxyServer[] {
  return inventory.servers
    .filter((s) => s.roles.includes('marzban') && isServing(s))
    .map((s) => ({ name: s.name, address: s.ipv4, port: settings.xrayPort, draining: s.state === 'draining' }));
}

/** The template context of haproxy.cfg for this entry point. */
export function haproxyContext(inventory: Inventory, entry: Server, settings: ProvisionSettings): HaproxyContext {
  return {
    generatedFor: `${entry.name} (${entry.hostname})`,
    maxconn: settings.haproxyMaxconn,
    hardStopAfter: settings.haproxyHardStopAfter,
    statsSocket: HAPROXY.socket,
    stateFile: HAPROXY.stateFile,
    binds: [{ address: entry.ipv4, port: settings.entryPort }, ...(entry.ipv6 ? [{ address: `[${entry.ipv6}]`, port: settings.entryPort }] : [])],
    backend: HAPROXY.backend,
    servers: backendServers(inventory, settings),
  };
}

/** Server names of a haproxy.cfg's backend, to tell which servers a new config adds. */
export function configuredServers(config: string, backend: string = HAPROXY.backend): string[] {
  const names: string[] = [];
  let inBackend = false;
  for (const raw of config.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (/^(frontend|backend|listen|defaults|global)\b/.test(line)) inBackend = line === `backend ${backend}`;
    else if (inBackend && line.startsWith('server ')) names.push(line.split(/\s+/)[1]!);
  }
  return names;
}
