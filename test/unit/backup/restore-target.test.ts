import { describe, expect, it } from 'vitest';
import { decideTarget } from '../../../src/backup/restore-target.js';
import { compareTables, describeDifference } from '../../../src/backup/verify-compare.js';

const target = (live: boolean, tables: string[]) => ({ host: 'mngmt', database: live ? 'marzban' : 'copy', live, existingTables: tables });
const flags = (overLive = false, overwrite = false) => ({ overLive, overwrite });

describe('decideTarget: never over the live database or data without a flag and a confirmation', () => {
  it('refuses the live database without --over-live, and asks with it', () => {
    expect(decideTarget(target(true, ['users']), flags())).toMatchObject({ action: 'refuse', reason: expect.stringMatching(/marzban on mngmt is the live database.*--over-live/) });
    expect(decideTarget(target(true, ['users']), flags(true))).toMatchObject({ action: 'load', confirm: expect.stringMatching(/Replace the LIVE database marzban on mngmt/) });
    // --overwrite alone does not unlock the live database
    expect(decideTarget(target(true, ['users']), flags(false, true)).action).toBe('refuse');
  });

  it('refuses a database that holds tables without --overwrite, naming them; asks with it', () => {
    const tables = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    expect(decideTarget(target(false, tables), flags())).toEqual({ action: 'refuse', reason: 'copy on mngmt already holds 7 table(s) (a, b, c, d, e, … (7 in all)): restore into a new database with --database NAME, or pass --overwrite to load over them' });
    expect(decideTarget(target(false, tables), flags(false, true))).toMatchObject({ action: 'load', confirm: expect.stringContaining('holds 7 table(s)') });
  });

  it('loads into an empty or new database without asking', () => {
    expect(decideTarget(target(false, []), flags())).toEqual({ action: 'load' });
  });
});

describe('compareTables', () => {
  const t = (name: string, rows: number, checksum = 'x') => ({ name, rows, checksum });
  it('reports missing, unexpected, row-count and content differences', () => {
    const diffs = compareTables([t('users', 10), t('proxies', 10), t('admins', 1, 'a')], [t('users', 9), t('admins', 1, 'b'), t('extra', 3)]);
    expect(diffs.map(describeDifference)).toEqual([
      'users: 9 rows, the manifest says 10',
      'proxies: missing from the copy',
      'admins: same row count, different content (checksum b…, expected a…)',
      'extra: in the copy but not in the manifest (3 rows)',
    ]);
    expect(compareTables([t('users', 10)], [t('users', 10)])).toEqual([]);
  });
});
