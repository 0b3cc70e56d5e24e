import * as Flags from '@oclif/core/flags';
import { ROLES } from '../inventory/schema.js';

/** Host selection and connection flags shared by every command that reaches servers. */
export const hostFlags = {
  hosts: Flags.string({ summary: 'Comma-separated server names.', delimiter: ',', multiple: true }),
  role: Flags.option({ options: ROLES, summary: 'Only servers holding this role.' })(),
  parallel: Flags.integer({ min: 1, max: 256, summary: 'Hosts worked on at once (default: fleet.ssh.parallel or 32).' }),
  'connect-timeout': Flags.integer({ min: 1, max: 300, summary: 'Seconds to wait for a host to answer.' }),
};
