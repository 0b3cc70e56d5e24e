import { describe, expect, it } from 'vitest';
import { countChanges, planDns } from '../../../src/dns/plan.js';
import { OWNER_MARKER } from '../../../src/dns/ownership.js';
import { FLEET, inventory, lines, record, ZONE, type ServerSpec } from './inventory.js';

/** The zone as FLEET wants it, all owned. */
const inSync = () => [
  record('db', '203.0.113.10'),
  record('go', '203.0.113.11'),
  record('go', '2001:db8::11', { type: 'AAAA' }),
  record('mngmt', '203.0.113.10'),
  record('podpiska', '203.0.113.10'),
  record('srv1', '198.51.100.21'),
  record('srv2', '198.51.100.22'),
];

describe('planDns', () => {
  it('creates every wanted record in an empty zone, each marked as weclick-owned', () => {
    const plan = planDns(inventory(), []);
    expect(lines(plan.changes)).toEqual([
      'create db A -→203.0.113.10',
      'create go A -→203.0.113.11',
      'create go AAAA -→2001:db8::11',
      'create mngmt A -→203.0.113.10',
      'create podpiska A -→203.0.113.10',
      'create srv1 A -→198.51.100.21',
      'create srv2 A -→198.51.100.22',
    ]);
    expect(plan.changes.every((c) => c.after!.comment === OWNER_MARKER && c.after!.ttl === 1 && c.after!.proxied === false)).toBe(true);
  });

  it('plans nothing for a zone already in sync', () => {
    const plan = planDns(inventory(), inSync());
    expect(plan.changes).toEqual([]);
    expect(plan).toMatchObject({ unchanged: 7, owned: 7, unowned: 0, conflicts: [] });
  });

  it('updates owned records whose IP, TTL or proxying changed, and deletes owned ones the inventory no longer wants', () => {
    const zone = inSync();
    zone[5] = record('srv1', '192.0.2.99'); // srv1 moved
    zone[1] = record('go', '203.0.113.11', { proxied: true }); // someone turned the proxy on: weclick turns it off
    zone.push(record('srv3', '198.51.100.23'), record('srv1', '2001:db8::21', { type: 'AAAA' })); // retired; lost its IPv6
    const plan = planDns(inventory(), zone);
    expect(lines(plan.changes)).toEqual([
      'delete srv1 AAAA 2001:db8::21→-',
      'delete srv3 A 198.51.100.23→-',
      'update go A 203.0.113.11→203.0.113.11',
      'update srv1 A 192.0.2.99→198.51.100.21',
    ]);
    expect(plan.changes[2]).toMatchObject({ before: { proxied: true }, after: { proxied: false } });
    expect(plan.unchanged).toBe(5);
  });

  it('keeps the comment of an updated record (ours, with the user text around the marker)', () => {
    const zone = inSync();
    zone[5] = record('srv1', '192.0.2.99', { comment: `rented in Amsterdam; ${OWNER_MARKER}` });
    const update = planDns(inventory(), zone).changes.find((c) => c.action === 'update')!;
    expect(update.after!.comment).toBe(`rented in Amsterdam; ${OWNER_MARKER}`);
  });

  it('never touches records it does not own, and never deletes them', () => {
    const zone = [...inSync(), record('www', '192.0.2.1', { comment: null }), record('srv9', '192.0.2.9', { comment: 'old box' }), record('mail', '192.0.2.2', { type: 'MX', comment: null })];
    const plan = planDns(inventory(), zone);
    expect(plan.changes).toEqual([]);
    expect(plan.conflicts).toEqual([]);
    expect(plan).toMatchObject({ owned: 7, unowned: 3 });
  });

  it('reports an unowned record with another value where a record is wanted, and does not create next to it', () => {
    const zone = inSync().filter((r) => !r.name.startsWith('srv1.'));
    zone.push(record('srv1', '192.0.2.50', { comment: 'hand made' }));
    const plan = planDns(inventory(), zone);
    expect(plan.changes).toEqual([]);
    expect(plan.conflicts).toHaveLength(1);
    expect(plan.conflicts[0]).toMatchObject({ name: `srv1.${ZONE}`, content: '192.0.2.50', comment: 'hand made' });
    expect(plan.conflicts[0]!.problem).toMatch(/not weclick's and in the way of A 198\.51\.100\.21 \(server srv1\)/);
  });

  it('reports an unowned CNAME at a wanted name as a conflict', () => {
    const zone = inSync().filter((r) => !r.name.startsWith('podpiska.'));
    zone.push(record('podpiska', 'shop.example.net', { type: 'CNAME', comment: null }));
    const plan = planDns(inventory(), zone);
    expect(plan.changes).toEqual([]);
    expect(plan.conflicts.map((c) => `${c.type} ${c.content}`)).toEqual(['CNAME shop.example.net']);
  });

  it('deletes an owned CNAME that stands where an A record is now wanted (deletes run before creates)', () => {
    const zone = inSync().filter((r) => !r.name.startsWith('podpiska.'));
    zone.push(record('podpiska', 'old.example.net', { type: 'CNAME' }));
    expect(lines(planDns(inventory(), zone).changes)).toEqual(['delete podpiska CNAME old.example.net→-', 'create podpiska A -→203.0.113.10']);
  });

  it('treats an unowned record holding the wanted value as a conflict, and adopts it with --adopt, keeping the user comment', () => {
    const zone = inSync().filter((r) => !r.name.startsWith('mngmt.'));
    const handMade = record('mngmt', '203.0.113.10', { comment: 'set up by hand', ttl: 3600 });
    zone.push(handMade);
    const plain = planDns(inventory(), zone);
    expect(plain.changes).toEqual([]); // not created again beside it either: that would be a duplicate
    expect(plain.conflicts[0]!.problem).toMatch(/matches the inventory .* --adopt takes it over/);

    const adopting = planDns(inventory(), zone, { adopt: true });
    expect(adopting.conflicts).toEqual([]);
    expect(adopting.changes).toEqual([
      {
        action: 'adopt',
        name: `mngmt.${ZONE}`,
        type: 'A',
        id: handMade.id,
        before: { content: '203.0.113.10', ttl: 3600, proxied: false, comment: 'set up by hand' },
        after: { content: '203.0.113.10', ttl: 1, proxied: false, comment: `set up by hand; ${OWNER_MARKER}` },
        reasons: ['server mngmt', 'management name (management on mngmt)'],
      },
    ]);
  });

  it('adopts only matching values: an unowned record with another value stays a conflict under --adopt', () => {
    const zone = inSync().filter((r) => !r.name.startsWith('srv1.'));
    zone.push(record('srv1', '192.0.2.50', { comment: null }));
    const plan = planDns(inventory(), zone, { adopt: true });
    expect(plan.changes).toEqual([]);
    expect(plan.conflicts).toHaveLength(1);
  });

  it('creates the missing values of a round-robin name beside an unowned record that holds one of them', () => {
    const servers: ServerSpec[] = [...FLEET, { name: 'go2', ipv4: '203.0.113.12', roles: ['proxy'] }];
    const zone = [...inSync(), record('go2', '203.0.113.12')].filter((r) => !(r.name === `go.${ZONE}` && r.type === 'A'));
    zone.push(record('go', '203.0.113.11', { comment: null }));
    const plan = planDns(inventory(servers), zone);
    expect(lines(plan.changes)).toEqual(['create go A -→203.0.113.12']);
    expect(plan.conflicts.map((c) => c.content)).toEqual(['203.0.113.11']);
  });

  it('moves owned records to new values pairwise, and matches unchanged values first (no needless churn)', () => {
    const servers: ServerSpec[] = [...FLEET, { name: 'go2', ipv4: '203.0.113.12', roles: ['proxy'] }, { name: 'go3', ipv4: '203.0.113.13', roles: ['proxy'] }];
    const zone = [...inSync(), record('go2', '203.0.113.12'), record('go3', '203.0.113.13'), record('go', '203.0.113.99'), record('go', '203.0.113.12')];
    expect(lines(planDns(inventory(servers), zone).changes)).toEqual(['update go A 203.0.113.99→203.0.113.13']);
  });

  it('compares names case-insensitively and IPv6 in any spelling', () => {
    const zone = inSync().map((r) => ({ ...r, name: r.name.toUpperCase(), content: r.type === 'AAAA' ? '2001:DB8:0:0:0:0:0:11' : r.content }));
    expect(planDns(inventory(), zone).changes).toEqual([]);
  });

  it('counts changes by action', () => {
    const zone = [...inSync().slice(1), record('srv3', '198.51.100.23')];
    expect(countChanges(planDns(inventory(), zone))).toEqual({ create: 1, update: 0, delete: 1, adopt: 0 });
  });

  it('passes the desired-state problems and warnings through', () => {
    const plan = planDns(inventory([{ name: 'srv1', ipv4: '198.51.100.21', roles: ['marzban'], hostname: 'srv1.elsewhere.example' }]), []);
    expect(plan.problems).toHaveLength(1);
    expect(plan.warnings).toHaveLength(4); // no holder for proxy, subscription, management, mysql
  });
});
