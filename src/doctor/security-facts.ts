// What `weclick doctor --security` looks at, gathered from this machine only (files, git, settings): no network.
import { execFile } from 'node:child_process';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { serviceHostnames } from '../fleet/service-names.js';
import type { LoadResult } from '../inventory/load.js';
import { defaultKnownHostsFiles, fleetKnownHostsFile, loadKnownHosts } from '../remote/host-keys.js';
import { isSecretKey } from '../secrets/capabilities.js';
import { setting, type EnvFile } from '../secrets/env-file.js';
import { secretsFilePath } from '../secrets/secrets-file.js';
import { registerSecret } from '../ui/redact.js';
import { expandHome } from './checks.js';
import { isInside, type FileFact, type GitFacts, type IdentityFacts, type SecurityFacts } from './security.js';

const run = promisify(execFile);
const AGE_IDENTITY = /^AGE-SECRET-KEY-1[0-9A-Z]+$/;
/** Identity files are a few hundred bytes; anything much larger beside the inventory is not one. */
const MAX_SCANNED_BYTES = 64 * 1024;

export async function fileFact(path: string): Promise<FileFact> {
  try {
    const link = await lstat(path);
    const info = link.isSymbolicLink() ? await stat(path) : link;
    return { path, exists: true, mode: info.mode & 0o777, ...(link.isSymbolicLink() ? { symlink: true } : {}) };
  } catch {
    return { path, exists: false };
  }
}

export async function gatherSecurityFacts(loaded: LoadResult, env: EnvFile, processEnv: NodeJS.ProcessEnv = process.env): Promise<SecurityFacts> {
  const file = loaded.file;
  const dir = dirname(file);
  const inventory = loaded.ok ? loaded.inventory : undefined;
  const get = (key: string) => setting(env, key, processEnv);
  const secretsFile = secretsFilePath(file);
  const identity = await identityFacts(env, get);
  const sshKeys = inventory ? [...new Set(inventory.servers.map((s) => s.ssh?.key ?? inventory.fleet.ssh.key).filter((k): k is string => Boolean(k)).map((k) => resolve(dir, expandHome(k))))] : [];
  const strayIdentities = await Promise.all((await identitiesBeside(dir, [file, env.path, identity.file?.path ?? ''])).map(fileFact));
  const knownHostsFiles = processEnv.WECLICK_KNOWN_HOSTS ? [processEnv.WECLICK_KNOWN_HOSTS] : defaultKnownHostsFiles(file);
  const knownHosts = await loadKnownHosts(knownHostsFiles).catch(() => ({ entries: [], files: knownHostsFiles }));
  const secretCandidates = [env.path, secretsFile, ...(identity.file ? [identity.file.path] : []), ...strayIdentities.map((f) => f.path)];
  return {
    inventoryFile: file,
    inventoryText: loaded.ok ? loaded.text : await readFile(file, 'utf8').catch(() => undefined),
    ...(inventory ? { inventory } : {}),
    envFile: { path: env.path, exists: env.exists, ...(env.mode !== undefined ? { mode: env.mode } : {}) },
    secretsFile: await fileFact(secretsFile),
    knownHostsFile: await fileFact(knownHostsFiles[0] ?? fleetKnownHostsFile(file)),
    knownHosts: knownHosts.entries,
    identity,
    strayIdentities,
    sshKeys: await Promise.all(sshKeys.map(fileFact)),
    sshAgent: Boolean(processEnv.SSH_AUTH_SOCK),
    ...(await gitFacts(dir, secretCandidates).then((git) => (git ? { git } : {}))),
    secretValues: [...secretsFromEnv(env, processEnv), ...(await secretsFromFile(secretsFile))],
    settings: {
      ...(processEnv.DEBUG ? { debug: processEnv.DEBUG } : {}),
      mysqlConfigured: Boolean(get('MYSQL_ADMIN_USER')),
      mysqlHost: get('MYSQL_HOST') ?? (inventory ? serviceHostnames(inventory).mysql : undefined),
      mysqlTls: get('MYSQL_TLS'),
      cloudflareBaseUrl: get('CLOUDFLARE_API_BASE_URL'),
      telegramApiRoot: get('TELEGRAM_API_ROOT'),
    },
  };
}

async function identityFacts(env: EnvFile, get: (key: string) => string | undefined): Promise<IdentityFacts> {
  const configured = get('BACKUP_AGE_IDENTITY_FILE');
  const inline = get('BACKUP_AGE_IDENTITY');
  if (configured) {
    const path = isAbsolute(configured) ? configured : resolve(dirname(env.path), expandHome(configured));
    const text = await readFile(path, 'utf8').catch(() => '');
    return { source: 'file', file: await fileFact(path), recipients: await recipientsOf(text) };
  }
  if (inline) return { source: 'inline', recipients: await recipientsOf(inline) };
  return { source: 'none', recipients: [] };
}

/** The public keys of the identities in `text` (age is loaded only when there is one). */
async function recipientsOf(text: string): Promise<string[]> {
  const identities = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => AGE_IDENTITY.test(l));
  if (identities.length === 0) return [];
  identities.forEach(registerSecret);
  const age = await import('age-encryption');
  const out: string[] = [];
  for (const identity of identities) out.push(await age.identityToRecipient(identity).catch(() => ''));
  return out.filter(Boolean);
}

/** Small regular files in the inventory's folder (not below it) that hold an age identity. */
async function identitiesBeside(dir: string, skip: string[]): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    if (skip.some((s) => s && resolve(s) === resolve(path))) continue;
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile() || info.size > MAX_SCANNED_BYTES) continue;
    const text = await readFile(path, 'utf8').catch(() => '');
    if (/^AGE-SECRET-KEY-1/m.test(text)) found.push(path);
  }
  return found;
}

/** Which of `files` git tracks or does not ignore, when `dir` is inside a git work tree (git absent: undefined). */
export async function gitFacts(dir: string, files: string[]): Promise<GitFacts | undefined> {
  let cwd: string;
  let root: string;
  const git = (args: string[]) => run('git', args, { cwd, timeout: 5_000, maxBuffer: 1024 * 1024 });
  try {
    cwd = await realpath(dir);
    root = (await git(['rev-parse', '--show-toplevel'])).stdout.trim();
  } catch {
    return undefined;
  }
  // Real paths throughout: git prints its root resolved, and refuses paths outside the work tree.
  const present = new Map<string, string>();
  for (const file of files) {
    const real = await realpath(file).catch(() => undefined);
    if (real && isInside(real, root)) present.set(real, file);
  }
  if (present.size === 0) return { root, checked: 0, tracked: [], notIgnored: [] };
  const listed = async (args: string[], separator: string) => {
    // check-ignore exits 1 when none of the paths is ignored: that is an answer, not a failure.
    const out = await git([...args, '--', ...present.keys()]).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    return new Set(out.stdout.split(separator).filter(Boolean).map((p) => resolve(cwd, p)));
  };
  const tracked = await listed(['ls-files', '-z'], '\0');
  // (check-ignore takes -z only with --stdin; these paths hold no newline.)
  const ignored = await listed(['check-ignore'], '\n');
  const original = (reals: string[]) => reals.map((r) => present.get(r)!);
  return {
    root,
    checked: present.size,
    tracked: original([...present.keys()].filter((r) => tracked.has(r))),
    notIgnored: original([...present.keys()].filter((r) => !tracked.has(r) && !ignored.has(r))),
  };
}

function secretsFromEnv(env: EnvFile, processEnv: NodeJS.ProcessEnv): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  for (const [key, value] of [...Object.entries(env.values), ...Object.entries(processEnv)]) {
    if (value && isSecretKey(key)) out.push({ name: key, value });
  }
  return out;
}

/** Every string in weclick.secrets.yaml except names, addresses, times and certificate fingerprints. */
async function secretsFromFile(file: string): Promise<Array<{ name: string; value: string }>> {
  let data: unknown;
  try {
    data = parse(await readFile(file, 'utf8'));
  } catch {
    return [];
  }
  const out: Array<{ name: string; value: string }> = [];
  const walk = (value: unknown, path: string[]): void => {
    if (Array.isArray(value)) value.forEach((v) => walk(v, path));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    else if (typeof value === 'string' && !['user', 'host', 'setAt', 'certSha256'].includes(path.at(-1) ?? '')) out.push({ name: `${basename(file)} ${path.join('.')}`, value });
  };
  walk(data, []);
  return out;
}
