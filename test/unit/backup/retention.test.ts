import { describe, expect, it } from 'vitest';
import { applyRetention, isoWeekKey, type DatedBackup } from '../../../src/backup/retention.js';

const at = (iso: string, id = iso): DatedBackup => ({ id, createdAt: iso });
const none = { last: 0, daily: 0, weekly: 0, monthly: 0 };

describe('applyRetention (pure; periods in UTC)', () => {
  it('keeps the newest N whatever their dates', () => {
    const backups = ['2025-03-01T00:00:00Z', '2025-03-01T06:00:00Z', '2025-03-01T12:00:00Z', '2025-03-01T18:00:00Z'].map((d) => at(d));
    const r = applyRetention(backups, { ...none, last: 2 });
    expect(r.keep.map((k) => k.id)).toEqual(['2025-03-01T18:00:00Z', '2025-03-01T12:00:00Z']);
    expect(r.remove).toEqual(['2025-03-01T06:00:00Z', '2025-03-01T00:00:00Z']);
  });

  it('daily keeps the newest backup of each of the last D days that have one (gaps do not count)', () => {
    // Four backups a day on 1, 2 and 5 March; nothing on 3 and 4 March.
    const days = ['2025-03-01', '2025-03-02', '2025-03-05'];
    const backups = days.flatMap((d) => ['00', '06', '12', '18'].map((h) => at(`${d}T${h}:00:00Z`)));
    const r = applyRetention(backups, { ...none, daily: 3 });
    expect(r.keep.map((k) => k.id)).toEqual(['2025-03-05T18:00:00Z', '2025-03-02T18:00:00Z', '2025-03-01T18:00:00Z']);
    expect(r.remove).toHaveLength(9);
  });

  it('weekly uses ISO weeks: a Sunday and the following Monday are different weeks, Monday–Sunday the same', () => {
    expect(isoWeekKey(new Date('2025-03-09T23:59:59Z'))).toBe('2025-W10'); // Sunday
    expect(isoWeekKey(new Date('2025-03-10T00:00:00Z'))).toBe('2025-W11'); // Monday
    expect(isoWeekKey(new Date('2024-12-30T12:00:00Z'))).toBe('2025-W01'); // belongs to the next ISO year
    expect(isoWeekKey(new Date('2021-01-03T12:00:00Z'))).toBe('2020-W53');
    const r = applyRetention([at('2025-03-03T10:00:00Z'), at('2025-03-09T10:00:00Z'), at('2025-03-10T10:00:00Z')], { ...none, weekly: 2 });
    expect(r.keep.map((k) => k.id)).toEqual(['2025-03-10T10:00:00Z', '2025-03-09T10:00:00Z']);
    expect(r.remove).toEqual(['2025-03-03T10:00:00Z']);
  });

  it('monthly keeps the newest of each month, across a year end', () => {
    const backups = ['2024-11-15', '2024-11-30', '2024-12-01', '2024-12-31', '2025-01-01', '2025-01-20'].map((d) => at(`${d}T12:00:00Z`));
    const r = applyRetention(backups, { ...none, monthly: 3 });
    expect(r.keep.map((k) => k.id)).toEqual(['2025-01-20T12:00:00Z', '2024-12-31T12:00:00Z', '2024-11-30T12:00:00Z']);
  });

  it('rules add up and each kept backup says why', () => {
    // Every 6 hours for 40 days, the default-like policy.
    const start = Date.parse('2025-01-01T00:00:00Z');
    const backups = Array.from({ length: 160 }, (_, i) => at(new Date(start + i * 6 * 3600_000).toISOString()));
    const r = applyRetention(backups, { last: 7, daily: 7, weekly: 4, monthly: 6 });
    const newest = backups.at(-1)!.id;
    expect(r.keep[0]).toEqual({ id: newest, reasons: ['last', 'daily', 'weekly', 'monthly'] });
    // 7 last (the newest 2 days) + daily reaching back 7 days + weekly + monthly (January and February).
    expect(r.keep.length).toBe(7 + 5 + 3 + 1);
    expect(r.keep.find((k) => k.id === '2025-01-31T18:00:00.000Z')!.reasons).toContain('monthly');
    expect(r.keep.length + r.remove.length).toBe(160);
    expect(new Set([...r.keep.map((k) => k.id), ...r.remove]).size).toBe(160);
  });

  it('is pure: input order does not matter and the input is not changed', () => {
    const backups = ['2025-05-02T00:00:00Z', '2025-05-01T00:00:00Z', '2025-05-03T00:00:00Z'].map((d) => at(d));
    const copy = structuredClone(backups);
    const a = applyRetention(backups, { ...none, last: 1, daily: 2 });
    const b = applyRetention([...backups].reverse(), { ...none, last: 1, daily: 2 });
    expect(a).toEqual(b);
    expect(backups).toEqual(copy);
    expect(applyRetention([], { last: 7, daily: 7, weekly: 4, monthly: 6 })).toEqual({ keep: [], remove: [] });
  });
});
