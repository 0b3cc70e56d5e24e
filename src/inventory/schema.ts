import * as z from 'zod';

/** Roles a server can hold; the seed's management server holds several. */
// One parse per run: compiling validators (zod's JIT) costs more than it saves.
z.config({ jitless: true });

export const ROLES = ['management', 'subscription', 'mysql', 'proxy', 'marzban', 'outline'] as const;
// standby: provisioned (or being provisioned) to take over from another server — it has its own DNS name but serves
// nothing yet: no service name, not in HAProxy, not the entry point or the database. `weclick replace` uses it.
export const STATES = ['active', 'standby', 'draining', 'retired'] as const;

export type Role = (typeof ROLES)[number];
export type ServerState = (typeof STATES)[number];

// Names end up in hostnames, file names and remote commands: keep them boring on purpose.
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
const LABEL_PATTERN = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const FQDN_PATTERN = /^(?=.{1,253}$)((?!-)[a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
// Safe for a shell argument even before quoting (quoting still happens later), and for a terminal: no C0/C1
// controls (escape sequences) and no bidi embeddings, overrides or isolates (text that reads other than it is).
const SAFE_TEXT = /^[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069`$\\]*$/;

/** True when YYYY-MM-DD names a day that exists on the calendar. */
export function isCalendarDate(value: string): boolean {
  if (!DATE_PATTERN.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const name = z.string().regex(NAME_PATTERN, 'must match ^[a-z][a-z0-9-]{0,62}$ (lowercase letter first, then letters, digits, dashes)');
const fqdn = z.string().regex(FQDN_PATTERN, 'must be a lowercase fully qualified domain name, e.g. srv1.weclick.tech');
const dnsLabel = z.string().regex(LABEL_PATTERN, 'must be a single lowercase DNS label, e.g. go');
const calendarDate = z
  .string({ error: 'must be a date written YYYY-MM-DD' })
  .regex(DATE_PATTERN, 'must be a date written YYYY-MM-DD')
  // The pattern is reported above; only a well-formed date that does not exist is reported here.
  .refine((value) => !DATE_PATTERN.test(value) || isCalendarDate(value), 'is not a real calendar date');
const plainText = (max: number) => z.string().max(max).regex(SAFE_TEXT, 'must not contain control characters, $, ` or \\');
const port = z.number().int().min(1).max(65535);
const keyPath = z.string().min(1).max(4096).regex(SAFE_TEXT, 'must not contain control characters, $, ` or \\');
const sshUser = z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a valid Unix user name');

export const sshSettingsSchema = z.strictObject({
  user: sshUser.optional(),
  port: port.optional(),
  key: keyPath.optional().describe('Private key file; ~ is expanded. Omit to use ssh-agent (SSH_AUTH_SOCK).'),
});

const fleetSshSchema = sshSettingsSchema.extend({
  connectTimeout: z.number().positive().max(300).optional().describe('Seconds to wait for a host to answer'),
  commandTimeout: z.number().positive().max(86400).optional().describe('Seconds a remote command may run'),
  parallel: z.number().int().min(1).max(256).optional().describe('Hosts worked on at once'),
});

export const priceSchema = z.strictObject({
  monthly: z.number().nonnegative().max(1_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR or USD'),
});

export const serverSchema = z.strictObject({
  name,
  hostname: fqdn,
  ipv4: z.ipv4({ error: 'must be an IPv4 address' }),
  ipv6: z.ipv6({ error: 'must be an IPv6 address' }).optional(),
  roles: z.array(z.enum(ROLES)).min(1, 'needs at least one role'),
  provider: plainText(100).min(1),
  expires: calendarDate.describe('Last day the hosting is paid for (YYYY-MM-DD)'),
  price: priceSchema.optional(),
  ssh: sshSettingsSchema.optional(),
  state: z.enum(STATES).default('active'),
  labels: z.record(dnsLabel, plainText(200)).optional(),
  notes: plainText(2000).optional(),
});

export const fleetSchema = z.strictObject({
  domain: fqdn,
  cloudflare: z
    .strictObject({
      zone: fqdn,
      ttl: z.number().int().min(1).max(86400).default(1).describe('1 means automatic'),
      proxySubscription: z.boolean().default(false).describe('Proxy the subscription site through Cloudflare'),
    })
    .optional(),
  names: z
    .strictObject({
      entry: dnsLabel.default('go'),
      subscription: dnsLabel.default('podpiska'),
      management: dnsLabel.default('mngmt'),
      mysql: dnsLabel.default('db'),
    })
    .prefault({}),
  mysql: z
    .strictObject({
      host: fqdn.optional().describe('Defaults to the mysql name in the fleet domain'),
      port: port.default(3306),
      database: z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'must be a plain MySQL database name').default('marzban'),
    })
    .prefault({}),
  telegram: z
    .strictObject({
      chat: z.union([z.number().int(), z.string().regex(/^(-?\d+|@[A-Za-z0-9_]{5,32})$/, 'must be a chat id or @channel')]),
      topic: z.number().int().positive().optional(),
    })
    .optional(),
  backup: z
    .strictObject({
      recipients: z.array(z.string().regex(/^age1[0-9a-z]{58}$/, 'must be an age public key (age1…)')).default([]),
      keep: z
        .strictObject({
          last: z.number().int().min(1).default(7),
          daily: z.number().int().min(0).default(7),
          weekly: z.number().int().min(0).default(4),
          monthly: z.number().int().min(0).default(6),
        })
        .prefault({}),
    })
    .optional(),
  ssh: fleetSshSchema.prefault({}),
  marzban: z
    .strictObject({ image: z.string().regex(/^[a-z0-9./_-]+:[A-Za-z0-9._-]+$/, 'must be an image with a pinned tag') })
    .optional(),
});

export const inventorySchema = z.strictObject({
  fleet: fleetSchema,
  servers: z.array(serverSchema).default([]),
});

export type Inventory = z.output<typeof inventorySchema>;
export type Server = z.output<typeof serverSchema>;
export type Fleet = z.output<typeof fleetSchema>;
