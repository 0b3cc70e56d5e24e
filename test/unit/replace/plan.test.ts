// The replace plan, decided before anything changes: which kind, which steps, the inventory change, the DNS moves.
import { describe, expect, it } from 'vitest';
import type { LoadedInventory } from '../../../src/base-command.js';
import { servingHolders } from '../../../src/fleet/serving.js';
import { entryPoints, backendServers } from '../../../src/haproxy/config.js';
import { parseInventory } from '../../../src/inventory/load.js';
import { databasePin } from '../../../src/provision/roles/marzban.js';
import { planReplace, replaceKind, type ReplaceOptions } from '../../../src/replace/plan.js';
import { freeName, suggestReplacement } from '../../../src/replace/suggest.js';
import { compareCopies } from '../../../src/replace/table-census.js';
import { FLEET_YAML } from '../provision/fixture.js';

const OPTIONS: ReplaceOptions = { deadlineMs: 1_800_000, threshold: 0, healthTimeoutMs: 300_000 };
const CLOUDFLARE = FLEET_YAML.replace('  marzban:\n', '  cloudflare: { zone: weclick.tech }\n  marzban:\n');

function loaded(yaml = CLOUDFLARE): LoadedInventory {
  const result = parseInventory(yaml, '/fleet/weclick.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result;
}
const server = (l: LoadedInventory, name: string) => l.inventory.servers.find((s) => s.name === name)!;
const add = (ip: string) => ({ fields: [[['hostname'], 'new.weclick.tech'], [['ipv4'], ip], [['provider'], 'p'], [['expires'], '2031-01-01']] as Array<[string[], unknown]> });

describe('which replace a server calls for', () => {
  it('a worker, the entry point, the management server; Outline and mixed roles are refused with the reason', () => {
    const l = loaded();
    expect(replaceKind(server(l, 'srv1'))).toBe('worker');
    expect(replaceKind(server(l, 'go'))).toBe('entry');
    expect(replaceKind(server(l, 'mngmt'))).toBe('management');
    expect(() => replaceKind(server(l, 'srv2'))).toThrow(/runs Outline: its access keys live on the server/);
    expect(() => replaceKind({ ...server(l, 'go'), roles: ['proxy', 'mysql'] })).toThrow(/holds roles of entry point and management server \(proxy, mysql\): split them/);
  });
});

describe('planReplace', () => {
  it('a worker: the steps in order, NEW staged in standby with OLD roles, and the two record moves', () => {
    const plan = planReplace(loaded(), 'srv1', 'new', OPTIONS, add('198.51.100.30'));
    expect(plan.steps.map((s) => s.id)).toEqual(['stage', 'account', 'firewall-mysql', 'provision-new', 'healthy', 'dns-new', 'into-rotation', 'drain-old', 'retire-old', 'dns-old']);
    expect(plan.steps.filter((s) => s.noReturn).map((s) => s.id)).toEqual(['retire-old']);
    expect(plan.addsNew).toBe(true);
    const staged = server(plan.staging.result, 'new');
    expect(staged).toMatchObject({ roles: ['marzban'], state: 'standby', ipv4: '198.51.100.30' });
    // Staged, NEW is in no backend and no service name yet.
    expect(backendServers(plan.staging.result.inventory, { xrayPort: 443 }).map((s) => s.name)).not.toContain('new');
    expect(plan.dnsMoves).toEqual([
      { name: 'new.weclick.tech', type: 'A', to: '198.51.100.30' },
      { name: 'srv1.weclick.tech', type: 'A', from: '198.51.100.21' },
    ]);
    expect(plan.finalDiff).toMatch(/^\+ {2}- \{name: srv1, .*state: retired\}$/m);
  });

  it('the entry point: the entry name moves with both address families NEW has', () => {
    const plan = planReplace(loaded(), 'go', 'go2', OPTIONS, add('203.0.113.12'));
    expect(plan.steps.map((s) => s.id)).toEqual(['stage', 'firewall-marzban', 'provision-new', 'verify-new', 'switch', 'dns-move', 'wait-old', 'retire-old', 'firewall-close', 'dns-old']);
    expect(plan.dnsMoves).toContainEqual({ name: 'go.weclick.tech', type: 'A', from: '203.0.113.11', to: '203.0.113.12' });
    // NEW has no IPv6: the entry name's AAAA goes with the old entry point.
    expect(plan.dnsMoves).toContainEqual({ name: 'go.weclick.tech', type: 'AAAA', from: '2001:db8::11' });
  });

  it('the management server: backup, restore, compare, accounts, workers one by one, then the names', () => {
    const plan = planReplace(loaded(), 'mngmt', 'mngmt2', OPTIONS, add('203.0.113.20'));
    expect(plan.steps.map((s) => s.id)).toEqual(['stage', 'account', 'provision-new', 'freeze-old', 'backup', 'restore-new', 'verify-copy', 'accounts-new', 'switch', 'repoint-workers', 'dns-move', 'retire-old', 'dns-old']);
    expect(plan.dnsMoves.filter((m) => m.from && m.to).map((m) => m.name)).toEqual(['db.weclick.tech', 'mngmt.weclick.tech', 'podpiska.weclick.tech']);
  });

  it('no DNS moves are listed for a fleet without fleet.cloudflare', () => {
    expect(planReplace(loaded(FLEET_YAML), 'srv1', 'new', OPTIONS, add('198.51.100.30')).dnsMoves).toEqual([]);
  });

  it('refuses what cannot be replaced, each with one line', () => {
    const l = loaded();
    expect(() => planReplace(l, 'nope', 'new', OPTIONS, add('198.51.100.30'))).toThrow("no server named 'nope'");
    expect(() => planReplace(l, 'srv3', 'new', OPTIONS, add('198.51.100.30'))).toThrow('srv3 is draining: only an active server is replaced');
    expect(() => planReplace(l, 'srv1', 'srv1', OPTIONS)).toThrow('a server cannot replace itself');
    expect(() => planReplace(l, 'srv1', 'new', OPTIONS)).toThrow(/new is not in the inventory: add it here with --ip, --provider and --expires/);
    expect(() => planReplace(l, 'srv1', 'srv4', OPTIONS)).toThrow('srv4 is retired');
    expect(() => planReplace(l, 'srv1', 'go', OPTIONS)).toThrow(/go already holds proxy, which srv1 does not/);
    expect(() => planReplace(l, 'srv1', 'go', OPTIONS, add('198.51.100.30'))).toThrow(/go already holds proxy/);
  });

  it('a NEW already in the inventory keeps its fields; only roles and state change', () => {
    const yaml = CLOUDFLARE.replace('servers:\n', 'servers:\n  - { name: srv6, hostname: srv6.weclick.tech, ipv4: 198.51.100.26, roles: [marzban], provider: q, expires: 2031-01-01 }\n');
    const plan = planReplace(loaded(yaml), 'srv1', 'srv6', OPTIONS);
    expect(plan.addsNew).toBe(false);
    expect(plan.staging.diff).toMatch(/^\+ {2}- \{name: srv6, .*ipv4: 198.51.100.26, .*state: standby\}$/m);
    expect(() => planReplace(loaded(yaml), 'srv1', 'srv6', OPTIONS, add('198.51.100.30'))).toThrow(/srv6 is already in the inventory: drop the server fields/);
  });
});

describe('who serves a role while a replacement takes over', () => {
  const yaml = (oldState: string, newState: string) =>
    FLEET_YAML.replace('servers:\n', `servers:\n  - { name: go2, hostname: go2.weclick.tech, ipv4: 203.0.113.12, roles: [proxy], provider: p, expires: 2031-01-01, state: ${newState} }\n`).replace(
      'roles: [proxy], provider: p, expires: 2030-01-01 }',
      `roles: [proxy], provider: p, expires: 2030-01-01, state: ${oldState} }`,
    );
  const names = (y: string) => entryPoints(loaded(y).inventory).map((s) => s.name);

  it('a standby server is never the holder; after the switch the active one is, the draining one only alone', () => {
    expect(names(yaml('active', 'standby'))).toEqual(['go']);
    expect(names(yaml('draining', 'active'))).toEqual(['go2']);
    expect(names(yaml('draining', 'standby'))).toEqual(['go']);
    expect(servingHolders(loaded(yaml('retired', 'standby')).inventory.servers, 'proxy')).toEqual([]);
  });

  it("workers pin the MySQL name to the database holder's address, and follow it when it moves", () => {
    expect(databasePin(loaded(FLEET_YAML).inventory)).toBe('db.weclick.tech:203.0.113.10');
    const moved = FLEET_YAML.replace('servers:\n', 'servers:\n  - { name: mngmt2, hostname: mngmt2.weclick.tech, ipv4: 203.0.113.20, roles: [management, subscription, mysql], provider: p, expires: 2031-01-01 }\n').replace(
      'roles: [management, subscription, mysql], provider: p, expires: 2030-01-01 }',
      'roles: [management, subscription, mysql], provider: p, expires: 2030-01-01, state: draining }',
    );
    expect(databasePin(loaded(moved).inventory)).toBe('db.weclick.tech:203.0.113.20');
    // A database outside the inventory (fleet.mysql.host) is resolved as usual: no pin.
    expect(databasePin(loaded(FLEET_YAML.replace('  marzban:\n', '  mysql: { host: mysql.weclick.tech }\n  marzban:\n')).inventory)).toBeUndefined();
  });
});

describe('compareCopies', () => {
  const t = (table: string, rows: number, checksum: string | null = '1') => ({ table, rows, checksum });
  it('identical copies differ in nothing; rows, checksums, missing and extra tables are each one line', () => {
    expect(compareCopies([t('users', 3), t('admins', 1)], [t('users', 3), t('admins', 1)])).toEqual([]);
    expect(compareCopies([t('users', 3), t('jwt', 1), t('system', 1, '5')], [t('users', 2), t('system', 1, '6'), t('extra', 0)])).toEqual([
      'users: 3 rows, the copy has 2',
      'jwt: missing in the copy',
      'system: checksum 5, the copy has 6',
      'extra: only in the copy',
    ]);
    expect(compareCopies([t('users', 3, null)], [t('users', 3, '9')])).toEqual([]);
  });
});

describe('expiring --plan suggestions', () => {
  it('names a free server for each, never the same twice, and says why Outline cannot be replaced', () => {
    const inventory = loaded().inventory;
    const reserved = new Set<string>();
    expect(suggestReplacement(inventory, server(loaded(), 'srv1'), reserved).command).toBe('weclick replace srv1 --with srv5 --ip <NEW-IPV4> --provider <PROVIDER> --expires <YYYY-MM-DD>');
    expect(suggestReplacement(inventory, server(loaded(), 'go'), reserved).command).toContain('--with go2 ');
    expect(freeName(inventory, 'srv1', reserved)).toBe('srv6');
    expect(suggestReplacement(inventory, server(loaded(), 'srv2')).blocked).toMatch(/runs Outline/);
    expect(suggestReplacement(inventory, server(loaded(), 'srv3')).blocked).toMatch(/draining: finish taking it out \(weclick decommission\)/);
    expect(suggestReplacement(inventory, server(loaded(), 'mngmt')).touches.join('\n')).toContain('re-pointed at mngmt2');
  });
});
