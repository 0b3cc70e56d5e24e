// A test fleet for benchmarks: the running one (WECLICK_FLEET_DIR) or a fresh one started here.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function withFleet(benchHosts) {
  const running = process.env.WECLICK_FLEET_DIR;
  if (running && existsSync(join(running, 'fleet.json'))) return { fleet: readFleet(running), stop() {} };
  const dir = mkdtempSync(join(tmpdir(), 'weclick-bench-fleet-'));
  execFileSync('bash', ['scripts/fleet-up.sh', dir, '--bench', String(benchHosts)], { stdio: 'inherit' });
  return { fleet: readFleet(dir), stop: () => execFileSync('bash', ['scripts/fleet-down.sh', dir], { stdio: 'inherit' }) };
}

function readFleet(dir) {
  return JSON.parse(readFileSync(join(dir, 'fleet.json'), 'utf8'));
}

/** A weclick inventory for these hosts, with the fleet's known_hosts beside it. */
export function benchInventory(fleet, hosts) {
  const dir = mkdtempSync(join(tmpdir(), 'weclick-bench-inv-'));
  const servers = hosts
    .map((h) => `  - { name: ${h.name}, hostname: ${h.name}.weclick.test, ipv4: ${h.address}, roles: [marzban], provider: bench, expires: 2030-01-01 }`)
    .join('\n');
  writeFileSync(join(dir, 'weclick.yaml'), `fleet:\n  domain: weclick.test\n  ssh: { user: root, key: ${JSON.stringify(fleet.clientKey)}, connectTimeout: 10 }\nservers:\n${servers}\n`);
  copyFileSync(fleet.knownHosts, join(dir, 'known_hosts'));
  return dir;
}
