import { parseInventory } from '../../../src/inventory/load.js';
import type { Inventory } from '../../../src/inventory/schema.js';
import type { ProvisionSecrets } from '../../../src/provision/secrets.js';
import { defaultSettings, type ProvisionSettings } from '../../../src/provision/settings.js';
import { MISSING_FILE, type FileFact, type HostFactsSnapshot, type RunFact } from '../../../src/provision/step.js';

/** A fleet like the seed's, with documentation addresses (RFC 5737). */
export const FLEET_YAML = `fleet:
  domain: weclick.tech
  marzban:
    image: gozargah/marzban:v0.8.4
servers:
  - { name: mngmt, hostname: mngmt.weclick.tech, ipv4: 203.0.113.10, roles: [management, subscription, mysql], provider: p, expires: 2030-01-01 }
  - { name: go, hostname: go.weclick.tech, ipv4: 203.0.113.11, ipv6: "2001:db8::11", roles: [proxy], provider: p, expires: 2030-01-01 }
  - { name: srv1, hostname: srv1.weclick.tech, ipv4: 198.51.100.21, roles: [marzban], provider: p, expires: 2030-01-01 }
  - { name: srv2, hostname: srv2.weclick.tech, ipv4: 198.51.100.22, roles: [outline], provider: p, expires: 2030-01-01 }
  - { name: srv3, hostname: srv3.weclick.tech, ipv4: 198.51.100.23, roles: [marzban], provider: p, expires: 2030-01-01, state: draining }
  - { name: srv4, hostname: srv4.weclick.tech, ipv4: 198.51.100.24, roles: [marzban], provider: p, expires: 2030-01-01, state: retired }
`;

export function inventoryFrom(yaml: string = FLEET_YAML): Inventory {
  const result = parseInventory(yaml, 'weclick.yaml');
  if (!result.ok) throw new Error(`fixture inventory invalid: ${JSON.stringify(result.problems)}`);
  return result.inventory;
}

export const server = (inventory: Inventory, name: string) => inventory.servers.find((s) => s.name === name)!;

export const SECRETS: ProvisionSecrets = {
  reality: { privateKey: 'mKk9n8hDgxki3TVPwRdE4T4wLH64H6_ezruF2mnWtE0', publicKey: 'AatBAssEin1kALSoFtdWGWngo65xIgqPuEg8bdF_qTc', shortIds: ['ad908bd7', '7fcbd436b86c0c54'] },
  mysqlRootPassword: 'root-Secret-0123456789',
  accounts: {
    mngmt: { user: 'mz_mngmt', password: 'pw/mngmt+0123456789' },
    srv1: { user: 'mz_srv1', password: 'pw-srv1-0123456789' },
    srv3: { user: 'mz_srv3', password: 'pw-srv3-0123456789' },
  },
  telegramBotToken: '123456:telegram-token-for-tests',
  outline: {},
};

export const SETTINGS: ProvisionSettings = defaultSettings();

/** Facts of a host where nothing exists yet and every package is installed. */
export function freshFacts(packages: string[] = ['nftables', 'unattended-upgrades', 'systemd-timesyncd', 'haproxy', 'socat']): HostFactsSnapshot {
  return { serviceManager: 'none', files: new Map(), packages: new Map(packages.map((p) => [p, '1.0'])), runs: new Map() };
}

export function withFile(facts: HostFactsSnapshot, path: string, fact: Partial<FileFact>): HostFactsSnapshot {
  facts.files.set(path, { ...MISSING_FILE, exists: true, ...fact });
  return facts;
}

export function withRun(facts: HostFactsSnapshot, id: string, run: Partial<RunFact>): HostFactsSnapshot {
  facts.runs.set(id, { code: 0, output: '', same: false, ...run });
  return facts;
}
