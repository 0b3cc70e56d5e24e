import { describe, expect, it } from 'vitest';
import { countStatement, decodeCursor, encodeCursor, listStatement } from '../../../src/users/list-query.js';

const NOW = 1_800_000_000;

describe('users list SQL', () => {
  it('first page: placeholders for every filter value, keyset order with id as tie-break, one extra row', () => {
    const s = listStatement({ statuses: ['active', 'on_hold'], expiringDays: 7, abovePercent: 90, admin: "o'brien", sort: 'expire', descending: false, limit: 50, now: NOW });
    expect(s.sql).toContain('u.status IN (?, ?)');
    expect(s.sql).toContain('u.expire <= ?');
    expect(s.sql).toContain('COALESCE(u.used_traffic, 0) * 100 >= u.data_limit * ?');
    expect(s.sql).toContain('a.username = ?');
    expect(s.sql).toMatch(/ORDER BY COALESCE\(u\.expire, 2147483647\) ASC, u\.id ASC LIMIT 51$/);
    expect(s.values).toEqual(['active', 'on_hold', NOW + 7 * 86400, 90, "o'brien"]);
    expect(s.sql).not.toContain("o'brien");
  });

  it('next page: strictly after the cursor (value, id), in the sort direction', () => {
    const cursor = encodeCursor(1024, 77);
    const s = listStatement({ sort: 'usage', descending: true, limit: 10, after: cursor, now: NOW });
    expect(s.sql).toContain('WHERE (COALESCE(u.used_traffic, 0) < ? OR (COALESCE(u.used_traffic, 0) = ? AND u.id > ?))');
    expect(s.values).toEqual([1024, 1024, 77]);
  });

  it('prefix search escapes LIKE wildcards', () => {
    expect(listStatement({ prefix: 'a_%', sort: 'username', descending: false, limit: 5, now: NOW }).values).toEqual(['a\\_\\%%']);
  });

  it('counts with the same filters (joining admins only when filtering by admin)', () => {
    expect(countStatement({ statuses: ['expired'] }, NOW)).toEqual({ sql: 'SELECT COUNT(*) AS total FROM users u  WHERE u.status IN (?)', values: ['expired'] });
  });

  it('cursors round-trip (dates as UTC text) and garbage is refused', () => {
    expect(decodeCursor(encodeCursor(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), 9))).toEqual({ value: '2026-01-02 03:04:05', id: 9 });
    expect(() => decodeCursor('nope')).toThrow(/not a cursor/);
    expect(() => decodeCursor(Buffer.from('[{"a":1},2]').toString('base64url'))).toThrow(/not a cursor/);
  });
});
