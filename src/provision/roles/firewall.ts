import type { Inventory, Server } from '../../inventory/schema.js';
import type { FirewallRule } from '../context.js';
import type { ProvisionSettings } from '../settings.js';

const active = (inventory: Inventory) => inventory.servers.filter((s) => s.state !== 'retired');
const holders = (inventory: Inventory, ...roles: string[]) => active(inventory).filter((s) => s.roles.some((r) => roles.includes(r)));

/** What a host's roles need open, and to whom. Everything else is dropped (policy drop). */
export function firewallRules(inventory: Inventory, server: Server, settings: ProvisionSettings): FirewallRule[] {
  const rules: FirewallRule[] = [];
  const roles = new Set(server.roles);
  if (roles.has('proxy')) rules.push({ proto: 'tcp', port: settings.entryPort, sources: [], why: 'VPN entry point (HAProxy)' });
  if (roles.has('marzban')) {
    const entries = holders(inventory, 'proxy').map((s) => s.ipv4);
    rules.push({ proto: 'tcp', port: settings.xrayPort, sources: entries.length > 0 ? entries : ['127.0.0.1'], why: 'Xray inbound, from the entry point only' });
  }
  if (roles.has('management') || roles.has('subscription')) rules.push({ proto: 'tcp', port: settings.panelPort, sources: [], why: 'Marzban panel and subscriptions (TLS)' });
  if (roles.has('mysql')) {
    const fleet = [...new Set([...holders(inventory, 'marzban', 'management', 'subscription').map((s) => s.ipv4), ...settings.mysqlAdminSources])];
    rules.push({ proto: 'tcp', port: inventory.fleet.mysql.port, sources: fleet, why: 'central MySQL, from the fleet only' });
  }
  if (roles.has('outline')) {
    rules.push({ proto: 'tcp', port: settings.outlineApiPort, sources: [], why: 'Outline management API (secret prefix, pinned certificate)' });
    rules.push({ proto: 'tcp', port: settings.outlineKeysPort, sources: [], why: 'Outline access keys' });
    rules.push({ proto: 'udp', port: settings.outlineKeysPort, sources: [], why: 'Outline access keys' });
  }
  return rules;
}

/**
 * Checks a rendered ruleset's structure when nft itself is not there to check it: balanced braces, our
 * table with a drop policy, and SSH open (a ruleset without it would lock everyone out).
 */
export function structuralRulesetProblems(ruleset: string, sshPort: number): string[] {
  const problems: string[] = [];
  let depth = 0;
  for (const ch of ruleset.replace(/"[^"\n]*"/g, '""')) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (depth < 0) break;
  }
  if (depth !== 0) problems.push('unbalanced braces');
  if (!/table inet weclick \{/.test(ruleset)) problems.push('no "table inet weclick { … }"');
  if (!/type filter hook input priority filter; policy drop;/.test(ruleset)) problems.push('the input chain has no drop policy');
  if (!new RegExp(`tcp dport ${sshPort} accept`).test(ruleset)) problems.push(`SSH (tcp ${sshPort}) is not accepted: this ruleset would lock everyone out`);
  return problems;
}
