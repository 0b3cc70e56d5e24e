import type { Inventory, Role, Server } from '../inventory/schema.js';
import { serviceHostnames } from './service-names.js';

const id = (server: Server) => `srv_${server.name.replace(/-/g, '_')}`;
const label = (text: string) => text.replace(/"/g, "'");

/**
 * The fleet as a mermaid flowchart in the shape of the service description: users enter through
 * the proxy's HAProxy to the Marzban workers; the management server holds MySQL, sends backups
 * to Telegram and serves the subscription site; workers read and write MySQL.
 */
export function renderFleetDiagram(inventory: Inventory): string {
  const live = inventory.servers.filter((s) => s.state !== 'retired');
  const holding = (role: Role) => live.filter((s) => s.roles.includes(role));
  const names = serviceHostnames(inventory);
  const lines = ['flowchart TD', `    user["User"]`, `    cloudflare["Cloudflare DNS (${label(inventory.fleet.cloudflare?.zone ?? inventory.fleet.domain)})"]`];

  lines.push(`    mysql[("MySQL ${label(names.mysql)}")]`, `    telegram["Backups to Telegram"]`, `    podpiska["Subscription ${label(names.subscription)}"]`);
  for (const s of holding('management')) {
    lines.push(`    ${id(s)}["Management ${label(s.hostname)}"]`);
    lines.push(`    ${id(s)} --> |"Writes user data to"| mysql`, `    ${id(s)} --> |"Backups"| telegram`, `    ${id(s)} --> |"podpiska"| podpiska`);
  }
  lines.push('    mysql --> telegram', '    podpiska --> |"Reads user data from"| mysql');

  for (const proxy of holding('proxy')) {
    lines.push(`    ${id(proxy)}["Proxy ${label(proxy.hostname)} (entry ${label(names.entry)})"]`);
    // Not `${id(proxy)}_haproxy`: a server named go-haproxy would have that id.
    const haproxy = `haproxy_${id(proxy)}`;
    lines.push(`    ${haproxy}[HAProxy]`, `    ${id(proxy)} --> ${haproxy}`, `    user --> ${id(proxy)}`, `    cloudflare -.-> ${id(proxy)}`);
    for (const worker of holding('marzban')) {
      const edge = worker.state === 'draining' ? '-.->|draining|' : '-->';
      lines.push(`    ${haproxy} ${edge} ${id(worker)}`);
    }
  }
  for (const worker of holding('marzban')) {
    lines.push(`    ${id(worker)}["Marzban worker ${label(worker.hostname)}"]`);
    lines.push(`    ${id(worker)} --> |"Reads configuration from"| mysql`, `    ${id(worker)} --> |"Writes traffic usage stats to"| mysql`);
  }
  for (const outline of holding('outline')) lines.push(`    ${id(outline)}["Outline ${label(outline.hostname)}"]`, `    user --> ${id(outline)}`);

  for (const s of holding('management')) lines.push(`    cloudflare -.-> ${id(s)}`);
  lines.push('    cloudflare -.-> podpiska', '    cloudflare -.-> mysql', '    user --> podpiska');
  return `${lines.join('\n')}\n`;
}
