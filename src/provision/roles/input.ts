import type { Inventory, Server } from '../../inventory/schema.js';
import type { ProvisionSecrets } from '../secrets.js';
import type { ProvisionSettings } from '../settings.js';
import type { Step } from '../step.js';
import type { TemplateSet } from '../templates.js';

/** What a role is a pure function of. Host facts come later, into each step's check(). */
export interface RoleInput {
  inventory: Inventory;
  server: Server;
  settings: ProvisionSettings;
  secrets: ProvisionSecrets;
  templates: TemplateSet;
}

export type RoleSteps = (input: RoleInput) => Step[];
