// The world the secrets-leak harness runs every command in: an inventory of real test-fleet hosts (under names of
// its own, so MySQL accounts and audit lines never collide with other tests), a .env and weclick.secrets.yaml full
// of distinctive secret values, a MySQL admin account and database of its own on the fleet's MariaDB, and the
// stand-ins (Cloudflare, Telegram, Outline, each worker's Marzban API). Every place a secret could end up is a
// "sink" the harness reads after each run.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, type Pool } from 'mysql2/promise';
import { parse } from 'yaml';
import { realityKeyPair } from '../../src/provision/secrets.js';
import { fleet, host, hostFile } from '../fleet/harness.js';
import { weclick, type CliResult } from '../helpers/cli.js';
import { startCloudflareStandin, type CloudflareStandin } from '../standins/cloudflare/index.js';
import { MarzbanApiStandin } from '../standins/marzban-api/index.js';
import { fingerprintOf, selfSignedPair, startOutlineStandin, type OutlineStandin } from '../standins/outline/server.js';
import { startTelegramStandin, type TelegramStandin } from '../standins/telegram/index.js';
import { installDockerStandin } from '../standins/docker/install.js';
import { openHost, resetProvisionedHost } from '../standins/docker/fleet-helpers.js';
import { MARZBAN_COMPOSE, MARZBAN_ENV, onHost, XRAY_CONFIG } from '../unit/backup/fixtures/backup-world.js';
import { startBackend, type Backend } from '../unit/haproxy/proxy-v2-backend.js';
import type { KnownSecret } from './secrets-scan.js';

export const CHAT = '-1001999888777';
export const ZONE = 'weclick.test';
export const AUDIT_LOG = '/var/log/weclick/audit.log';
export const LOCK_DETAILS = '/var/lib/weclick/lock/details';

/** Inventory name → test-fleet host and roles. Names are the harness's own; addresses are the fleet's. */
export const SERVERS = [
  // The database and management server: a host of its own (its backup lock is then the harness's alone); its
  // mysql client reaches the fleet's MariaDB through BACKUP_MYSQL_ADDRESS.
  { name: 'lkdb', fleetHost: 'bench7', roles: ['management', 'subscription', 'mysql'] },
  { name: 'lkgo', fleetHost: 'go', roles: ['proxy'] },
  { name: 'lkw1', fleetHost: 'srv1', roles: ['marzban'] },
  { name: 'lkw2', fleetHost: 'srv2', roles: ['marzban'] },
  { name: 'lkb9', fleetHost: 'bench9', roles: ['marzban'] },
  // Provisioned for real (docker stand-in), and put back as the fleet made it at the end.
  { name: 'lkb8', fleetHost: 'bench8', roles: ['marzban'] },
  { name: 'lkol', fleetHost: 'outline', roles: ['outline'] },
] as const;
/** Workers whose DB accounts the world creates up front (lkb9's is made and dropped by the db commands). */
const ACCOUNTS = ['lkdb', 'lkw1', 'lkw2', 'lkb8'] as const;
/** The worker the harness provisions for real. */
export const PROVISIONED = { name: 'lkb8', fleetHost: 'bench8' } as const;
/** Servers only ghost.yaml has: nothing listens at their addresses (lkol2 and lkol3 have broken Outline entries). */
const GHOSTS = [
  { name: 'lkghost', address: '127.0.0.99', roles: ['outline'] },
  { name: 'lkgw', address: '127.0.0.96', roles: ['marzban'] },
  { name: 'lkol2', address: '127.0.0.98', roles: ['outline'] },
  { name: 'lkol3', address: '127.0.0.97', roles: ['outline'] },
];

const DIST_MISSING = /\/dist\/\S*' imported from|ERR_MODULE_NOT_FOUND[\s\S]*\/dist\/|Cannot find module '[^']*\/dist\/|command [\w:]+ not found/;
/** Only the failure of a run that could not load its own modules: oclif's DEBUG lines mention module loading too. */
const distMissing = (result: CliResult) => result.code !== 0 && DIST_MISSING.test(result.stderr.split('\n').filter((l) => !/ oclif[:\w-]* /.test(l) && !/command \S*bogus\S* not found/.test(l)).join('\n'));
const MARZBAN_FILES: Record<string, string> = { '/opt/marzban/.env': MARZBAN_ENV, '/opt/marzban/docker-compose.yml': MARZBAN_COMPOSE, '/var/lib/marzban/xray_config.json': XRAY_CONFIG };
const rnd = (bytes: number) => randomBytes(bytes).toString('base64url');

export interface SecretsWorld {
  dir: string;
  inventory: string;
  /** The same fleet plus an unreachable server and two broken Outline servers (same .env and secrets file). */
  ghost: string;
  /** An inventory that does not validate, beside the same .env. */
  broken: string;
  database: string;
  env: NodeJS.ProcessEnv;
  secrets: KnownSecret[];
  /** Values weclick should never print, used by failure paths (wrong password, wrong tokens). */
  wrong: { mysqlPassword: string; cloudflareToken: string; telegramToken: string };
  recipient: string;
  identityFile: string;
  otherIdentityFile: string;
  cacheDir: string;
  outputDir: string;
  tg: TelegramStandin;
  cf: CloudflareStandin;
  outline: OutlineStandin;
  marzban: MarzbanApiStandin[];
  marzbanPort: number;
  pool: Pool;
  /** Fleet hosts the world's servers live on (their audit logs are sinks). */
  fleetHosts: string[];
  run(args: string[], options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult>;
  /** Secret strings now in weclick.secrets.yaml (commands add some: db grant, db rotate). */
  secretsFileValues(): KnownSecret[];
  close(): Promise<void>;
}

function inventoryYaml(world: { database: string; recipient: string; clientKey: string }, extra: string[] = []): string {
  const servers = SERVERS.map((s) => serverYaml(s.name, host(s.fleetHost).address, [...s.roles]));
  return `# The secrets-leak harness's fleet (test/reliability/secrets-world.ts)
fleet:
  domain: ${ZONE}
  ssh:
    user: root
    key: ${JSON.stringify(world.clientKey)}
    connectTimeout: 3
  mysql:
    database: ${world.database}
  telegram:
    chat: "${CHAT}"
  marzban:
    image: gozargah/marzban:v0.8.4
  backup:
    recipients:
      - ${world.recipient}
    keep: { last: 2, daily: 1, weekly: 0, monthly: 0 }
servers:
${[...servers, ...extra].join('')}`;
}

function serverYaml(name: string, address: string, roles: string[]): string {
  return `  - name: ${name}
    hostname: ${name}.${ZONE}
    ipv4: ${address}
    roles: [${roles.join(', ')}]
    provider: test-provider
    expires: 2030-01-01
    price: { monthly: 5, currency: EUR }
`;
}

async function newIdentity(): Promise<{ identity: string; recipient: string }> {
  const age = await import('age-encryption');
  const identity = await age.generateX25519Identity();
  return { identity, recipient: await age.identityToRecipient(identity) };
}

export async function secretsWorld(): Promise<SecretsWorld> {
  const f = fleet();
  const sfx = randomBytes(3).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'weclick-leak-'));
  const keysDir = mkdtempSync(join(tmpdir(), 'weclick-leak-keys-'));
  const cacheDir = join(dir, '.cache-home');
  const outputDir = join(dir, 'out');
  mkdirSync(cacheDir);
  mkdirSync(outputDir);
  const database = `wk_leak_${sfx}`;

  // Distinctive values with characters that make every encoding differ from the raw text (/ + = % &).
  const adminUser = `lk_${sfx}`;
  const adminPassword = `Lk7-${rnd(12)}/+%&=${rnd(6)}`;
  const cloudflareToken = `cf${rnd(29)}`;
  const telegramToken = `71${String(Date.now()).slice(-8)}:AA${rnd(25)}`;
  const wrong = { mysqlPassword: `Wr0ng-${rnd(12)}/+=`, cloudflareToken: `cfW${rnd(28)}`, telegramToken: `72${String(Date.now()).slice(-8)}:AA${rnd(25)}` };
  const main = await newIdentity();
  const inline = await newIdentity();
  const other = await newIdentity();
  const identityFile = join(keysDir, 'backup.key');
  writeFileSync(identityFile, `# public key: ${main.recipient}\n${main.identity}\n`, { mode: 0o600 });
  const otherIdentityFile = join(keysDir, 'other.key');
  writeFileSync(otherIdentityFile, `${other.identity}\n`, { mode: 0o600 });
  const accountPasswords = Object.fromEntries(ACCOUNTS.map((name) => [name, `Wk-${name}-${rnd(18)}`]));
  const rootPassword = `Root-${rnd(18)}`;
  const reality = realityKeyPair();
  const outlinePrefix = `olk${rnd(15)}`;

  // The MySQL admin account and database of this world: its own password, dropped at the end.
  const admin = createPool({ host: f.mysql.host, port: f.mysql.port, user: f.mysql.user, password: f.mysql.password, connectionLimit: 2 });
  await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [adminUser, '127.0.0.%', adminPassword]);
  await admin.query('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [adminUser, '127.0.0.%']);
  for (const name of ACCOUNTS) {
    const server = SERVERS.find((s) => s.name === name)!;
    // A leftover account from an interrupted run would keep its old password: start from a fresh one.
    await admin.query('DROP USER IF EXISTS ?@?', [`mz_${name}`, host(server.fleetHost).address]);
    await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [`mz_${name}`, host(server.fleetHost).address, accountPasswords[name]]);
  }

  const tg = await startTelegramStandin({ token: telegramToken, chats: [{ id: CHAT }], prefix: '/tg' });
  const cf = await startCloudflareStandin({ token: cloudflareToken, zones: [{ name: ZONE }] });
  cf.seed(ZONE, [{ type: 'TXT', name: 'hand-made', content: '"kept by hand"', comment: 'not weclick' }]);
  const pair = selfSignedPair('127.0.0.1');
  const outline = await startOutlineStandin({ host: '127.0.0.1', prefix: outlinePrefix, ...pair });
  const certSha256 = fingerprintOf(pair.cert);
  const closedPort = 9; // discard: nothing listens on loopback

  const common = { database, recipient: main.recipient, clientKey: f.clientKey };
  const inventory = join(dir, 'weclick.yaml');
  writeFileSync(inventory, inventoryYaml(common));
  const ghost = join(dir, 'ghost.yaml');
  writeFileSync(ghost, inventoryYaml(common, GHOSTS.map((g) => serverYaml(g.name, g.address, g.roles))));
  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, 'fleet:\n  domain: Not_A_Domain\nservers:\n  - name: "bad;name"\n    roles: [proxxy]\n');
  writeFileSync(join(dir, 'known_hosts'), readFileSync(f.knownHosts));

  // Ports of this world's own (the fleet's hosts share one network): Marzban's API, Xray and HAProxy's entry.
  const portBase = 18_000 + (Number.parseInt(sfx, 16) % 600) * 3;
  const marzbanPort = portBase;
  const xrayPort = portBase + 1;
  const envValues: Record<string, string> = {
    CLOUDFLARE_API_TOKEN: cloudflareToken,
    CLOUDFLARE_API_BASE_URL: cf.url,
    TELEGRAM_BOT_TOKEN: telegramToken,
    TELEGRAM_API_ROOT: tg.url,
    BACKUP_AGE_IDENTITY_FILE: identityFile,
    BACKUP_AGE_IDENTITY: inline.identity,
    MYSQL_ADMIN_USER: adminUser,
    MYSQL_ADMIN_PASSWORD: adminPassword,
    MYSQL_HOST: f.mysql.host,
    MYSQL_PORT: String(f.mysql.port),
    MYSQL_TLS: 'off',
    BACKUP_MYSQL_ADDRESS: `${f.mysql.host}:${f.mysql.port}`,
    MARZBAN_API_URL: `http://{ipv4}:${marzbanPort}`,
    WECLICK_XRAY_PORT: String(xrayPort),
    WECLICK_ENTRY_PORT: String(portBase + 2),
  };
  writeFileSync(join(dir, '.env'), `# secrets-leak harness\n${Object.entries(envValues).map(([k, v]) => `${k}="${v}"`).join('\n')}\n`, { mode: 0o600 });
  const account = (name: string) => {
    const server = SERVERS.find((s) => s.name === name)!;
    return { user: `mz_${name}`, host: host(server.fleetHost).address, password: accountPasswords[name], setAt: new Date().toISOString() };
  };
  const secretsFile = join(dir, 'weclick.secrets.yaml');
  const outlineEntry = (port: number, fingerprint: string) => ({ apiUrl: `https://127.0.0.1:${port}/${outlinePrefix}`, certSha256: fingerprint });
  const outlinePort = Number(new URL(outline.apiUrl).port);
  writeFileSync(
    secretsFile,
    `# secrets-leak harness\n${JSON.stringify({
      mysql: { accounts: Object.fromEntries(ACCOUNTS.map((n) => [n, account(n)])), root: { password: rootPassword } },
      xray: { reality: { privateKey: reality.privateKey, shortIds: ['a1b2c3d4', 'a1b2c3d4e5f60718'] } },
      outline: { lkol: outlineEntry(outlinePort, certSha256), lkol2: outlineEntry(outlinePort, 'AB'.repeat(32)), lkol3: outlineEntry(closedPort, certSha256) },
    }, null, 2)}\n`,
    { mode: 0o600 },
  );

  const env: NodeJS.ProcessEnv = {
    // Settings come from the .env only; nothing from the developer's shell.
    ...Object.fromEntries(Object.keys(envValues).map((k) => [k, ''])),
    WECLICK_INVENTORY: '',
    WECLICK_KNOWN_HOSTS: '',
    DEBUG: '',
    XDG_CACHE_HOME: cacheDir,
    WECLICK_NAMESPACE_TEST_HOSTS: '1',
  };
  const run = async (args: string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) => {
    // Other developers rebuild dist/ in this shared checkout: a run that started while it was being rewritten
    // fails to load its own modules before doing anything, and is run again (only that failure, a few times).
    for (let attempt = 1; ; attempt++) {
      const result = await weclick(args, { cwd: dir, env: { ...env, ...o.env }, timeoutMs: o.timeoutMs ?? 120_000 });
      if (!distMissing(result) || attempt === 5) return result;
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  };

  const migrated = await run(['db', 'migrate', '-i', inventory]);
  if (migrated.code !== 0) throw new Error(`db migrate failed (${migrated.code}): ${migrated.stderr}`);
  const pool = createPool({ host: f.mysql.host, port: f.mysql.port, user: f.mysql.user, password: f.mysql.password, database, timezone: 'Z', connectionLimit: 3 });
  const [jwt] = (await pool.query('SELECT secret_key FROM jwt'))[0] as Array<{ secret_key: string }>;
  // weclick grants what each account needs; the password it keeps is the one already in the secrets file.
  for (const name of ACCOUNTS) {
    const granted = await run(['db', 'grant', name, '-i', inventory]);
    if (granted.code !== 0) throw new Error(`db grant ${name} failed (${granted.code}): ${granted.stderr}`);
  }

  const marzban: MarzbanApiStandin[] = [];
  // Each worker's Xray inbound, as the entry point must reach it before HAProxy may send users there.
  const backends: Backend[] = [];
  for (const s of SERVERS.filter((x) => x.roles.includes('marzban' as never))) {
    const api = new MarzbanApiStandin(host(s.fleetHost).address, marzbanPort, pool);
    await api.start();
    marzban.push(api);
    backends.push(await startBackend(s.name, host(s.fleetHost).address, xrayPort));
  }
  // Marzban's files on the management server, which every backup carries.
  const management = SERVERS[0].fleetHost;
  for (const [path, content] of Object.entries(MARZBAN_FILES)) onHost(management, `mkdir -p "$(dirname '${path}')" && umask 077 && cat > '${path}'`, content);
  const provisioned = await openHost(PROVISIONED.fleetHost);
  await resetProvisionedHost(provisioned);
  await installDockerStandin(provisioned);

  const secrets: KnownSecret[] = [
    { name: '.env MYSQL_ADMIN_PASSWORD', value: adminPassword },
    { name: '.env CLOUDFLARE_API_TOKEN', value: cloudflareToken },
    { name: '.env TELEGRAM_BOT_TOKEN', value: telegramToken, core: telegramToken.split(':')[1] },
    { name: 'identity file (BACKUP_AGE_IDENTITY_FILE)', value: main.identity, core: main.identity.slice('AGE-SECRET-KEY-1'.length) },
    { name: '.env BACKUP_AGE_IDENTITY', value: inline.identity, core: inline.identity.slice('AGE-SECRET-KEY-1'.length) },
    { name: '--identity file (wrong key)', value: other.identity, core: other.identity.slice('AGE-SECRET-KEY-1'.length) },
    ...ACCOUNTS.map((n) => ({ name: `secrets file mysql.accounts.${n}.password`, value: accountPasswords[n]! })),
    { name: 'secrets file mysql.root.password', value: rootPassword },
    { name: 'secrets file xray.reality.privateKey', value: reality.privateKey },
    { name: 'secrets file outline apiUrl secret path', value: outlinePrefix },
    { name: 'Marzban jwt.secret_key (database)', value: jwt!.secret_key },
    { name: 'wrong MYSQL_ADMIN_PASSWORD (env)', value: wrong.mysqlPassword },
    { name: 'wrong CLOUDFLARE_API_TOKEN (env)', value: wrong.cloudflareToken },
    { name: 'wrong TELEGRAM_BOT_TOKEN (env)', value: wrong.telegramToken, core: wrong.telegramToken.split(':')[1] },
  ];

  return {
    dir,
    inventory,
    ghost,
    broken,
    database,
    env,
    secrets,
    wrong,
    recipient: main.recipient,
    identityFile,
    otherIdentityFile,
    cacheDir,
    outputDir,
    tg,
    cf,
    outline,
    marzban,
    marzbanPort,
    pool,
    fleetHosts: SERVERS.map((s) => s.fleetHost),
    run,
    secretsFileValues() {
      const data = parse(readFileSync(secretsFile, 'utf8')) as { mysql?: { accounts?: Record<string, { password?: string }> } };
      return Object.entries(data.mysql?.accounts ?? {}).flatMap(([name, a]) => (a?.password ? [{ name: `secrets file mysql.accounts.${name}.password`, value: a.password }] : []));
    },
    async close() {
      for (const api of marzban) await api.stop().catch(() => undefined);
      for (const backend of backends) await backend.close().catch(() => undefined);
      await Promise.all([tg.close(), cf.close(), outline.close()].map((p) => p.catch(() => undefined)));
      try {
        onHost(management, 'rm -rf /opt/marzban /var/lib/marzban');
      } catch {
        // the host is gone: nothing to put back
      }
      await resetProvisionedHost(provisioned).catch(() => undefined);
      provisioned.close();
      await pool.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
      await pool.end().catch(() => undefined);
      const [users] = (await admin.query("SELECT User AS user, Host AS host FROM mysql.user WHERE User = ? OR User LIKE 'mz\\_lk%'", [adminUser]).catch(() => [[]])) as unknown as [Array<{ user: string; host: string }>];
      for (const u of users) if (u.user === adminUser || SERVERS.some((s) => `mz_${s.name}` === u.user)) await admin.query('DROP USER IF EXISTS ?@?', [u.user, u.host]).catch(() => undefined);
      await admin.query(`SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?`, [`${database}%`]).then(async ([rows]) => {
        for (const r of rows as Array<{ s: string }>) await admin.query(`DROP DATABASE IF EXISTS \`${r.s}\``);
      }).catch(() => undefined);
      await admin.end().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
}

/** Files under `dir` (recursively) changed since `since` (ms), except the secret stores themselves. */
export function changedFiles(dir: string, since: number, skip: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (skip.includes(path)) continue;
      const info = statSync(path, { throwIfNoEntry: false });
      if (!info) continue;
      if (info.isDirectory()) walk(path);
      else if (info.isFile() && info.mtimeMs >= since && info.size < 8 * 1024 * 1024) out.push(path);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** A host's audit log and lock details, as the host wrote them (read from outside, through its overlay). */
export function hostSinks(fleetHost: string): { audit: string; lock: string } {
  return { audit: hostFile(fleetHost, AUDIT_LOG) ?? '', lock: hostFile(fleetHost, LOCK_DETAILS) ?? '' };
}
