import type { Role, Server } from '../inventory/schema.js';
import type { HostFacts } from './facts.js';

export interface ServiceCheck {
  role: Role;
  service: string;
  up: boolean;
}

export interface HostStatusRow {
  name: string;
  reachable: boolean;
  latencyMs?: number;
  os?: string;
  uptimeSeconds?: number | null;
  load?: number | null;
  diskFreePercent?: number | null;
  memoryFreePercent?: number | null;
  containersUp?: number;
  services: ServiceCheck[];
  daysLeft: number;
  error?: string;
}

/** What must be running for each role, read off the facts (process names and container names). */
export function roleServices(roles: Role[], facts: HostFacts): ServiceCheck[] {
  const proc = (name: string) => facts.processes[name] === true;
  const container = (pattern: RegExp) => facts.docker.containers.some((c) => pattern.test(c.name) && /^Up/i.test(c.status));
  const checks: ServiceCheck[] = [];
  for (const role of roles) {
    if (role === 'proxy') checks.push({ role, service: 'haproxy', up: proc('haproxy') });
    if (role === 'mysql') checks.push({ role, service: 'mysql', up: proc('mariadbd') || proc('mysqld') || container(/mysql|mariadb/) });
    if (role === 'marzban') checks.push({ role, service: 'marzban', up: container(/marzban/) || proc('xray') });
    if (role === 'management') checks.push({ role, service: 'marzban panel', up: container(/marzban/) });
    if (role === 'outline') checks.push({ role, service: 'shadowbox', up: container(/shadowbox/) });
  }
  return checks;
}

const percent = (part: number | null, whole: number | null) => (part !== null && whole ? Math.round((part / whole) * 100) : null);

export function statusRow(server: Server, facts: HostFacts, latencyMs: number, daysLeft: number): HostStatusRow {
  return {
    name: server.name,
    reachable: true,
    latencyMs,
    os: facts.os.pretty ?? ([facts.os.id, facts.os.version].filter(Boolean).join(' ') || 'unknown'),
    uptimeSeconds: facts.uptimeSeconds,
    load: facts.load?.[0] ?? null,
    diskFreePercent: percent(facts.disk.freeBytes, facts.disk.totalBytes),
    memoryFreePercent: percent(facts.memory.availableBytes, facts.memory.totalBytes),
    containersUp: facts.docker.containers.filter((c) => /^Up/i.test(c.status)).length,
    services: roleServices(server.roles, facts),
    daysLeft,
  };
}
