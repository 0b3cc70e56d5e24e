import { entryPoints } from '../haproxy/config.js';
import type { Inventory, Server } from '../inventory/schema.js';
import type { WorkerAccountsPort } from './ports.js';
import { marzbanHosts, type ProvisionSecrets } from './secrets.js';

/**
 * Problems across the fleet that make any provisioning unsafe; all are found before anything changes.
 * (A worker with no IPv4 at all is refused earlier, by the inventory schema, with its line and column.)
 */
export function validateFleet(inventory: Inventory, selected: Server[], secrets: ProvisionSecrets, accounts: Pick<WorkerAccountsPort, 'howToCreate'>): string[] {
  const problems: string[] = [];
  const entries = entryPoints(inventory);
  if (entries.length === 0) problems.push('the inventory has no entry point: no active server holds the proxy role (HAProxy, where users connect)');
  if (entries.length > 1) {
    problems.push(`two entry points: ${entries.map((s) => s.name).join(', ')} hold the proxy role; ${inventory.fleet.names.entry}.${inventory.fleet.domain} can point at only one`);
  }
  for (const server of inventory.servers.filter((s) => s.state !== 'retired')) {
    if (!usableAddress(server.ipv4)) problems.push(`${server.name} has no usable IPv4 address (${server.ipv4}): HAProxy, the firewall and MySQL grants need its real address`);
    const panel = server.roles.some((r) => r === 'management' || r === 'subscription');
    if (panel && server.roles.includes('marzban')) problems.push(`${server.name} holds both the marzban and the management/subscription roles: one Marzban instance per server (/opt/marzban)`);
  }
  const runsMarzban = marzbanHosts(inventory);
  if (runsMarzban.length > 0 && !inventory.fleet.marzban?.image) {
    problems.push('fleet.marzban.image is not set: pin the Marzban image fleet-wide (e.g. gozargah/marzban:v0.8.4); all instances must run the same version');
  }
  const selectedNames = new Set(selected.map((s) => s.name));
  for (const server of runsMarzban.filter((s) => selectedNames.has(s.name))) {
    if (!secrets.accounts[server.name]) problems.push(`${server.name} has no MySQL account yet: create it with \`${accounts.howToCreate(server.name)}\`, then run provision again`);
  }
  return problems;
}

function usableAddress(ipv4: string): boolean {
  const [a = 0, , , d = 0] = ipv4.split('.').map(Number);
  if (ipv4 === '0.0.0.0' || ipv4 === '255.255.255.255') return false;
  if (a >= 224) return false; // multicast and reserved
  return !(a === 0 || (a === 127 && d === 0));
}

/** Reads which Marzban image a host runs: the running container's, else the one our compose file pins. */
export const DEPLOYED_IMAGE_PROBE = `docker ps --filter name=^marzban$ --format '{{.Image}}' 2>/dev/null | head -n 1; sed -n 's/^# weclick: marzban image //p' /opt/marzban/docker-compose.yml 2>/dev/null | head -n 1`;

export function parseDeployedImage(output: string): string | undefined {
  return output
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /^[a-z0-9./_-]+:[A-Za-z0-9._-]+$/.test(l));
}

/**
 * Every instance migrates the shared database when it starts, so instances left out of this run must already
 * run the image this run starts. Instances in the run converge to it together.
 */
export function marzbanVersionProblems(desired: string | undefined, deployed: Map<string, string | undefined>, selected: Set<string>): string[] {
  if (!desired) return [];
  const behind = [...deployed].sort(([a], [b]) => a.localeCompare(b)).filter(([name, image]) => !selected.has(name) && image !== undefined && image !== desired);
  if (behind.length === 0) return [];
  const starting = [...selected].filter((name) => deployed.has(name)).join(', ') || 'the selected hosts';
  return [
    `Marzban versions would differ: ${behind.map(([name, image]) => `${name} runs ${image}`).join(', ')}, while this run starts ${desired} on ${starting}. ` +
      `Every instance migrates the shared database at start, so all must run the same version: provision every Marzban host together (weclick provision --all), or pin the version they run.`,
  ];
}
