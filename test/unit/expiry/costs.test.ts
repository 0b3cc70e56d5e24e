import { describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '../../../src/expiry/calendar-day.js';
import { computeCosts } from '../../../src/expiry/costs.js';
import type { Inventory } from '../../../src/inventory/schema.js';
import { EXAMPLE, fleetWith as fleetOf, load, type ServerSpec } from './fleet-fixture.js';

const TODAY = '2025-01-30';

/** Servers without an expiry of their own are paid for 100 days past TODAY. */
function fleetWith(servers: Array<Omit<ServerSpec, 'expires'> & { expires?: string }>): Inventory {
  return fleetOf(servers.map((s) => ({ ...s, expires: s.expires ?? addDays(TODAY, 100) })));
}

describe('computeCosts on the example', () => {
  const example = load(EXAMPLE);
  const report = computeCosts(example, { today: TODAY, window: 30 });

  it('sums the monthly price per provider', () => {
    const providers = [...new Set(example.servers.map((s) => s.provider))].sort((a, b) => a.localeCompare(b));
    expect(report.byProvider.map((r) => r.provider)).toEqual(providers);
    for (const row of report.byProvider) {
      const theirs = example.servers.filter((s) => s.provider === row.provider);
      expect(row.servers).toBe(theirs.length);
      expect(row.monthly).toBeCloseTo(theirs.reduce((sum, s) => sum + s.price!.monthly, 0), 2);
      expect(row.currency).toBe('EUR');
    }
    expect(report.totals).toEqual([{ currency: 'EUR', monthly: example.servers.reduce((sum, s) => sum + s.price!.monthly, 0) }]);
    expect(report.unpriced).toEqual([]);
    expect(report.today).toBe(TODAY);
  });

  it('lists the renewals due within the window, overdue ones included, soonest first', () => {
    const due = example.servers.filter((s) => daysBetween(TODAY, s.expires) <= 30);
    expect(report.due.map((d) => d.name).sort()).toEqual(due.map((s) => s.name).sort());
    const left = report.due.map((d) => d.daysLeft);
    expect(left).toEqual([...left].sort((a, b) => a - b));
    expect(left.some((d) => d < 0)).toBe(true); // srv4 is overdue in the example
    for (const d of report.due) {
      const s = example.servers.find((x) => x.name === d.name)!;
      expect(d).toEqual({ name: s.name, provider: s.provider, expires: s.expires, daysLeft: daysBetween(TODAY, s.expires), amount: s.price!.monthly, currency: s.price!.currency });
    }
    expect(report.dueTotals).toEqual([{ currency: 'EUR', amount: due.reduce((sum, s) => sum + s.price!.monthly, 0) }]);
  });
});

describe('computeCosts', () => {
  it('keeps currencies apart, per provider and in the totals', () => {
    const report = computeCosts(
      fleetWith([
        { name: 'a', provider: 'Hetzner', price: { monthly: 4.51, currency: 'EUR' } },
        { name: 'b', provider: 'Hetzner', price: { monthly: 3.49, currency: 'EUR' } },
        { name: 'c', provider: 'Hetzner', price: { monthly: 6, currency: 'USD' } },
        { name: 'd', provider: 'aeza', price: { monthly: 500, currency: 'RUB' } },
      ]),
      { today: TODAY, window: 30 },
    );
    expect(report.byProvider).toEqual([
      { provider: 'aeza', currency: 'RUB', servers: 1, monthly: 500 },
      { provider: 'Hetzner', currency: 'EUR', servers: 2, monthly: 8 },
      { provider: 'Hetzner', currency: 'USD', servers: 1, monthly: 6 },
    ]);
    expect(report.totals).toEqual([
      { currency: 'EUR', monthly: 8 },
      { currency: 'RUB', monthly: 500 },
      { currency: 'USD', monthly: 6 },
    ]);
  });

  it('rounds sums to cents (no 0.30000000000000004)', () => {
    const report = computeCosts(
      fleetWith([
        { name: 'a', provider: 'p', price: { monthly: 0.1, currency: 'EUR' } },
        { name: 'b', provider: 'p', price: { monthly: 0.2, currency: 'EUR' } },
      ]),
      { today: TODAY, window: 30 },
    );
    expect(report.byProvider[0]!.monthly).toBe(0.3);
    expect(report.totals).toEqual([{ currency: 'EUR', monthly: 0.3 }]);
  });

  it('leaves retired servers out; counts draining ones; lists unpriced ones apart', () => {
    const report = computeCosts(
      fleetWith([
        { name: 'old', provider: 'p', state: 'retired', expires: addDays(TODAY, -5), price: { monthly: 9, currency: 'EUR' } },
        { name: 'going', provider: 'p', state: 'draining', expires: addDays(TODAY, 5), price: { monthly: 2, currency: 'EUR' } },
        { name: 'free', provider: 'q', expires: addDays(TODAY, 1) },
        { name: 'gift', provider: 'q', state: 'retired' },
      ]),
      { today: TODAY, window: 30 },
    );
    expect(report.byProvider).toEqual([{ provider: 'p', currency: 'EUR', servers: 1, monthly: 2 }]);
    expect(report.unpriced).toEqual(['free']);
    // A renewal without a price cannot be totalled: it is in `unpriced`, not in `due`.
    expect(report.due.map((d) => d.name)).toEqual(['going']);
    expect(report.dueTotals).toEqual([{ currency: 'EUR', amount: 2 }]);
  });

  it('the window is inclusive and 0 means due today or overdue', () => {
    const inventory = fleetWith([
      { name: 'today', provider: 'p', expires: TODAY, price: { monthly: 1, currency: 'EUR' } },
      { name: 'late', provider: 'p', expires: addDays(TODAY, -3), price: { monthly: 1, currency: 'EUR' } },
      { name: 'edge', provider: 'p', expires: addDays(TODAY, 10), price: { monthly: 1, currency: 'EUR' } },
      { name: 'after', provider: 'p', expires: addDays(TODAY, 11), price: { monthly: 1, currency: 'EUR' } },
    ]);
    expect(computeCosts(inventory, { today: TODAY, window: 0 }).due.map((d) => [d.name, d.daysLeft])).toEqual([
      ['late', -3],
      ['today', 0],
    ]);
    expect(computeCosts(inventory, { today: TODAY, window: 10 }).due.map((d) => d.name)).toEqual(['late', 'today', 'edge']);
  });

  it('an empty fleet costs nothing', () => {
    const report = computeCosts(fleetWith([]), { today: TODAY, window: 30 });
    expect(report).toEqual({ today: TODAY, byProvider: [], totals: [], due: [], dueTotals: [], unpriced: [] });
  });
});
