import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Inventory, Server } from '../inventory/schema.js';
import { setting, type EnvFile } from '../secrets/env-file.js';
import { registerSecret } from '../ui/redact.js';
import type { DbCredentials, ProvisionPorts } from './ports.js';

/** Paths in the secrets file that provisioning reads or writes. */
export const SECRET_PATHS = {
  realityPrivateKey: ['xray', 'reality', 'privateKey'],
  realityShortIds: ['xray', 'reality', 'shortIds'],
  mysqlRootPassword: ['mysql', 'root', 'password'],
  outline: (server: string) => ['outline', server],
} as const;

export interface RealityKeys {
  privateKey: string;
  publicKey: string;
  shortIds: string[];
}

/** Everything secret the templates need, gathered before planning so that roles stay pure. */
export interface ProvisionSecrets {
  reality: RealityKeys;
  mysqlRootPassword: string;
  /** DB accounts of the servers that run Marzban, by server name (missing ones are reported by validation). */
  accounts: Record<string, DbCredentials>;
  telegramBotToken?: string;
  outline: Record<string, { apiUrl?: string; certSha256?: string }>;
}

/** An x25519 key pair as Xray writes them (`xray x25519`): unpadded base64url of the raw 32 bytes. */
export function realityKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const d = privateKey.export({ format: 'jwk' }).d!;
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { privateKey: d, publicKey: x };
}

// PKCS#8 header of a raw X25519 private key (RFC 8410), so a stored key can be loaded back.
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** The public half of a stored private key (clients need it; Marzban derives it the same way). */
export function realityPublicKey(privateKey: string): string {
  const raw = Buffer.from(privateKey, 'base64url');
  if (raw.length !== 32) throw new Error('the stored REALITY private key is not 32 bytes of base64url');
  const key = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  return createPublicKey(key).export({ format: 'jwk' }).x!;
}

const password = () => randomBytes(24).toString('base64url');

export interface GatheredSecrets {
  secrets: ProvisionSecrets;
  /** Secret paths generated in this run (saved at once unless it is a dry run). */
  generated: string[];
}

/**
 * Reads the secrets a run needs and generates the ones weclick owns when missing (REALITY keys, the MySQL root
 * password). A dry run generates throwaway values and saves nothing, and so does a run that renders no Marzban files.
 */
export async function gatherSecrets(ports: ProvisionPorts, inventory: Inventory, env: EnvFile, options: { dryRun: boolean; generate?: boolean }): Promise<GatheredSecrets> {
  const store = ports.secrets;
  const generated: string[] = [];
  const ensure = async (path: readonly string[], make: () => string | string[]): Promise<void> => {
    if (store.get(path) !== undefined || store.getList(path) !== undefined) return;
    // Only a run that renders Marzban's files needs them; others (haproxy sync) use a throwaway value, unsaved.
    const keep = options.generate !== false;
    if (keep) generated.push(path.join('.'));
    const value = make();
    if (!options.dryRun && keep) await store.set(path, value);
    else (Array.isArray(value) ? value : [value]).forEach((v) => registerSecret(v));
    pending.set(path.join('.'), value);
  };
  const pending = new Map<string, string | string[]>();
  const read = (path: readonly string[]) => (pending.get(path.join('.')) as string | undefined) ?? store.get(path);
  const readList = (path: readonly string[]) => (pending.get(path.join('.')) as string[] | undefined) ?? store.getList(path) ?? [];

  let pair: { privateKey: string; publicKey: string } | undefined;
  await ensure(SECRET_PATHS.realityPrivateKey, () => (pair = realityKeyPair()).privateKey);
  await ensure(SECRET_PATHS.realityShortIds, () => [randomBytes(4).toString('hex'), randomBytes(8).toString('hex')]);
  await ensure(SECRET_PATHS.mysqlRootPassword, password);
  const privateKey = read(SECRET_PATHS.realityPrivateKey)!;

  const accounts: Record<string, DbCredentials> = {};
  for (const server of marzbanHosts(inventory)) {
    const credentials = ports.accounts.credentials(server.name);
    if (credentials) {
      registerSecret(credentials.password);
      accounts[server.name] = credentials;
    }
  }
  const outline: ProvisionSecrets['outline'] = {};
  for (const server of inventory.servers.filter((s) => s.roles.includes('outline'))) {
    outline[server.name] = { apiUrl: store.get([...SECRET_PATHS.outline(server.name), 'apiUrl']), certSha256: store.get([...SECRET_PATHS.outline(server.name), 'certSha256']) };
  }
  return {
    generated,
    secrets: {
      reality: { privateKey, publicKey: pair?.publicKey ?? realityPublicKey(privateKey), shortIds: readList(SECRET_PATHS.realityShortIds) },
      mysqlRootPassword: read(SECRET_PATHS.mysqlRootPassword)!,
      accounts,
      telegramBotToken: setting(env, 'TELEGRAM_BOT_TOKEN'),
      outline,
    },
  };
}

/** Servers that run a Marzban instance on the shared database: workers and the management panel. */
export function marzbanHosts(inventory: Inventory): Server[] {
  return inventory.servers.filter((s) => s.state !== 'retired' && (s.roles.includes('marzban') || s.roles.includes('management') || s.roles.includes('subscription')));
}
