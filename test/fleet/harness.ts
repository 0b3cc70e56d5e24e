import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers/cli.js';

export interface FleetHost {
  name: string;
  address: string;
  port: number;
  hostKeyPub: string;
  unsharePid: number | null;
  dir: string;
}

export interface Fleet {
  stateDir: string;
  clientKey: string;
  clientPub: string;
  knownHosts: string;
  mysql: { host: string; port: number; user: string; password: string; socket: string; database: string };
  hosts: FleetHost[];
}

/**
 * The real test fleet started by scripts/test.sh (scripts/fleet-up.sh). Its absence is a failure
 * with a clear message, never a skip.
 */
export function fleet(): Fleet {
  const dir = process.env.WECLICK_FLEET_DIR;
  if (!dir || !existsSync(join(dir, 'fleet.json'))) {
    throw new Error('the test fleet is not running: run the whole suite with `bash scripts/test.sh` (it starts sshd hosts and MariaDB), or start one with `bash scripts/fleet-up.sh DIR` and export WECLICK_FLEET_DIR=DIR');
  }
  return JSON.parse(readFileSync(join(dir, 'fleet.json'), 'utf8')) as Fleet;
}

export function host(name: string): FleetHost {
  const found = fleet().hosts.find((h) => h.name === name);
  if (!found) throw new Error(`test fleet has no host ${name}`);
  return found;
}

export type Role = 'management' | 'subscription' | 'mysql' | 'proxy' | 'marzban' | 'outline';

const ROLES_BY_NAME: Record<string, Role[]> = {
  mngmt: ['management', 'subscription', 'mysql'],
  go: ['proxy'],
  outline: ['outline'],
};

export interface TestServer {
  name: string;
  address?: string;
  roles?: Role[];
  user?: string;
  key?: string;
}

/**
 * A temp folder with a weclick.yaml for the given fleet hosts (and any extra, unreachable ones),
 * using the fleet's client key. With `trust`, the fleet's known_hosts is copied beside it.
 */
export function testInventory(servers: Array<string | TestServer>, options: { trust?: boolean; connectTimeout?: number; extra?: string } = {}): { dir: string; file: string } {
  const f = fleet();
  const dir = mkdtempSync(join(tmpdir(), 'weclick-inv-'));
  const entries = servers.map((s) => (typeof s === 'string' ? { name: s } : s)).map((s) => {
    const address = s.address ?? host(s.name).address;
    const roles = s.roles ?? ROLES_BY_NAME[s.name] ?? ['marzban'];
    const ssh = [s.user ? `      user: ${s.user}` : '', s.key ? `      key: ${JSON.stringify(s.key)}` : ''].filter(Boolean).join('\n');
    return `  - name: ${s.name}
    hostname: ${s.name}.weclick.test
    ipv4: ${address}
    roles: [${roles.join(', ')}]
    provider: test-provider
    expires: 2030-01-01
${ssh ? `    ssh:\n${ssh}\n` : ''}`;
  });
  const file = join(dir, 'weclick.yaml');
  writeFileSync(
    file,
    `fleet:
  domain: weclick.test
  ssh:
    user: root
    key: ${JSON.stringify(f.clientKey)}
    connectTimeout: ${options.connectTimeout ?? 3}
${options.extra ?? ''}
servers:
${entries.join('\n')}`,
  );
  if (options.trust) cpSync(f.knownHosts, join(dir, 'known_hosts'));
  return { dir, file };
}

/** Runs scripts/fleet-ctl.sh (stop, start, pause, resume, rekey, kill-sshd) on one host. */
export function fleetCtl(action: string, name: string): void {
  execFileSync('bash', [join(REPO, 'scripts/fleet-ctl.sh'), fleet().stateDir, action, name], { stdio: 'pipe' });
}

/** Reads a file a host wrote, from outside, through the host's overlay upper layer. */
export function hostFile(name: string, path: string): string | undefined {
  const h = host(name);
  const layer = path.startsWith('/opt/')
    ? join(h.dir, 'opt', path.slice('/opt/'.length))
    : path.startsWith('/usr/local/')
      ? join(h.dir, 'upper', 'usr-local', path.slice('/usr/local/'.length))
      : join(h.dir, 'upper', path.slice(1));
  return existsSync(layer) ? readFileSync(layer, 'utf8') : undefined;
}
