// `weclick doctor --security`: the security properties of the operator's own setup, as pure checks over facts
// gathered by security-facts.ts (file modes, the inventory's text, known_hosts, git, settings). No check ever
// puts a secret's value in its detail: only names, paths, modes and line numbers.
import { dirname, relative, isAbsolute } from 'node:path';
import type { Inventory } from '../inventory/schema.js';
import { hostPatternMatches, type KnownHostEntry } from '../remote/known-hosts.js';
import { modeString, tooOpen } from '../secrets/file-mode.js';
import type { Check } from './checks.js';

export interface FileFact {
  path: string;
  exists: boolean;
  /** Permission bits of the file (a symlink: of its target). */
  mode?: number;
  symlink?: boolean;
}

export interface IdentityFacts {
  /** Where restore would take the age identity from on this machine. */
  source: 'file' | 'inline' | 'none';
  file?: FileFact;
  /** Public keys of the identities found (age1…); empty when none could be read. */
  recipients: string[];
}

export interface GitFacts {
  /** The work tree holding the inventory; absent when the inventory is not in a git repository. */
  root: string;
  /** How many secret files lie inside the work tree. */
  checked: number;
  /** Secret files git tracks (committed or staged). */
  tracked: string[];
  /** Secret files inside the work tree that git does not ignore. */
  notIgnored: string[];
}

export interface SecurityFacts {
  inventoryFile: string;
  /** The inventory's raw text (absent when unreadable). */
  inventoryText?: string;
  /** The validated inventory, when it is valid. */
  inventory?: Inventory;
  envFile: FileFact;
  secretsFile: FileFact;
  knownHostsFile: FileFact;
  knownHosts: KnownHostEntry[];
  identity: IdentityFacts;
  /** Files beside the inventory (not the configured identity) holding an age identity. */
  strayIdentities: FileFact[];
  sshKeys: FileFact[];
  sshAgent: boolean;
  git?: GitFacts;
  /** Secret values from .env, the environment and weclick.secrets.yaml, to look for in the inventory. */
  secretValues: Array<{ name: string; value: string }>;
  settings: {
    debug?: string;
    mysqlConfigured: boolean;
    mysqlHost?: string;
    mysqlTls?: string;
    cloudflareBaseUrl?: string;
    telegramApiRoot?: string;
  };
}

const ok = (area: string, detail: string): Check => ({ area, status: 'ok', detail });
const warn = (area: string, detail: string, fix?: string): Check => ({ area, status: 'warn', detail, ...(fix ? { fix } : {}) });
const fail = (area: string, detail: string, fix?: string): Check => ({ area, status: 'fail', detail, ...(fix ? { fix } : {}) });

export function securityChecks(facts: SecurityFacts): Check[] {
  return [
    ...secretFileChecks(facts),
    ...inventorySecretChecks(facts),
    ...knownHostsChecks(facts),
    ...backupKeyChecks(facts),
    ...sshKeyChecks(facts),
    ...gitChecks(facts),
    ...debugChecks(facts.settings.debug),
    ...transportChecks(facts),
  ];
}

/** One file that must be private: 0600 or stricter, a regular file. */
export function privateFileCheck(area: string, file: FileFact, missing?: Check): Check[] {
  if (!file.exists) return missing ? [missing] : [];
  if (file.mode !== undefined && tooOpen(file.mode)) return [fail(area, `${file.path} is readable by group or others (mode ${modeString(file.mode)}); weclick refuses to read it`, `chmod 600 ${file.path}`)];
  return [ok(area, `${file.path} mode ${modeString(file.mode ?? 0o600)}`)];
}

export function secretFileChecks(facts: SecurityFacts): Check[] {
  const checks = privateFileCheck('secret file', facts.envFile, warn('secret file', `${facts.envFile.path} not found; secrets come from the environment only`, 'weclick init, or copy .env.example to .env and chmod 600 .env'));
  if (facts.secretsFile.symlink) checks.push(fail('secret file', `${facts.secretsFile.path} is a symlink; weclick refuses to read secrets through one`, `replace it with the file itself (mode 600)`));
  else checks.push(...privateFileCheck('secret file', facts.secretsFile));
  if (facts.knownHostsFile.exists && facts.knownHostsFile.mode !== undefined && (facts.knownHostsFile.mode & 0o022) !== 0) {
    checks.push(fail('known_hosts', `${facts.knownHostsFile.path} is writable by group or others (mode ${modeString(facts.knownHostsFile.mode)}): anyone who can write it can pin their own host keys`, `chmod 644 ${facts.knownHostsFile.path}`));
  }
  return checks;
}

export interface SecretFinding {
  line: number;
  what: string;
}

const SECRET_PATTERNS: Array<{ what: string; pattern: RegExp }> = [
  { what: 'an age identity (AGE-SECRET-KEY-1…)', pattern: /AGE-SECRET-KEY-1[0-9A-Z]{20,}/ },
  { what: 'a private key block', pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/ },
  { what: 'a Telegram bot token', pattern: /\b\d{6,12}:AA[A-Za-z0-9_-]{30,}/ },
  { what: 'a URL with a password', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:[^\s@/]+@/i },
  // A key that names a secret, with a value: `password: x`, `api_token = x` (also inside comments and labels).
  { what: 'a value under a secret-looking key', pattern: /(?:^|[\s{,#-])["']?[A-Za-z0-9_-]*(?:password|passwd|secret|token|api[_-]?key|private[_-]?key)["']?\s*[:=]\s*["']?[^\s"',}]{4,}/i },
];

/**
 * Where the inventory text holds a secret: a value from .env or the secrets file, or something shaped like a
 * secret. Returns line numbers and what was found, never the value.
 */
export function findSecretsInText(text: string, secretValues: Array<{ name: string; value: string }>): SecretFinding[] {
  const findings: SecretFinding[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const known = secretValues.find((s) => s.value.length >= 8 && line.includes(s.value));
    if (known) findings.push({ line: index + 1, what: `the value of ${known.name}` });
    else {
      const shaped = SECRET_PATTERNS.find((p) => p.pattern.test(line));
      if (shaped) findings.push({ line: index + 1, what: shaped.what });
    }
  });
  return findings;
}

export function inventorySecretChecks(facts: SecurityFacts): Check[] {
  if (facts.inventoryText === undefined) return [warn('inventory secrets', `${facts.inventoryFile} could not be read; not checked`)];
  const findings = findSecretsInText(facts.inventoryText, facts.secretValues);
  if (findings.length === 0) return [ok('inventory secrets', `${facts.inventoryFile} holds no secret values (they belong in .env)`)];
  return findings.map((f) =>
    fail('inventory secrets', `${facts.inventoryFile}:${f.line} holds ${f.what}`, 'move it to .env (mode 600; names in .env.example) and rotate it: the inventory is meant to be shared and committed'),
  );
}

const isWildcard = (entry: KnownHostEntry) => entry.names.kind === 'patterns' && entry.names.patterns.some((p) => !p.negated && /[*?]/.test(p.pattern));

export function knownHostsChecks(facts: SecurityFacts): Check[] {
  const inventory = facts.inventory;
  if (!inventory) return [warn('host keys', 'not checked: the inventory is invalid', `weclick inventory check -i ${facts.inventoryFile}`)];
  const plain = facts.knownHosts.filter((e) => e.marker === null);
  const unpinned: string[] = [];
  const wildcardOnly: string[] = [];
  const servers = inventory.servers.filter((s) => s.state !== 'retired');
  for (const server of servers) {
    const port = server.ssh?.port ?? inventory.fleet.ssh.port ?? 22;
    const matching = plain.filter((e) => hostPatternMatches(e, server.ipv4, port) || hostPatternMatches(e, server.hostname, port));
    if (matching.length === 0) unpinned.push(server.name);
    else if (matching.every(isWildcard)) wildcardOnly.push(server.name);
  }
  const checks: Check[] = [];
  if (unpinned.length > 0) {
    const trust = unpinned.length === 1 ? `weclick hosts trust ${unpinned[0]}` : 'weclick hosts trust --all';
    checks.push(fail('host keys', `no pinned host key for ${unpinned.join(', ')} in ${facts.knownHostsFile.path} or ~/.ssh/known_hosts: weclick will refuse to connect`, `${trust} (compare each fingerprint with the provider's console first)`));
  }
  if (wildcardOnly.length > 0) {
    checks.push(warn('host keys', `${wildcardOnly.join(', ')} only match a wildcard known_hosts line: one key vouches for many hosts`, `weclick hosts trust ${wildcardOnly[0]} (one line per server)`));
  }
  if (checks.length === 0) checks.push(ok('host keys', servers.length === 0 ? 'no servers in the inventory' : `every server's host key is pinned (${servers.length} server(s))`));
  return checks;
}

/** True when `file` is in `dir` or below it. */
export function isInside(file: string, dir: string): boolean {
  const rel = relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export function backupKeyChecks(facts: SecurityFacts): Check[] {
  const checks: Check[] = [];
  const recipients = facts.inventory?.fleet.backup?.recipients ?? [];
  if (facts.inventory) {
    checks.push(
      recipients.length > 0
        ? ok('backup keys', `${recipients.length} recipient(s) in fleet.backup.recipients: backups are encrypted to public keys only`)
        : warn('backup keys', 'fleet.backup.recipients is empty: weclick backup now refuses to run', 'weclick backup keygen --out ~/.config/weclick/backup.key, then add the public key it prints under fleet.backup.recipients'),
    );
  }
  const { identity } = facts;
  const inventoryDir = dirname(facts.inventoryFile);
  if (identity.source === 'inline') {
    checks.push(warn('backup keys', 'BACKUP_AGE_IDENTITY holds the private key itself, beside the inventory in .env (or in the environment)', 'move it to a file off this folder (mode 600, an offline copy too) and set BACKUP_AGE_IDENTITY_FILE'));
  }
  if (identity.source === 'file' && identity.file) {
    const file = identity.file;
    if (!file.exists) checks.push(fail('backup keys', `BACKUP_AGE_IDENTITY_FILE points at ${file.path}, which does not exist`, 'fix the path, or remove the setting on machines that only make backups'));
    else {
      checks.push(...privateFileCheck('backup keys', file));
      if (isInside(file.path, inventoryDir)) {
        checks.push(warn('backup keys', `the age identity ${file.path} sits beside the inventory, unencrypted: whoever copies the folder can read every backup`, 'move it off this folder (e.g. ~/.config/weclick/backup.key, mode 600), keep an offline copy, and update BACKUP_AGE_IDENTITY_FILE'));
      }
    }
  }
  if (identity.source !== 'none' && recipients.length > 0 && identity.recipients.length > 0 && !identity.recipients.some((r) => recipients.includes(r))) {
    checks.push(fail('backup keys', `the age identity configured here (public key ${identity.recipients.join(', ')}) is not among fleet.backup.recipients: it cannot decrypt new backups`, 'add its public key to fleet.backup.recipients, or point BACKUP_AGE_IDENTITY_FILE at the right identity'));
  }
  for (const stray of facts.strayIdentities) {
    checks.push(warn('backup keys', `${stray.path} beside the inventory holds an age identity, unencrypted`, 'move it off this folder (mode 600, an offline copy too)'));
    if (stray.mode !== undefined && tooOpen(stray.mode)) checks.push(...privateFileCheck('backup keys', stray));
  }
  if (identity.source === 'none' && facts.strayIdentities.length === 0) checks.push(ok('backup keys', 'no age identity on this machine (only restore needs one)'));
  return checks;
}

export function sshKeyChecks(facts: SecurityFacts): Check[] {
  if (facts.sshKeys.length === 0) {
    return [facts.sshAgent ? ok('ssh key', 'no key file configured; ssh-agent (SSH_AUTH_SOCK) is used') : warn('ssh key', 'no key file configured and no ssh-agent (SSH_AUTH_SOCK)', 'set fleet.ssh.key in the inventory, or start ssh-agent')];
  }
  return facts.sshKeys.flatMap((key) => privateFileCheck('ssh key', key, fail('ssh key', `${key.path} not found`, 'fix the ssh.key path in the inventory')));
}

export function gitChecks(facts: SecurityFacts): Check[] {
  const git = facts.git;
  if (!git) return [ok('git', 'the inventory folder is not in a git repository')];
  const checks: Check[] = [];
  for (const file of git.tracked) {
    checks.push(fail('git', `${file} is tracked by git (${git.root}): its secrets are in (or about to enter) the history`, `git rm --cached ${file}, add it to .gitignore, and rotate every secret it held`));
  }
  for (const file of git.notIgnored.filter((f) => !git.tracked.includes(f))) {
    checks.push(warn('git', `${file} is not ignored by git (${git.root}): one \`git add .\` commits it`, `add ${relative(git.root, file) || file} to .gitignore`));
  }
  if (checks.length === 0) checks.push(ok('git', git.checked === 0 ? `no secret files inside the git work tree ${git.root}` : `${git.checked} secret file(s) ignored by git (${git.root})`));
  return checks;
}

export function debugChecks(debug: string | undefined): Check[] {
  if (!debug) return [ok('debug', 'DEBUG is not set')];
  return [warn('debug', `DEBUG=${debug} is set: stack traces and library debug output go to stderr (weclick redacts what it knows, but leave it off for routine runs)`, 'unset DEBUG')];
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i;

/** True when a URL would carry a token unencrypted over a network: http:// to anything but loopback. */
export function plainHttpOverNetwork(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' && !LOOPBACK.test(parsed.hostname);
  } catch {
    return false;
  }
}

export function transportChecks(facts: SecurityFacts): Check[] {
  const { settings } = facts;
  const checks: Check[] = [];
  if (settings.mysqlConfigured && settings.mysqlHost) {
    const tls = (settings.mysqlTls ?? 'off').toLowerCase();
    if (LOOPBACK.test(settings.mysqlHost)) checks.push(ok('mysql tls', `MySQL at ${settings.mysqlHost} (loopback): nothing crosses a network`));
    else if (tls === 'verify') checks.push(ok('mysql tls', `MYSQL_TLS=verify: the connection to ${settings.mysqlHost} is encrypted and its certificate checked`));
    else if (tls === 'required') checks.push(warn('mysql tls', `MYSQL_TLS=required encrypts the connection to ${settings.mysqlHost} but accepts any certificate`, 'MYSQL_TLS=verify (with MYSQL_TLS_CA when the server has a private CA)'));
    else checks.push(warn('mysql tls', `MYSQL_TLS is off: users' data and the admin session to ${settings.mysqlHost} cross the network unencrypted`, 'MYSQL_TLS=verify (with MYSQL_TLS_CA when the server has a private CA)'));
  }
  for (const [name, url] of [['CLOUDFLARE_API_BASE_URL', settings.cloudflareBaseUrl], ['TELEGRAM_API_ROOT', settings.telegramApiRoot]] as const) {
    if (url && plainHttpOverNetwork(url)) checks.push(fail('api transport', `${name} is plain http:// to a remote host: the token would travel unencrypted`, `use https:// in ${name}`));
  }
  return checks;
}
