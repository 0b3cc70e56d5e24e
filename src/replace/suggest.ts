// `weclick expiring --plan`: for each server that expires soon, the replace to run and what it will touch.
import { servingHolders, isServing } from '../fleet/serving.js';
import { serviceHostnames } from '../fleet/service-names.js';
import type { Inventory, Server } from '../inventory/schema.js';
import { WeclickError } from '../ui/errors.js';
import { replaceKind, kindWords } from './plan.js';

export interface ReplaceSuggestion {
  server: string;
  kind?: string;
  /** The command to run, with placeholders for what only the operator knows (the new server's address). */
  command?: string;
  touches: string[];
  /** Why weclick cannot replace it, when it cannot. */
  blocked?: string;
}

/** `reserved` collects the names suggested so far, so two suggestions never share a name. */
export function suggestReplacement(inventory: Inventory, server: Server, reserved = new Set<string>()): ReplaceSuggestion {
  if (server.state !== 'active') return { server: server.name, touches: [], blocked: `${server.name} is ${server.state}: ${server.state === 'draining' ? 'finish taking it out (weclick decommission)' : 'nothing to replace'}` };
  let kind;
  try {
    kind = replaceKind(server);
  } catch (error) {
    if (error instanceof WeclickError) return { server: server.name, touches: [], blocked: error.message };
    throw error;
  }
  const next = freeName(inventory, server.name, reserved);
  reserved.add(next);
  const names = serviceHostnames(inventory);
  const workers = inventory.servers.filter((s) => s.roles.includes('marzban') && isServing(s) && s.name !== server.name).map((s) => s.name);
  const entry = servingHolders(inventory.servers, 'proxy')[0]?.name ?? '(no entry point)';
  const dns = inventory.fleet.cloudflare ? '' : ' (not managed: no fleet.cloudflare)';
  // A server whose own hostname is a service name (go.example) loses no record of its own: the name moves.
  const ownRemoved = Object.values(names).includes(server.hostname) ? '' : `; ${server.hostname} removed`;
  const touches =
    kind === 'worker'
      ? [`new server ${next}: provisioned as a Marzban worker, MySQL account created`, `entry point ${entry}: ${next} added to HAProxy, ${server.name} drained then removed`, `MySQL: ${server.name}'s account dropped`, `DNS${dns}: A ${next}.${inventory.fleet.domain} created${ownRemoved}`]
      : kind === 'entry'
        ? [`new server ${next}: provisioned with HAProxy (the same backends)`, `workers' firewalls (${workers.join(', ') || 'none'}): opened to ${next}, closed to ${server.name} at the end`, `DNS${dns}: ${names.entry} moves to ${next}${ownRemoved}`]
        : [`new server ${next}: provisioned as the management server (MySQL, panel, subscriptions)`, `MySQL: ${server.name} read-only, a fresh backup to Telegram restored on ${next} and compared table by table`, `workers (${workers.join(', ') || 'none'}): re-pointed at ${next}'s MySQL one at a time`, `DNS${dns}: ${names.management}, ${names.subscription}, ${names.mysql} move to ${next}${ownRemoved}`];
  return {
    server: server.name,
    kind: kindWords(kind),
    command: `weclick replace ${server.name} --with ${next} --ip <NEW-IPV4> --provider <PROVIDER> --expires <YYYY-MM-DD>`,
    touches,
  };
}

/** srv4 → the first srvN not taken; go → go2; anything else → NAME-new. */
export function freeName(inventory: Inventory, name: string, reserved: ReadonlySet<string> = new Set()): string {
  const taken = new Set([...inventory.servers.map((s) => s.name), ...reserved]);
  const match = /^(.*?)(\d*)$/.exec(name)!;
  const prefix = match[1]!;
  for (let n = match[2] ? Number(match[2]) + 1 : 2; n < 1000; n++) if (!taken.has(`${prefix}${n}`)) return `${prefix}${n}`;
  return `${name}-new`;
}
