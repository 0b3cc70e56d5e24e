import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { selectHosts, inRolloutOrder } from '../../../src/fleet/select-hosts.js';
import { parseInventory } from '../../../src/inventory/load.js';
import { parseFacts } from '../../../src/remote/facts.js';
import { roleServices, statusRow } from '../../../src/remote/status.js';

const example = (() => {
  const r = parseInventory(readFileSync('inventory.example.yaml', 'utf8'), 'inventory.example.yaml');
  if (!r.ok) throw new Error('example inventory invalid');
  return r.inventory;
})();

describe('host selection', () => {
  it('defaults to every server in service, and filters by role or names', () => {
    expect(selectHosts(example, {}).map((s) => s.name)).toEqual(['mngmt', 'go', 'srv1', 'srv2', 'srv3', 'srv4', 'srv5']);
    expect(selectHosts(example, { role: 'marzban' }).map((s) => s.name)).toEqual(['srv1', 'srv3', 'srv4', 'srv5']);
    expect(selectHosts(example, { hosts: ['srv3', 'go', 'srv3'] }).map((s) => s.name)).toEqual(['srv3', 'go']);
    expect(() => selectHosts(example, { hosts: ['srv9'] })).toThrow(/no server named 'srv9'.*did you mean/);
  });

  it('leaves retired servers out unless named', () => {
    const retired = { ...example, servers: example.servers.map((s) => (s.name === 'srv4' ? { ...s, state: 'retired' as const } : s)) };
    expect(selectHosts(retired, {}).map((s) => s.name)).not.toContain('srv4');
    expect(selectHosts(retired, { hosts: ['srv4'] }).map((s) => s.name)).toEqual(['srv4']);
  });

  it('orders a rollout management first, then workers, then the entry point', () => {
    expect(inRolloutOrder(selectHosts(example, {})).map((s) => s.name)).toEqual(['mngmt', 'srv1', 'srv3', 'srv4', 'srv5', 'srv2', 'go']);
  });
});

describe('status rows from facts (fixtures, like pyinfra)', () => {
  const debian = parseFacts(readFileSync('test/fixtures/facts/debian12-docker-systemd.txt', 'utf8'));

  it('checks the services each role needs from process and container names', () => {
    const checks = roleServices(['management', 'mysql', 'proxy', 'marzban', 'outline'], debian);
    expect(checks.map((c) => c.service)).toEqual(['marzban panel', 'mysql', 'haproxy', 'marzban', 'shadowbox']);
    for (const check of checks) expect(typeof check.up).toBe('boolean');
  });

  it('turns facts into percentages and counts', () => {
    const row = statusRow(example.servers[2]!, debian, 42, 10);
    expect(row).toMatchObject({ name: 'srv1', reachable: true, latencyMs: 42, daysLeft: 10 });
    expect(row.memoryFreePercent).toBe(Math.round((debian.memory.availableBytes! / debian.memory.totalBytes!) * 100));
    expect(row.diskFreePercent).toBe(Math.round((debian.disk.freeBytes! / debian.disk.totalBytes!) * 100));
    expect(row.containersUp).toBe(debian.docker.containers.filter((c) => /^Up/.test(c.status)).length);
  });

  it('reports a role service down when nothing provides it', () => {
    const bare = parseFacts('');
    expect(roleServices(['proxy', 'marzban'], bare)).toEqual([
      { role: 'proxy', service: 'haproxy', up: false },
      { role: 'marzban', service: 'marzban', up: false },
    ]);
  });
});
