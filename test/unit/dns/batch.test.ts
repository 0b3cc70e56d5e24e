import { describe, expect, it } from 'vitest';
import { batchChunks } from '../../../src/dns/batch.js';
import { planDns } from '../../../src/dns/plan.js';
import { OWNER_MARKER } from '../../../src/dns/ownership.js';
import { inventory, record, ZONE, type ServerSpec } from './inventory.js';

const servers = (n: number, offset = 0): ServerSpec[] =>
  Array.from({ length: n }, (_, i) => ({ name: `srv${i + 1 + offset}`, ipv4: `198.51.100.${i + 1 + offset}`, roles: ['marzban'] }));

describe('batchChunks', () => {
  it('turns deletes into ids, updates into patches (every field, so tags and settings stay), creates into posts', () => {
    const zone = [record('srv1', '192.0.2.1'), record('old', '192.0.2.9')];
    const [chunk, ...rest] = batchChunks(planDns(inventory(servers(2)), zone).changes);
    expect(rest).toEqual([]);
    expect(chunk!.deletes).toEqual([{ id: zone[1]!.id }]);
    expect(chunk!.patches).toEqual([{ id: zone[0]!.id, name: `srv1.${ZONE}`, type: 'A', content: '198.51.100.1', ttl: 1, proxied: false, comment: OWNER_MARKER }]);
    expect(chunk!.posts).toEqual([{ name: `srv2.${ZONE}`, type: 'A', content: '198.51.100.2', ttl: 1, proxied: false, comment: OWNER_MARKER }]);
  });

  it('cuts at the limit and keeps deletes → updates → creates across chunks', () => {
    const zone = [...Array.from({ length: 150 }, (_, i) => record(`gone${i}`, '192.0.2.1')), ...servers(100).map((s) => record(s.name, '192.0.2.2'))];
    const plan = planDns(inventory(servers(250)), zone);
    expect(plan.changes).toHaveLength(400);
    const chunks = batchChunks(plan.changes, 200);
    expect(chunks.map((c) => [c.deletes.length, c.patches.length, c.posts.length])).toEqual([
      [150, 50, 0],
      [0, 50, 150],
    ]);
    expect(chunks.flatMap((c) => c.changes)).toEqual(plan.changes);
  });

  it('makes no chunk for no change, and refuses a nonsense limit', () => {
    expect(batchChunks([])).toEqual([]);
    expect(() => batchChunks([], 0)).toThrow(/positive integer/);
  });
});
