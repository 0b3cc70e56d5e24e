import type { Role } from '../../inventory/schema.js';
import { blockedStep } from '../steps/note.js';
import type { ProvisionRole, Step } from '../step.js';
import { baseRole } from './base.js';
import type { RoleInput, RoleSteps } from './input.js';
import { managementRole } from './management.js';
import { marzbanRole } from './marzban.js';
import { outlineRole } from './outline.js';
import { proxyRole } from './proxy.js';

const ROLE_STEPS: Record<ProvisionRole, RoleSteps> = { base: baseRole, management: managementRole, marzban: marzbanRole, outline: outlineRole, proxy: proxyRole };

/** Inventory roles → provisioning roles: the MySQL, panel and subscription roles are all the management server's. */
export function provisionRolesOf(roles: Role[]): ProvisionRole[] {
  const out: ProvisionRole[] = ['base'];
  if (roles.some((r) => r === 'management' || r === 'mysql' || r === 'subscription')) out.push('management');
  if (roles.includes('marzban')) out.push('marzban');
  if (roles.includes('outline')) out.push('outline');
  if (roles.includes('proxy')) out.push('proxy');
  return out;
}

/**
 * Every step for one server, base first. A role whose templates do not render becomes one blocked step, so the
 * run stops before anything changes and says which template and why.
 */
export function stepsForServer(input: RoleInput, only?: ProvisionRole[]): Step[] {
  const roles = provisionRolesOf(input.server.roles).filter((r) => !only || only.includes(r));
  return roles.flatMap((role) => {
    try {
      return ROLE_STEPS[role](input);
    } catch (error) {
      return [blockedStep(input.server.name, role, `${role}:render`, `${input.server.name} (${role}): ${(error as Error).message}`)];
    }
  });
}
