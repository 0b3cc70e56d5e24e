// The pure checks of `weclick doctor --security`, on fixture facts; and the facts layer on real temp folders
// (file modes, an age identity, a real git repository).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Check } from '../../../src/doctor/checks.js';
import { gatherSecurityFacts, gitFacts } from '../../../src/doctor/security-facts.js';
import {
  backupKeyChecks,
  debugChecks,
  findSecretsInText,
  gitChecks,
  knownHostsChecks,
  plainHttpOverNetwork,
  privateFileCheck,
  secretFileChecks,
  securityChecks,
  transportChecks,
  type SecurityFacts,
} from '../../../src/doctor/security.js';
import { loadInventory, parseInventory } from '../../../src/inventory/load.js';
import type { Inventory } from '../../../src/inventory/schema.js';
import { knownHostsLine, parseKnownHosts } from '../../../src/remote/known-hosts.js';
import { loadEnvFile } from '../../../src/secrets/env-file.js';

const base = mkdtempSync(join(tmpdir(), 'weclick-security-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const KEY_A = 'AAAAC3NzaC1lZDI1NTE5AAAAICQTu45LFaU6ZQAGIregvDuPFh/wSbDQFE1Iclf82LHH';
const KEY_B = 'AAAAC3NzaC1lZDI1NTE5AAAAIMSNFusS1e+egppzK3l3RzvKTFguy4E+vMC8zsaNLpAE';
const RECIPIENT = `age1${'q'.repeat(58)}`;

function inventory(extra = '', servers = ['srv1 198.51.100.21', 'srv2 198.51.100.22']): Inventory {
  const text = `fleet:
  domain: weclick.tech
${extra}servers:
${servers
  .map((line) => {
    const [name, ip, ...rest] = line.split(' ');
    return `  - { name: ${name}, hostname: ${name}.weclick.tech, ipv4: ${ip}, roles: [marzban], provider: p, expires: 2030-01-01${rest.join(' ')} }`;
  })
  .join('\n')}
`;
  const loaded = parseInventory(text, 'weclick.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.inventory;
}

/** Facts of a setup with nothing wrong; each test breaks one thing. */
function facts(overrides: Partial<SecurityFacts> = {}): SecurityFacts {
  return {
    inventoryFile: '/fleet/weclick.yaml',
    inventoryText: 'fleet:\n  domain: weclick.tech\n',
    inventory: inventory(`  backup:\n    recipients: [${RECIPIENT}]\n`),
    envFile: { path: '/fleet/.env', exists: true, mode: 0o600 },
    secretsFile: { path: '/fleet/weclick.secrets.yaml', exists: true, mode: 0o600 },
    knownHostsFile: { path: '/fleet/known_hosts', exists: true, mode: 0o644 },
    knownHosts: parseKnownHosts(`198.51.100.21 ssh-ed25519 ${KEY_A}\nsrv2.weclick.tech ssh-ed25519 ${KEY_B}\n`, '/fleet/known_hosts').entries,
    identity: { source: 'none', recipients: [] },
    strayIdentities: [],
    sshKeys: [{ path: '/home/op/.ssh/id_ed25519', exists: true, mode: 0o600 }],
    sshAgent: false,
    secretValues: [],
    settings: { mysqlConfigured: false },
    ...overrides,
  };
}

const statuses = (checks: Check[]) => checks.map((c) => `${c.area}: ${c.status}`);
const failed = (checks: Check[]) => checks.filter((c) => c.status === 'fail');
const text = (checks: Check[]) => checks.map((c) => `${c.detail} ${c.fix ?? ''}`).join('\n');

describe('the whole set', () => {
  it('a clean setup: every check ok', () => {
    const checks = securityChecks(facts());
    expect(checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(new Set(checks.map((c) => c.area))).toEqual(new Set(['secret file', 'inventory secrets', 'host keys', 'backup keys', 'ssh key', 'git', 'debug']));
  });
});

describe('secret file modes', () => {
  it('0600 and stricter are ok; any group or other bit fails with chmod 600 as the fix', () => {
    for (const mode of [0o600, 0o400]) expect(privateFileCheck('f', { path: '/x', exists: true, mode })[0]!.status).toBe('ok');
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      expect(privateFileCheck('f', { path: '/x', exists: true, mode })).toEqual([
        { area: 'f', status: 'fail', detail: `/x is readable by group or others (mode 0${mode.toString(8)}); weclick refuses to read it`, fix: 'chmod 600 /x' },
      ]);
    }
  });

  it('.env and weclick.secrets.yaml: too open fails; no .env warns; no secrets file is fine; a symlinked one fails', () => {
    expect(failed(secretFileChecks(facts({ envFile: { path: '/fleet/.env', exists: true, mode: 0o644 } })))[0]).toMatchObject({ fix: 'chmod 600 /fleet/.env' });
    expect(failed(secretFileChecks(facts({ secretsFile: { path: '/fleet/weclick.secrets.yaml', exists: true, mode: 0o640 } })))[0]).toMatchObject({ fix: 'chmod 600 /fleet/weclick.secrets.yaml' });
    expect(statuses(secretFileChecks(facts({ envFile: { path: '/fleet/.env', exists: false } })))).toEqual(['secret file: warn', 'secret file: ok']);
    expect(statuses(secretFileChecks(facts({ secretsFile: { path: '/fleet/weclick.secrets.yaml', exists: false } })))).toEqual(['secret file: ok']);
    expect(failed(secretFileChecks(facts({ secretsFile: { path: '/fleet/weclick.secrets.yaml', exists: true, mode: 0o600, symlink: true } })))[0]!.detail).toContain('symlink');
  });

  it('a known_hosts others may write fails: they could pin their own keys', () => {
    const checks = secretFileChecks(facts({ knownHostsFile: { path: '/fleet/known_hosts', exists: true, mode: 0o666 } }));
    expect(failed(checks)).toEqual([expect.objectContaining({ area: 'known_hosts', fix: 'chmod 644 /fleet/known_hosts' })]);
  });
});

describe('secrets written into the inventory', () => {
  const example = readFileSync(new URL('../../../inventory.example.yaml', import.meta.url), 'utf8');

  it('the example inventory and ordinary comments about secrets are clean', () => {
    expect(findSecretsInText(example, [])).toEqual([]);
    expect(findSecretsInText('# passwords live in .env\n# token: see .env.example\nnotes: "rotate the token monthly"\n', [])).toEqual([]);
  });

  it('finds a value from .env or the secrets file anywhere, by name and line, never printing it', () => {
    const value = 'Zq8-very-secret-value';
    const findings = findSecretsInText(`fleet:\n  domain: weclick.tech\nservers: []\n# old mysql: ${value}\n`, [{ name: 'MYSQL_ADMIN_PASSWORD', value }]);
    expect(findings).toEqual([{ line: 4, what: 'the value of MYSQL_ADMIN_PASSWORD' }]);
    const checks = securityChecks(facts({ inventoryText: `notes: ${value}\n`, secretValues: [{ name: 'MYSQL_ADMIN_PASSWORD', value }] }));
    expect(failed(checks)).toEqual([expect.objectContaining({ area: 'inventory secrets', detail: '/fleet/weclick.yaml:1 holds the value of MYSQL_ADMIN_PASSWORD' })]);
    expect(text(checks)).not.toContain(value);
  });

  it('finds what is shaped like a secret: an age identity, a private key, a bot token, a URL password, key: value', () => {
    const lines = [
      `    notes: AGE-SECRET-KEY-1${'Q'.repeat(58)}`,
      '# -----BEGIN OPENSSH PRIVATE KEY-----',
      '    labels: { bot: "7000000001:AAE-abcdefghijklmnopqrstuvwxyz0123456" }',
      '  mysql: { dsn: "mysql://admin:hunter22@db:3306/marzban" }',
      '    labels: { api_token: abc123def456 }',
      '# password: Sup3r',
    ];
    expect(findSecretsInText(lines.join('\n'), []).map((f) => `${f.line} ${f.what}`)).toEqual([
      '1 an age identity (AGE-SECRET-KEY-1…)',
      '2 a private key block',
      '3 a Telegram bot token',
      '4 a URL with a password',
      '5 a value under a secret-looking key',
      '6 a value under a secret-looking key',
    ]);
  });

  it('short values (under 8 characters) are not looked for: too many false alarms', () => {
    expect(findSecretsInText('servers: []\n', [{ name: 'MYSQL_PORT', value: 'ers' }])).toEqual([]);
  });
});

describe('host keys pinned for every server', () => {
  it('pinned by address or by hostname is ok', () => {
    expect(statuses(knownHostsChecks(facts()))).toEqual(['host keys: ok']);
  });

  it('a server with no line fails, naming it and `weclick hosts trust`', () => {
    const checks = knownHostsChecks(facts({ knownHosts: parseKnownHosts(`198.51.100.21 ssh-ed25519 ${KEY_A}\n`, 'kh').entries }));
    expect(failed(checks)).toEqual([expect.objectContaining({ detail: expect.stringContaining('no pinned host key for srv2'), fix: expect.stringContaining('weclick hosts trust srv2') })]);
    const none = knownHostsChecks(facts({ knownHosts: [] }));
    expect(failed(none)[0]!.fix).toContain('weclick hosts trust --all');
  });

  it('a non-standard SSH port needs the [host]:port line; hashed lines count; @revoked lines do not; retired servers are skipped', () => {
    const inv = inventory('', ['srv1 198.51.100.21 , ssh: { port: 2222 }', 'srv2 198.51.100.22', 'old 198.51.100.23 , state: retired']);
    const check = (lines: string) => knownHostsChecks(facts({ inventory: inv, knownHosts: parseKnownHosts(lines, 'kh').entries }));
    const srv2 = `198.51.100.22 ssh-ed25519 ${KEY_B}\n`;
    expect(failed(check(`198.51.100.21 ssh-ed25519 ${KEY_A}\n${srv2}`))[0]!.detail).toContain('for srv1 ');
    expect(statuses(check(`[198.51.100.21]:2222 ssh-ed25519 ${KEY_A}\n${srv2}`))).toEqual(['host keys: ok']);
    const hashed = knownHostsLine('198.51.100.21', 2222, 'ssh-ed25519', Buffer.from(KEY_A, 'base64'), { hash: true });
    expect(statuses(check(`${hashed}\n${srv2}`))).toEqual(['host keys: ok']);
    expect(failed(check(`@revoked [198.51.100.21]:2222 ssh-ed25519 ${KEY_A}\n${srv2}`))).toHaveLength(1);
  });

  it('a server matched only by a wildcard line warns: one key for many hosts', () => {
    const checks = knownHostsChecks(facts({ knownHosts: parseKnownHosts(`*.weclick.tech,198.51.100.* ssh-ed25519 ${KEY_A}\n`, 'kh').entries }));
    expect(statuses(checks)).toEqual(['host keys: warn']);
    expect(checks[0]!.detail).toContain('srv1, srv2');
  });

  it('not checked (a warning) when the inventory is invalid', () => {
    expect(statuses(knownHostsChecks(facts({ inventory: undefined })))).toEqual(['host keys: warn']);
  });
});

describe('backup keys', () => {
  const file = (path: string, mode = 0o600) => ({ path, exists: true, mode });

  it('no recipients warns, with how to make a pair', () => {
    const checks = backupKeyChecks(facts({ inventory: inventory() }));
    expect(checks[0]).toMatchObject({ status: 'warn', fix: expect.stringContaining('weclick backup keygen') });
  });

  it('an identity file: too open fails; beside the inventory warns; elsewhere at 0600 is ok', () => {
    expect(failed(backupKeyChecks(facts({ identity: { source: 'file', file: file('/home/op/backup.key', 0o644), recipients: [RECIPIENT] } })))[0]).toMatchObject({ fix: 'chmod 600 /home/op/backup.key' });
    const beside = backupKeyChecks(facts({ identity: { source: 'file', file: file('/fleet/keys/backup.key'), recipients: [RECIPIENT] } }));
    expect(beside.find((c) => c.status === 'warn')!.detail).toContain('sits beside the inventory, unencrypted');
    expect(statuses(backupKeyChecks(facts({ identity: { source: 'file', file: file('/home/op/backup.key'), recipients: [RECIPIENT] } })))).toEqual(['backup keys: ok', 'backup keys: ok']);
  });

  it('a configured identity file that does not exist fails', () => {
    expect(failed(backupKeyChecks(facts({ identity: { source: 'file', file: { path: '/gone.key', exists: false }, recipients: [] } })))[0]!.detail).toContain('/gone.key, which does not exist');
  });

  it('an identity that is not among the recipients fails: it cannot decrypt new backups', () => {
    const other = `age1${'p'.repeat(58)}`;
    const checks = backupKeyChecks(facts({ identity: { source: 'file', file: file('/home/op/backup.key'), recipients: [other] } }));
    expect(failed(checks)[0]!.detail).toBe(`the age identity configured here (public key ${other}) is not among fleet.backup.recipients: it cannot decrypt new backups`);
  });

  it('BACKUP_AGE_IDENTITY inline warns; stray identity files beside the inventory warn (and fail when too open)', () => {
    expect(backupKeyChecks(facts({ identity: { source: 'inline', recipients: [RECIPIENT] } })).map((c) => c.status)).toEqual(['ok', 'warn']);
    const stray = backupKeyChecks(facts({ strayIdentities: [file('/fleet/old.key', 0o644)] }));
    expect(statuses(stray)).toEqual(['backup keys: ok', 'backup keys: warn', 'backup keys: fail']);
  });
});

describe('SSH keys, git, DEBUG, transport', () => {
  it('SSH key files: too open or missing fail; none configured is ok with an agent, a warning without', () => {
    expect(failed(securityChecks(facts({ sshKeys: [{ path: '/k', exists: true, mode: 0o644 }] })))[0]).toMatchObject({ area: 'ssh key', fix: 'chmod 600 /k' });
    expect(failed(securityChecks(facts({ sshKeys: [{ path: '/k', exists: false }] })))[0]!.detail).toBe('/k not found');
    expect(statuses(securityChecks(facts({ sshKeys: [], sshAgent: true })).filter((c) => c.area === 'ssh key'))).toEqual(['ssh key: ok']);
    expect(statuses(securityChecks(facts({ sshKeys: [], sshAgent: false })).filter((c) => c.area === 'ssh key'))).toEqual(['ssh key: warn']);
  });

  it('git: a tracked secret file fails (git rm --cached, rotate); one not ignored warns; ignored ones are ok', () => {
    const git = { root: '/fleet', checked: 2, tracked: ['/fleet/.env'], notIgnored: ['/fleet/.env', '/fleet/weclick.secrets.yaml'] };
    const checks = gitChecks(facts({ git }));
    expect(statuses(checks)).toEqual(['git: fail', 'git: warn']);
    expect(checks[0]!.fix).toBe('git rm --cached /fleet/.env, add it to .gitignore, and rotate every secret it held');
    expect(checks[1]!.fix).toBe('add weclick.secrets.yaml to .gitignore');
    expect(statuses(gitChecks(facts({ git: { root: '/fleet', checked: 2, tracked: [], notIgnored: [] } })))).toEqual(['git: ok']);
    expect(statuses(gitChecks(facts()))).toEqual(['git: ok']);
  });

  it('DEBUG set warns', () => {
    expect(debugChecks(undefined)).toEqual([{ area: 'debug', status: 'ok', detail: 'DEBUG is not set' }]);
    expect(debugChecks('*')[0]).toMatchObject({ status: 'warn', fix: 'unset DEBUG' });
  });

  it('MySQL TLS: loopback ok; verify ok; required and off warn for a remote server', () => {
    const mysql = (mysqlHost: string, mysqlTls?: string) => statuses(transportChecks(facts({ settings: { mysqlConfigured: true, mysqlHost, ...(mysqlTls ? { mysqlTls } : {}) } })));
    expect(mysql('127.0.0.1')).toEqual(['mysql tls: ok']);
    expect(mysql('db.weclick.tech', 'verify')).toEqual(['mysql tls: ok']);
    expect(mysql('db.weclick.tech', 'required')).toEqual(['mysql tls: warn']);
    expect(mysql('db.weclick.tech')).toEqual(['mysql tls: warn']);
    expect(transportChecks(facts({ settings: { mysqlConfigured: false, mysqlHost: 'db.weclick.tech' } }))).toEqual([]);
  });

  it('API roots over plain http to a remote host fail (the token would travel unencrypted); loopback and https pass', () => {
    expect(plainHttpOverNetwork('http://203.0.113.5/bot-api')).toBe(true);
    expect(plainHttpOverNetwork('http://127.0.0.1:8081/')).toBe(false);
    expect(plainHttpOverNetwork('http://localhost/')).toBe(false);
    expect(plainHttpOverNetwork('https://api.cloudflare.com/client/v4')).toBe(false);
    expect(plainHttpOverNetwork('not a url')).toBe(false);
    const checks = transportChecks(facts({ settings: { mysqlConfigured: false, telegramApiRoot: 'http://203.0.113.5/', cloudflareBaseUrl: 'https://api.cloudflare.com/client/v4' } }));
    expect(checks).toEqual([expect.objectContaining({ area: 'api transport', status: 'fail', fix: 'use https:// in TELEGRAM_API_ROOT' })]);
  });
});

describe('gathering the facts from a real folder', () => {
  let n = 0;
  function folder(): string {
    const dir = join(base, `setup-${++n}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'weclick.yaml'), 'fleet:\n  domain: weclick.tech\nservers: []\n');
    return dir;
  }

  it('file modes, an identity beside the inventory (with its public key), secret values, and no git', async () => {
    const age = await import('age-encryption');
    const identity = await age.generateX25519Identity();
    const dir = folder();
    writeFileSync(join(dir, '.env'), 'MYSQL_ADMIN_PASSWORD=Pw-0123456789\nBACKUP_AGE_IDENTITY_FILE=backup.key\n', { mode: 0o644 });
    writeFileSync(join(dir, 'backup.key'), `${identity}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'old.key'), `# public key: x\n${identity}\n`, { mode: 0o644 });
    writeFileSync(join(dir, 'weclick.secrets.yaml'), 'mysql:\n  accounts:\n    srv1: { user: mz_srv1, host: 198.51.100.21, password: Acc-9876543210 }\n', { mode: 0o600 });
    const file = join(dir, 'weclick.yaml');
    const got = await gatherSecurityFacts(await loadInventory(file), await loadEnvFile(file, { allowOpen: true }), { PATH: process.env.PATH });
    expect(got.envFile).toEqual({ path: join(dir, '.env'), exists: true, mode: 0o644 });
    expect(got.identity).toEqual({ source: 'file', file: { path: join(dir, 'backup.key'), exists: true, mode: 0o600 }, recipients: [await age.identityToRecipient(identity)] });
    expect(got.strayIdentities).toEqual([{ path: join(dir, 'old.key'), exists: true, mode: 0o644 }]);
    expect(got.secretValues).toEqual([
      { name: 'MYSQL_ADMIN_PASSWORD', value: 'Pw-0123456789' },
      { name: 'weclick.secrets.yaml mysql.accounts.srv1.password', value: 'Acc-9876543210' },
    ]);
    expect(got.git).toBeUndefined();
    const checks = securityChecks(got);
    expect(failed(checks).map((c) => c.fix)).toEqual([`chmod 600 ${join(dir, '.env')}`, `chmod 600 ${join(dir, 'old.key')}`]);
    expect(text(checks)).not.toContain(identity);
    expect(text(checks)).not.toContain('Pw-0123456789');
  });

  it('the identity BACKUP_AGE_IDENTITY_FILE names (relative to the inventory) is not also reported as a stray one', async () => {
    const age = await import('age-encryption');
    const dir = folder();
    writeFileSync(join(dir, '.env'), 'BACKUP_AGE_IDENTITY_FILE=backup.key\n', { mode: 0o600 });
    writeFileSync(join(dir, 'backup.key'), `${await age.generateX25519Identity()}\n`, { mode: 0o600 });
    const file = relative(process.cwd(), join(dir, 'weclick.yaml'));
    const got = await gatherSecurityFacts(await loadInventory(file), await loadEnvFile(file), {});
    expect(got.identity.file).toEqual({ path: join(dir, 'backup.key'), exists: true, mode: 0o600 });
    expect(got.strayIdentities).toEqual([]);
  });

  it('git: a tracked .env, an unignored secrets file, an ignored identity (a real repository)', async () => {
    const dir = folder();
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...args], { cwd: dir, stdio: 'pipe' });
    git('init', '-q', '.');
    writeFileSync(join(dir, '.gitignore'), 'backup.key\n');
    for (const name of ['.env', 'weclick.secrets.yaml', 'backup.key']) writeFileSync(join(dir, name), 'x\n', { mode: 0o600 });
    git('add', '.env', '.gitignore');
    git('commit', '-q', '-m', 'oops');
    const found = await gitFacts(dir, [join(dir, '.env'), join(dir, 'weclick.secrets.yaml'), join(dir, 'backup.key')]);
    expect(found).toMatchObject({ checked: 3, tracked: [join(dir, '.env')], notIgnored: [join(dir, 'weclick.secrets.yaml')] });
    expect(await gitFacts(folder(), [])).toBeUndefined();
    chmodSync(join(dir, '.env'), 0o600);
  });
});
