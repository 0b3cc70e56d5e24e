import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { LoadResult } from '../inventory/load.js';
import { CAPABILITIES } from '../secrets/capabilities.js';
import { setting, tooOpen, type EnvFile } from '../secrets/env-file.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  area: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** The health of the operator's own setup: inventory, secrets (names only), key files. */
export async function runDoctorChecks(loaded: LoadResult, env: EnvFile, processEnv: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  const checks: Check[] = [];
  checks.push(
    loaded.ok
      ? { area: 'inventory', status: 'ok', detail: `${loaded.file}: valid, ${loaded.inventory.servers.length} server(s)` }
      : { area: 'inventory', status: 'fail', detail: `${loaded.file}: ${loaded.problems.length} problem(s)`, fix: `weclick inventory check -i ${loaded.file}` },
  );

  if (!env.exists) checks.push({ area: 'secrets', status: 'warn', detail: `${env.path} not found; secrets come from the environment only`, fix: 'weclick init, or copy .env.example to .env and chmod 600 .env' });
  else if (tooOpen(env.mode)) checks.push({ area: 'secrets', status: 'fail', detail: `${env.path} is readable by group or others (mode ${env.mode!.toString(8)})`, fix: `chmod 600 ${env.path}` });
  else checks.push({ area: 'secrets', status: 'ok', detail: `${env.path} mode ${env.mode!.toString(8)}` });

  for (const capability of CAPABILITIES) {
    const missing = capability.keys.filter((key) => !setting(env, key, processEnv));
    checks.push(
      missing.length === 0
        ? { area: `capability ${capability.name}`, status: 'ok', detail: `${capability.keys.join(', ')} set` }
        : { area: `capability ${capability.name}`, status: 'warn', detail: `${missing.join(', ')} not set: ${capability.purpose} will not work`, fix: `add ${missing.join(', ')} to ${env.path}` },
    );
  }

  if (loaded.ok) checks.push(...(await sshKeyChecks(loaded, processEnv)));
  return checks;
}

async function sshKeyChecks(loaded: Extract<LoadResult, { ok: true }>, processEnv: NodeJS.ProcessEnv): Promise<Check[]> {
  const { inventory, file } = loaded;
  const keys = new Set<string>();
  for (const server of inventory.servers) {
    const key = server.ssh?.key ?? inventory.fleet.ssh.key;
    if (key) keys.add(resolve(dirname(file), expandHome(key)));
  }
  const checks: Check[] = [];
  if (keys.size === 0) {
    checks.push(
      processEnv.SSH_AUTH_SOCK
        ? { area: 'ssh', status: 'ok', detail: 'no key files configured; ssh-agent (SSH_AUTH_SOCK) will be used' }
        : { area: 'ssh', status: 'warn', detail: 'no key file configured and no ssh-agent (SSH_AUTH_SOCK)', fix: 'set fleet.ssh.key in the inventory, or start ssh-agent' },
    );
  }
  for (const key of keys) {
    try {
      const info = await stat(key);
      const mode = info.mode & 0o777;
      checks.push(tooOpen(mode) ? { area: 'ssh', status: 'fail', detail: `${key} is readable by group or others (mode ${mode.toString(8)})`, fix: `chmod 600 ${key}` } : { area: 'ssh', status: 'ok', detail: `${key} mode ${mode.toString(8)}` });
    } catch {
      checks.push({ area: 'ssh', status: 'fail', detail: `${key} not found`, fix: 'fix the ssh.key path in the inventory' });
    }
  }
  return checks;
}
