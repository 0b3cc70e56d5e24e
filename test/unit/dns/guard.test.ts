import { describe, expect, it } from 'vitest';
import { checkGuard } from '../../../src/dns/guard.js';
import { planDns } from '../../../src/dns/plan.js';
import { inventory, record, type ServerSpec } from './inventory.js';

const changes = (updates: number, deletes: number, creates = 0, adopts = 0) => [
  ...Array.from({ length: updates }, () => ({ action: 'update' })),
  ...Array.from({ length: deletes }, () => ({ action: 'delete' })),
  ...Array.from({ length: creates }, () => ({ action: 'create' })),
  ...Array.from({ length: adopts }, () => ({ action: 'adopt' })),
];

describe('the mass-change guard', () => {
  it('trips when more than 30% of at least 10 owned records would be updated or deleted', () => {
    expect(checkGuard(10, changes(2, 2))).toMatchObject({ owned: 10, touched: 4, share: 0.4, tripped: true });
    expect(checkGuard(10, changes(2, 2)).reason).toBe(
      '4 of 10 owned records (40%) would be updated or deleted, more than 30% of a zone with 10 or more owned records; check the plan, then re-run with --force',
    );
  });

  it('allows exactly 30%', () => {
    expect(checkGuard(10, changes(1, 2)).tripped).toBe(false);
  });

  it('does not apply to a zone of fewer than 10 owned records', () => {
    expect(checkGuard(9, changes(9, 0)).tripped).toBe(false);
    expect(checkGuard(0, changes(0, 0, 50)).tripped).toBe(false);
  });

  it('does not count creates and adoptions', () => {
    expect(checkGuard(10, changes(0, 0, 500, 40)).tripped).toBe(false);
  });

  it('is part of every plan: moving 4 of 10 servers to new addresses trips it', () => {
    const servers: ServerSpec[] = Array.from({ length: 10 }, (_, i) => ({ name: `srv${i + 1}`, ipv4: `198.51.100.${i + 1}`, roles: ['marzban'] }));
    const zone = servers.map((s, i) => record(s.name, i < 4 ? `192.0.2.${i + 1}` : s.ipv4));
    const plan = planDns(inventory(servers), zone);
    expect(plan.guard).toMatchObject({ owned: 10, touched: 4, tripped: true });
    const fewer = planDns(inventory(servers), servers.map((s, i) => record(s.name, i < 3 ? `192.0.2.${i + 1}` : s.ipv4)));
    expect(fewer.guard).toMatchObject({ touched: 3, tripped: false });
  });
});
