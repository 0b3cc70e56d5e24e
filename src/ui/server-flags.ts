import * as Flags from '@oclif/core/flags';
import { STATES } from '../inventory/schema.js';

/** The server fields `servers add` and `servers set` take; validation happens on the whole inventory. */
export const serverFieldFlags = {
  hostname: Flags.string({ summary: 'Fully qualified hostname (default: NAME.<fleet domain>).' }),
  ip: Flags.string({ summary: 'IPv4 address.' }),
  ipv6: Flags.string({ summary: 'IPv6 address.' }),
  roles: Flags.string({ summary: 'Comma-separated roles: management, subscription, mysql, proxy, marzban, outline.' }),
  provider: Flags.string({ summary: 'Hosting provider.' }),
  expires: Flags.string({ summary: 'Last paid day, YYYY-MM-DD.' }),
  price: Flags.string({ summary: 'Monthly price, e.g. 5.50 (with --currency).' }),
  currency: Flags.string({ summary: 'ISO currency of --price, e.g. EUR.' }),
  state: Flags.option({ options: STATES, summary: 'active, standby, draining or retired.' })(),
  'ssh-user': Flags.string({ summary: 'SSH user for this server.' }),
  'ssh-port': Flags.integer({ summary: 'SSH port for this server.' }),
  'ssh-key': Flags.string({ summary: 'SSH private key file for this server.' }),
  label: Flags.string({ multiple: true, summary: 'A label KEY=VALUE (repeatable).' }),
  notes: Flags.string({ summary: 'Free-form notes.' }),
};
