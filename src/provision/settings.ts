import * as z from 'zod';
import { setting, type EnvFile } from '../secrets/env-file.js';

const port = z.coerce.number().int().min(1).max(65535);
const image = z.string().regex(/^[a-z0-9./_-]+(:[A-Za-z0-9._-]+)?$/, 'must be a container image such as mysql:8.4');
const hostname = z.string().regex(/^(?=.{1,253}$)((?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)+[A-Za-z]{2,63}$/, 'must be a hostname');

/**
 * Provisioning settings that are not secrets and not (yet) in the inventory schema: ports, images and the
 * REALITY camouflage site. Read from the environment first, then .env beside the inventory; each has a default.
 */
export const SETTINGS = {
  entryPort: { key: 'WECLICK_ENTRY_PORT', schema: port, fallback: '443', about: 'port HAProxy listens on at the entry point' },
  xrayPort: { key: 'WECLICK_XRAY_PORT', schema: port, fallback: '443', about: "workers' Xray inbound port, which HAProxy forwards to" },
  panelPort: { key: 'WECLICK_PANEL_PORT', schema: port, fallback: '443', about: 'Marzban panel and subscriptions (TLS) on the management server' },
  outlineApiPort: { key: 'WECLICK_OUTLINE_API_PORT', schema: port, fallback: '8081', about: "Outline's management API port" },
  outlineKeysPort: { key: 'WECLICK_OUTLINE_KEYS_PORT', schema: port, fallback: '8388', about: 'port for new Outline access keys (TCP and UDP)' },
  outlineImage: { key: 'WECLICK_OUTLINE_IMAGE', schema: image, fallback: 'quay.io/outline/shadowbox:stable', about: 'Outline server image' },
  watchtowerImage: { key: 'WECLICK_WATCHTOWER_IMAGE', schema: image, fallback: 'nickfedor/watchtower:latest', about: 'image that keeps Outline updated' },
  mysqlImage: { key: 'WECLICK_MYSQL_IMAGE', schema: image, fallback: 'mysql:8.4', about: 'central MySQL image on the management server' },
  realitySni: { key: 'WECLICK_REALITY_SNI', schema: hostname, fallback: 'www.microsoft.com', about: 'site REALITY impersonates (dest and serverNames)' },
  haproxyMaxconn: { key: 'WECLICK_HAPROXY_MAXCONN', schema: z.coerce.number().int().min(100).max(1_000_000), fallback: '4096', about: 'HAProxy maxconn (needs 2 file descriptors each)' },
  haproxyHardStopAfter: { key: 'WECLICK_HAPROXY_HARD_STOP_AFTER', schema: z.string().regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 30m'), fallback: '1h', about: 'how long an old HAProxy keeps tunnels after a reload' },
  mysqlAdminSources: {
    key: 'WECLICK_MYSQL_ADMIN_SOURCES',
    schema: z
      .string()
      .transform((v) => v.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/, 'must be IPv4 addresses or CIDRs, comma-separated'))),
    fallback: '',
    about: 'extra addresses allowed to reach the central MySQL (e.g. the operator running weclick users/db)',
  },
  namespaceTestHosts: { key: 'WECLICK_NAMESPACE_TEST_HOSTS', schema: z.enum(['0', '1']), fallback: '0', about: '1 on the test fleet: never load firewall rules, reload sshd or install packages' },
} as const;

type Settings = typeof SETTINGS;
export type ProvisionSettings = { [K in keyof Settings]: K extends 'namespaceTestHosts' ? boolean : z.output<Settings[K]['schema']> };

export const SETTING_KEYS = Object.values(SETTINGS).map((s) => s.key);

/** Reads every setting; returns the problems (one per bad value) instead of throwing. */
export function readSettings(env: EnvFile, processEnv: NodeJS.ProcessEnv = process.env): { settings: ProvisionSettings; problems: string[] } {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(SETTINGS)) {
    const raw = setting(env, def.key, processEnv) ?? def.fallback;
    const parsed = def.schema.safeParse(raw);
    if (parsed.success) out[name] = name === 'namespaceTestHosts' ? parsed.data === '1' : parsed.data;
    else {
      problems.push(`${def.key}=${JSON.stringify(raw)}: ${parsed.error.issues[0]?.message ?? 'invalid'} (${def.about})`);
      out[name] = def.schema.parse(def.fallback);
    }
  }
  return { settings: out as ProvisionSettings, problems };
}

/** Defaults only: for unit tests and golden files. */
export function defaultSettings(overrides: Partial<ProvisionSettings> = {}): ProvisionSettings {
  return { ...readSettings({ path: '', exists: false, values: {} }, {}).settings, ...overrides };
}
