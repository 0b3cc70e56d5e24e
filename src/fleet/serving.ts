import type { Role, Server } from '../inventory/schema.js';

/** In service: active, or draining (still carrying what it had). Standby and retired servers serve nothing. */
export const isServing = (server: Server): boolean => server.state === 'active' || server.state === 'draining';

/**
 * The servers a role's traffic goes to: the active holders, or — only when none is active — the draining ones.
 * While a replacement takes over, the old server drains and the new one is active: the new one is the holder.
 */
export function servingHolders(servers: readonly Server[], role: Role): Server[] {
  const holding = servers.filter((s) => s.roles.includes(role) && isServing(s));
  const active = holding.filter((s) => s.state === 'active');
  return active.length > 0 ? active : holding;
}
