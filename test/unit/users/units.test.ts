import { describe, expect, it } from 'vitest';
import { InputError, MAX_EXPIRE, formatExpire, formatSize, parseDuration, parseExpire, parseSize } from '../../../src/users/units.js';

const NOW = Date.UTC(2026, 0, 1) / 1000;

describe('sizes (binary, as Marzban counts)', () => {
  it.each([
    ['50GB', 50 * 1024 ** 3],
    ['50gb', 50 * 1024 ** 3],
    ['1.5TB', 1.5 * 1024 ** 4],
    ['500MiB', 500 * 1024 ** 2],
    ['10g', 10 * 1024 ** 3],
    ['1024', 1024],
    ['2 KB', 2048],
  ])('%s → %d bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));
  it.each(['0', 'unlimited', 'none'])('%s means no limit', (text) => expect(parseSize(text)).toBeNull());
  it.each(['', 'GB', '50XB', '-5GB', '5 G B', '1e9', '50GB; DROP TABLE users', '2000PB'])('refuses %j', (text) => expect(() => parseSize(text)).toThrow(InputError));
  it('formats back', () => {
    expect(formatSize(50 * 1024 ** 3)).toBe('50.0 GB');
    expect(formatSize(null)).toBe('unlimited');
    expect(formatSize(512)).toBe('512 B');
  });
});

describe('durations', () => {
  it.each([
    ['30d', 30 * 86400],
    ['12h', 12 * 3600],
    ['2w', 14 * 86400],
    ['1y', 365 * 86400],
    ['1w3d', 10 * 86400],
    ['90min', 5400],
  ])('%s → %d s', (text, seconds) => expect(parseDuration(text)).toBe(seconds));
  it.each(['', '30', 'd', '30m', '30 days', '0d', '-1d', '1.5d', '3d garbage'])('refuses %j', (text) => expect(() => parseDuration(text)).toThrow(InputError));
});

describe('expiry', () => {
  it('a duration counts from now', () => expect(parseExpire('30d', NOW)).toBe(NOW + 30 * 86400));
  it('a day is valid through 23:59:59 UTC', () => expect(parseExpire('2026-12-31', NOW)).toBe(Date.UTC(2026, 11, 31, 23, 59, 59) / 1000));
  it('an ISO time needs a zone', () => {
    expect(parseExpire('2026-06-01T12:00:00Z', NOW)).toBe(Date.UTC(2026, 5, 1, 12) / 1000);
    expect(() => parseExpire('2026-06-01T12:00:00', NOW)).toThrow(/zone/);
  });
  it('never / 0 → null', () => {
    expect(parseExpire('never', NOW)).toBeNull();
    expect(parseExpire('0', NOW)).toBeNull();
  });
  it('refuses the past, impossible days and anything past INT', () => {
    expect(() => parseExpire('2025-12-31', NOW)).toThrow(/in the past/);
    expect(() => parseExpire('2026-02-30', NOW)).toThrow(/real calendar date/);
    expect(() => parseExpire('2040-01-01', NOW)).toThrow(/2038-01-19/);
    expect(() => parseExpire('soon', NOW)).toThrow(InputError);
    expect(parseExpire('2038-01-18', NOW)).toBeLessThanOrEqual(MAX_EXPIRE);
  });
  it('formats', () => {
    expect(formatExpire(null)).toBe('never');
    expect(formatExpire(Date.UTC(2026, 11, 31, 23, 59, 59) / 1000)).toBe('2026-12-31 23:59 UTC');
  });
});
