import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '../../../src/expiry/calendar-day.js';
import { findExpiring } from '../../../src/expiry/expiring.js';
import type { Inventory } from '../../../src/inventory/schema.js';
import { EXAMPLE, fleetWith, load } from './fleet-fixture.js';
import { MONITORING } from '../../../src/ui/exit-codes.js';


const TODAY = '2025-01-30';

describe('findExpiring on the example', () => {
  const example = load(EXAMPLE);

  it('with a window covering every expiry: all 7 servers, soonest first, CRITICAL', () => {
    const last = example.servers.map((s) => s.expires).sort().at(-1)!;
    const report = findExpiring(example, { today: TODAY, days: daysBetween(TODAY, last), critical: 3 });
    expect(report.servers).toHaveLength(7);
    const expected = [...example.servers].sort((a, b) => a.expires.localeCompare(b.expires) || a.name.localeCompare(b.name)).map((s) => s.name);
    expect(report.servers.map((s) => s.name)).toEqual(expected);
    expect(report.status).toBe('CRITICAL');
    expect(report.exitCode).toBe(MONITORING.critical);
    for (const s of report.servers) {
      const server = example.servers.find((x) => x.name === s.name)!;
      expect(s).toMatchObject({ hostname: server.hostname, provider: server.provider, expires: server.expires, daysLeft: daysBetween(TODAY, server.expires), roles: server.roles, state: server.state, price: server.price });
    }
  });

  it('--days 14 on 2025-01-30: what the window holds, with severities', () => {
    const report = findExpiring(example, { today: TODAY, days: 14, critical: 3 });
    const inWindow = example.servers.filter((s) => daysBetween(TODAY, s.expires) <= 14);
    expect(report.servers.map((s) => s.name).sort()).toEqual(inWindow.map((s) => s.name).sort());
    for (const s of report.servers) {
      expect(s.severity).toBe(s.daysLeft < 0 ? 'expired' : s.daysLeft <= 3 ? 'critical' : 'warning');
    }
    expect(report).toMatchObject({ today: TODAY, days: 14, critical: 3 });
  });
});

describe('severity and the monitoring status', () => {
  it('nothing in the window: OK, exit 0', () => {
    const report = findExpiring(fleetWith([{ name: 'a', expires: addDays(TODAY, 15) }]), { today: TODAY, days: 14, critical: 3 });
    expect(report).toMatchObject({ servers: [], status: 'OK', exitCode: MONITORING.ok });
    expect(MONITORING.ok).toBe(0);
  });

  it('only warnings: WARNING, exit 1', () => {
    const report = findExpiring(fleetWith([{ name: 'a', expires: addDays(TODAY, 14) }, { name: 'b', expires: addDays(TODAY, 4) }]), { today: TODAY, days: 14, critical: 3 });
    expect(report.servers.map((s) => [s.name, s.daysLeft, s.severity])).toEqual([
      ['b', 4, 'warning'],
      ['a', 14, 'warning'],
    ]);
    expect(report).toMatchObject({ status: 'WARNING', exitCode: MONITORING.warning });
    expect(MONITORING.warning).toBe(1);
  });

  it('within --critical days: CRITICAL, exit 2; the threshold is inclusive', () => {
    const report = findExpiring(fleetWith([{ name: 'a', expires: addDays(TODAY, 3) }, { name: 'b', expires: addDays(TODAY, 10) }]), { today: TODAY, days: 14, critical: 3 });
    expect(report.servers.map((s) => s.severity)).toEqual(['critical', 'warning']);
    expect(report).toMatchObject({ status: 'CRITICAL', exitCode: MONITORING.critical });
    expect(MONITORING.critical).toBe(2);
  });

  it('expiring today has 0 days left and is critical, even with --critical 0', () => {
    const report = findExpiring(fleetWith([{ name: 'a', expires: TODAY }]), { today: TODAY, days: 0, critical: 0 });
    expect(report.servers).toEqual([expect.objectContaining({ name: 'a', daysLeft: 0, severity: 'critical' })]);
    expect(report.status).toBe('CRITICAL');
  });

  it('already expired is "expired" and CRITICAL, whatever the window', () => {
    const report = findExpiring(fleetWith([{ name: 'a', expires: addDays(TODAY, -1) }]), { today: TODAY, days: 0, critical: 0 });
    expect(report.servers).toEqual([expect.objectContaining({ name: 'a', daysLeft: -1, severity: 'expired' })]);
    expect(report).toMatchObject({ status: 'CRITICAL', exitCode: MONITORING.critical });
  });

  it('the window is inclusive: --days N holds N days left, not N+1', () => {
    const inventory = fleetWith([{ name: 'a', expires: addDays(TODAY, 14) }, { name: 'b', expires: addDays(TODAY, 15) }]);
    expect(findExpiring(inventory, { today: TODAY, days: 14, critical: 3 }).servers.map((s) => s.name)).toEqual(['a']);
    expect(findExpiring(inventory, { today: TODAY, days: 15, critical: 3 }).servers.map((s) => s.name)).toEqual(['a', 'b']);
  });

  it('raising --critical turns a warning critical', () => {
    const inventory = fleetWith([{ name: 'a', expires: addDays(TODAY, 10) }]);
    expect(findExpiring(inventory, { today: TODAY, days: 14, critical: 9 }).status).toBe('WARNING');
    expect(findExpiring(inventory, { today: TODAY, days: 14, critical: 10 }).status).toBe('CRITICAL');
  });
});

describe('which servers are listed', () => {
  it('retired servers are left out; draining ones stay', () => {
    const report = findExpiring(
      fleetWith([
        { name: 'gone', expires: addDays(TODAY, -30), state: 'retired' },
        { name: 'leaving', expires: addDays(TODAY, 5), state: 'draining' },
      ]),
      { today: TODAY, days: 14, critical: 3 },
    );
    expect(report.servers.map((s) => [s.name, s.state])).toEqual([['leaving', 'draining']]);
    // The retired server being long expired does not make the report critical.
    expect(report.status).toBe('WARNING');
  });

  it('ties are sorted by name', () => {
    const day = addDays(TODAY, 5);
    const report = findExpiring(fleetWith([{ name: 'zeta', expires: day }, { name: 'alpha', expires: day }, { name: 'mid', expires: day }]), { today: TODAY, days: 14, critical: 3 });
    expect(report.servers.map((s) => s.name)).toEqual(['alpha', 'mid', 'zeta']);
  });

  it('price is included only when the inventory has one', () => {
    const report = findExpiring(fleetWith([{ name: 'a', expires: TODAY, price: { monthly: 4.5, currency: 'USD' } }, { name: 'b', expires: TODAY }]), { today: TODAY, days: 14, critical: 3 });
    expect(report.servers[0]!.price).toEqual({ monthly: 4.5, currency: 'USD' });
    expect('price' in report.servers[1]!).toBe(false);
  });

  it('any fleet: sorted soonest first, exactly the servers in the window, status from the worst', () => {
    const spec = fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), offset: fc.integer({ min: -40, max: 40 }), retired: fc.boolean() }), { selector: (s) => s.name, maxLength: 12 });
    fc.assert(
      fc.property(spec, fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), (servers, days, critical) => {
        const inventory = fleetWith(servers.map((s) => ({ name: s.name, expires: addDays(TODAY, s.offset), state: s.retired ? 'retired' : 'active' })));
        const report = findExpiring(inventory, { today: TODAY, days, critical });
        const expected = servers.filter((s) => !s.retired && s.offset <= days);
        expect(report.servers.map((s) => s.name).sort()).toEqual(expected.map((s) => s.name).sort());
        const left = report.servers.map((s) => s.daysLeft);
        expect(left).toEqual([...left].sort((a, b) => a - b));
        const worst = expected.some((s) => s.offset <= critical) ? 'CRITICAL' : expected.length > 0 ? 'WARNING' : 'OK';
        expect(report.status).toBe(worst);
        expect(report.exitCode).toBe({ OK: 0, WARNING: 1, CRITICAL: 2 }[worst]);
      }),
      { numRuns: 150 },
    );
  });
});
