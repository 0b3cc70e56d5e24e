import type { LoadedInventory } from '../base-command.js';
import type { Server } from '../inventory/schema.js';
import type { ConnectOptions } from './connect.js';
import { defaultKnownHostsFiles, fleetKnownHostsFile, loadKnownHosts } from './host-keys.js';
import { hostTarget, type HostTarget } from './target.js';

export interface FleetContext {
  targets: HostTarget[];
  connect: ConnectOptions;
  parallel: number;
  commandTimeoutMs: number;
}

/** Targets and SSH settings for a run over the given servers, host keys loaded once. */
export async function fleetContext(loaded: LoadedInventory, servers: Server[], overrides: { connectTimeout?: number; parallel?: number } = {}): Promise<FleetContext> {
  const ssh = loaded.inventory.fleet.ssh;
  const knownHostsFile = fleetKnownHostsFile(loaded.file);
  const files = process.env.WECLICK_KNOWN_HOSTS ? [process.env.WECLICK_KNOWN_HOSTS] : defaultKnownHostsFiles(loaded.file);
  return {
    targets: servers.map((s) => hostTarget(loaded.inventory, loaded.file, s)),
    connect: {
      knownHosts: await loadKnownHosts(files),
      knownHostsFile: files[0] ?? knownHostsFile,
      connectTimeoutMs: (overrides.connectTimeout ?? ssh.connectTimeout ?? 10) * 1000,
    },
    parallel: overrides.parallel ?? ssh.parallel ?? 32,
    commandTimeoutMs: (ssh.commandTimeout ?? 600) * 1000,
  };
}
