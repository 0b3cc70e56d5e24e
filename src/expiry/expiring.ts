import type { Inventory, Server } from '../inventory/schema.js';
import { MONITORING } from '../ui/exit-codes.js';
import { daysBetween } from './calendar-day.js';

export type Severity = 'expired' | 'critical' | 'warning';

export interface ExpiringServer {
  name: string;
  hostname: string;
  provider: string;
  expires: string;
  daysLeft: number;
  severity: Severity;
  price?: Server['price'];
  roles: Server['roles'];
  state: Server['state'];
}

export interface ExpiringReport {
  today: string;
  days: number;
  critical: number;
  servers: ExpiringServer[];
  status: 'OK' | 'WARNING' | 'CRITICAL';
  exitCode: number;
}

/**
 * Servers whose hosting ends within `days` of `today`, soonest first. A server expiring today
 * has 0 days left and is critical; one whose date has passed is expired. Retired servers are
 * no longer paid for and are left out.
 */
export function findExpiring(inventory: Inventory, options: { today: string; days: number; critical: number }): ExpiringReport {
  const servers = inventory.servers
    .filter((s) => s.state !== 'retired')
    .map((s) => ({ server: s, daysLeft: daysBetween(options.today, s.expires) }))
    .filter(({ daysLeft }) => daysLeft <= options.days)
    .sort((a, b) => a.daysLeft - b.daysLeft || a.server.name.localeCompare(b.server.name))
    .map(({ server, daysLeft }) => ({
      name: server.name,
      hostname: server.hostname,
      provider: server.provider,
      expires: server.expires,
      daysLeft,
      severity: severityOf(daysLeft, options.critical),
      ...(server.price ? { price: server.price } : {}),
      roles: server.roles,
      state: server.state,
    }));
  const worst = servers.some((s) => s.severity !== 'warning') ? 'CRITICAL' : servers.length > 0 ? 'WARNING' : 'OK';
  const exitCode = worst === 'CRITICAL' ? MONITORING.critical : worst === 'WARNING' ? MONITORING.warning : MONITORING.ok;
  return { today: options.today, days: options.days, critical: options.critical, servers, status: worst, exitCode };
}

function severityOf(daysLeft: number, critical: number): Severity {
  if (daysLeft < 0) return 'expired';
  if (daysLeft <= critical) return 'critical';
  return 'warning';
}
