// Helpers for tests that provision test-fleet hosts (with the docker stand-in): open a session, and put a host
// back as the fleet made it, so other developers' tests on the shared fleet see what they expect.
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory } from '../../../src/inventory/load.js';
import { connect } from '../../../src/remote/connect.js';
import { putFile } from '../../../src/remote/files.js';
import { fleetContext } from '../../../src/remote/fleet-context.js';
import type { HostSession } from '../../../src/remote/session.js';
import { fleet, testInventory } from '../../fleet/harness.js';
import { removeDockerStandin } from './install.js';

export async function openHost(name: string): Promise<HostSession> {
  const inv = testInventory([name], { trust: true });
  const loaded = await loadInventory(inv.file);
  if (!loaded.ok) throw new Error('test inventory invalid');
  const context = await fleetContext(loaded, loaded.inventory.servers);
  return connect(context.targets[0]!, context.connect);
}

/** Files provisioning replaces that the machine itself has (the lower overlay layer): their content is put back. */
const MACHINE_FILES = ['/etc/haproxy/haproxy.cfg', '/etc/nftables.conf', '/etc/apt/apt.conf.d/20auto-upgrades'];
/** Files and folders only provisioning creates: removed. */
const CREATED = [
  '/etc/ssh/sshd_config.d/10-weclick.conf',
  '/etc/ssh/sshd_config.d/10-weclick.conf.weclick-prev',
  '/etc/haproxy/haproxy.cfg.weclick-prev',
  '/etc/haproxy/haproxy.cfg.weclick-new',
  '/etc/nftables.conf.weclick-new',
  '/opt/marzban',
  '/opt/outline',
  '/var/lib/marzban',
  '/var/lib/weclick/applied',
  '/var/lib/haproxy/server-state',
];

/** Stops the HAProxy our tests started on the host (by its pidfile), waits for it to go. */
export async function stopHaproxy(session: HostSession): Promise<void> {
  await session.shell(
    'if [ -s /run/haproxy.pid ]; then pids=$(cat /run/haproxy.pid); kill $pids 2>/dev/null; i=0; while kill -0 $pids 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; rm -f /run/haproxy.pid; fi',
  );
}

export async function resetProvisionedHost(session: HostSession): Promise<void> {
  await stopHaproxy(session);
  for (const path of MACHINE_FILES) {
    if (existsSync(path)) await putFile(session, { path, content: readFileSync(path), mode: statSync(path).mode & 0o7777 });
  }
  await session.run(['rm', '-rf', ...CREATED]);
  await removeDockerStandin(session);
}

export interface InventoryServer {
  name: string;
  address: string;
  roles: string[];
  state?: 'active' | 'draining' | 'retired';
}

/** Writes weclick.yaml (Marzban image pinned) with these servers into dir, and the fleet's known_hosts beside it. */
export function writeInventory(dir: string, servers: InventoryServer[], options: { image?: string } = {}): string {
  const f = fleet();
  const file = join(dir, 'weclick.yaml');
  const lines = servers.map(
    (s) => `  - { name: ${s.name}, hostname: ${s.name}.weclick.test, ipv4: ${s.address}, roles: [${s.roles.join(', ')}], provider: test, expires: 2030-01-01${s.state ? `, state: ${s.state}` : ''} }`,
  );
  writeFileSync(
    file,
    `fleet:\n  domain: weclick.test\n  ssh: { user: root, key: ${JSON.stringify(f.clientKey)}, connectTimeout: 5 }\n  marzban:\n    image: ${options.image ?? 'gozargah/marzban:v0.8.4'}\nservers:\n${lines.join('\n')}\n`,
  );
  copyFileSync(f.knownHosts, join(dir, 'known_hosts'));
  return file;
}

/** Puts per-server MySQL accounts into the secrets file, as `weclick db grant` would. */
export function writeAccounts(dir: string, servers: Array<{ name: string; address: string }>): void {
  const accounts = servers.map((s) => `    ${s.name}: { user: mz_${s.name}, host: ${s.address}, password: test-pass-${s.name}-0123456789, setAt: "2025-01-01T00:00:00Z" }`);
  writeFileSync(join(dir, 'weclick.secrets.yaml'), `mysql:\n  accounts:\n${accounts.join('\n')}\n`, { mode: 0o600 });
}

/** A port range of our own (≥ 20000) for this test process, away from other developers' fixed ports. */
export function portBase(): number {
  return 20000 + (process.pid % 790) * 10;
}
