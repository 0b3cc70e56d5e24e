import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../src/inventory/load.js';
import { marzbanVersionProblems, parseDeployedImage, validateFleet } from '../../../src/provision/validate-fleet.js';
import { FLEET_YAML, inventoryFrom, SECRETS } from './fixture.js';

const accounts = { howToCreate: (s: string) => `weclick db grant ${s}` };
const all = (yaml: string) => inventoryFrom(yaml).servers;

describe('fleet problems found before anything changes', () => {
  it('the seed-like fleet is fine', () => {
    const inventory = inventoryFrom();
    expect(validateFleet(inventory, inventory.servers, SECRETS, accounts)).toEqual([]);
  });

  it('no entry point', () => {
    const yaml = FLEET_YAML.replace('roles: [proxy]', 'roles: [outline]');
    expect(validateFleet(inventoryFrom(yaml), all(yaml), SECRETS, accounts)).toEqual(['the inventory has no entry point: no active server holds the proxy role (HAProxy, where users connect)']);
  });

  it('a retired proxy does not count as an entry point', () => {
    const yaml = FLEET_YAML.replace('roles: [proxy], provider: p, expires: 2030-01-01 }', 'roles: [proxy], provider: p, expires: 2030-01-01, state: retired }');
    expect(validateFleet(inventoryFrom(yaml), [], SECRETS, accounts)[0]).toMatch(/no entry point/);
  });

  it('two entry points', () => {
    const yaml = FLEET_YAML.replace('roles: [outline]', 'roles: [proxy]');
    expect(validateFleet(inventoryFrom(yaml), [], SECRETS, accounts)).toEqual(['two entry points: go, srv2 hold the proxy role; go.weclick.tech can point at only one']);
  });

  it('a worker without an IP is refused by the inventory itself, with its line and column', () => {
    const yaml = FLEET_YAML.replace(' ipv4: 198.51.100.21,', '');
    const result = parseInventory(yaml, 'weclick.yaml');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([expect.objectContaining({ line: 8, field: 'servers[2].ipv4', message: expect.stringMatching(/required|missing/i) })]);
  });

  it('a worker whose IP is not a usable address', () => {
    const yaml = FLEET_YAML.replace('198.51.100.21', '0.0.0.0');
    expect(validateFleet(inventoryFrom(yaml), [], SECRETS, accounts)).toEqual(['srv1 has no usable IPv4 address (0.0.0.0): HAProxy, the firewall and MySQL grants need its real address']);
  });

  it('one server holding both a worker and the panel', () => {
    const yaml = FLEET_YAML.replace('roles: [marzban], provider: p, expires: 2030-01-01 }', 'roles: [marzban, subscription], provider: p, expires: 2030-01-01 }');
    expect(validateFleet(inventoryFrom(yaml), [], SECRETS, accounts)).toContainEqual(expect.stringContaining('srv1 holds both the marzban and the management/subscription roles'));
  });

  it('no pinned Marzban image', () => {
    const yaml = FLEET_YAML.replace('  marzban:\n    image: gozargah/marzban:v0.8.4\n', '');
    expect(validateFleet(inventoryFrom(yaml), [], SECRETS, accounts)).toEqual([expect.stringContaining('fleet.marzban.image is not set')]);
  });

  it('a selected Marzban host without its MySQL account', () => {
    const inventory = inventoryFrom();
    expect(validateFleet(inventory, inventory.servers.filter((s) => s.name === 'srv1'), { ...SECRETS, accounts: {} }, accounts)).toEqual([
      'srv1 has no MySQL account yet: create it with `weclick db grant srv1`, then run provision again',
    ]);
  });
});

describe('Marzban versions on the shared database', () => {
  const deployed = new Map<string, string | undefined>([
    ['mngmt', 'gozargah/marzban:v0.8.3'],
    ['srv1', 'gozargah/marzban:v0.8.3'],
    ['srv3', undefined],
  ]);

  it('refuses to start a new version on some instances while others run the old one', () => {
    const problems = marzbanVersionProblems('gozargah/marzban:v0.8.4', deployed, new Set(['srv1']));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Marzban versions would differ: mngmt runs gozargah\/marzban:v0\.8\.3, while this run starts gozargah\/marzban:v0\.8\.4 on srv1\./);
    expect(problems[0]).toMatch(/migrates the shared database at start/);
  });

  it('upgrading every instance together, or a host not provisioned yet, is fine', () => {
    expect(marzbanVersionProblems('gozargah/marzban:v0.8.4', deployed, new Set(['mngmt', 'srv1', 'srv3']))).toEqual([]);
    expect(marzbanVersionProblems('gozargah/marzban:v0.8.3', deployed, new Set(['srv3']))).toEqual([]);
  });

  it('reads the deployed image from the running container, else from the compose file weclick wrote', () => {
    expect(parseDeployedImage('gozargah/marzban:v0.8.3\ngozargah/marzban:v0.8.4')).toBe('gozargah/marzban:v0.8.3');
    expect(parseDeployedImage('\ngozargah/marzban:v0.8.4')).toBe('gozargah/marzban:v0.8.4');
    expect(parseDeployedImage('')).toBeUndefined();
  });
});
