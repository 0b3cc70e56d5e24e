/** A problem found across fields: the path it belongs to and what is wrong. */
export interface SemanticIssue {
  path: (string | number)[];
  message: string;
}

type Raw = Record<string, unknown>;

const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks zod cannot see field by field: duplicates and hostnames outside the fleet's domain.
 * Works on the raw document so it still reports when other fields are invalid.
 */
export function checkSemantics(raw: unknown): SemanticIssue[] {
  if (!isRecord(raw)) return [];
  const issues: SemanticIssue[] = [];
  const fleet = isRecord(raw.fleet) ? raw.fleet : {};
  const domain = typeof fleet.domain === 'string' ? fleet.domain : undefined;
  const servers = Array.isArray(raw.servers) ? raw.servers : [];

  for (const field of ['name', 'hostname', 'ipv4', 'ipv6'] as const) {
    const seen = new Map<string, number>();
    servers.forEach((server, index) => {
      if (!isRecord(server) || typeof server[field] !== 'string') return;
      const value = (server[field] as string).toLowerCase();
      const first = seen.get(value);
      if (first === undefined) seen.set(value, index);
      else issues.push({ path: ['servers', index, field], message: `duplicate ${field} '${value}', already used by servers[${first}]` });
    });
  }

  if (domain) {
    servers.forEach((server, index) => {
      if (!isRecord(server) || typeof server.hostname !== 'string') return;
      if (!inDomain(server.hostname, domain)) {
        issues.push({ path: ['servers', index, 'hostname'], message: `'${server.hostname}' is outside the fleet domain ${domain}` });
      }
    });
    const zone = isRecord(fleet.cloudflare) ? fleet.cloudflare.zone : undefined;
    if (typeof zone === 'string' && !inDomain(domain, zone)) {
      issues.push({ path: ['fleet', 'cloudflare', 'zone'], message: `zone '${zone}' does not contain the fleet domain ${domain}` });
    }
    const mysqlHost = isRecord(fleet.mysql) ? fleet.mysql.host : undefined;
    if (typeof mysqlHost === 'string' && !inDomain(mysqlHost, domain)) {
      issues.push({ path: ['fleet', 'mysql', 'host'], message: `'${mysqlHost}' is outside the fleet domain ${domain}` });
    }
  }
  return issues;
}

export function inDomain(hostname: string, domain: string): boolean {
  const host = hostname.toLowerCase();
  const zone = domain.toLowerCase();
  return host === zone || host.endsWith(`.${zone}`);
}
