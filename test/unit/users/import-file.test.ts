import { describe, expect, it } from 'vitest';
import { checkRows, formatOf, readCsv, readJson } from '../../../src/users/import-file.js';
import { exportCsv, exportJson } from '../../../src/users/export-file.js';
import type { UserRecord } from '../../../src/users/repository.js';

const NOW = Date.UTC(2026, 0, 1) / 1000;

describe('CSV import', () => {
  it('reports every bad row with its line, including duplicates and existing users', async () => {
    const text = ['username,data_limit,expire,protocols', 'alice,50GB,30d,vless', 'Bob,50GB,,', 'carol,lots,30d,', 'dave,1GB,2020-01-01,', 'alice,1GB,,', 'erin,,,wireguard', 'frank,1GB', 'taken,,,'].join('\n');
    const { rows, problems } = await readCsv(text);
    expect(problems).toEqual([{ line: 8, message: 'has 2 fields; the header has 4' }]);
    const checked = checkRows(rows, new Set(['taken']), NOW);
    expect(checked.problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 7, 9]);
    expect(checked.problems.find((p) => p.line === 6)!.message).toBe("duplicate username 'alice' (first on line 2)");
    expect(checked.problems.find((p) => p.line === 9)!.message).toBe("user 'taken' already exists");
    expect(checked.specs.map((s) => s.username)).toEqual(['alice']);
  });

  it('counts lines through quoted newlines and skips blank lines', async () => {
    const { rows } = await readCsv('username,note\n\nalice,"two\nlines"\nbob,x\n');
    expect(rows.map((r) => [r.line, r.fields.username])).toEqual([
      [4, 'alice'],
      [5, 'bob'],
    ]);
  });

  it('refuses unknown columns and unreadable CSV', async () => {
    expect((await readCsv('username,colour\nalice,red\n')).problems[0]!.message).toMatch(/unknown column 'colour'/);
    expect((await readCsv('username,note\nalice,"open\n')).problems[0]!.message).toMatch(/unreadable CSV/);
    expect((await readCsv('')).problems[0]!.message).toMatch(/empty/);
  });
});

describe('JSON import', () => {
  it('gives each object the line it starts on; numbers mean bytes and unix seconds', () => {
    const text = '[\n  {"username": "alice", "data_limit": 1024, "expire": 1893456000},\n  {"username": "x"},\n  {"username": "bob", "protocols": ["vless", "trojan"], "colour": 1}\n]';
    const { rows, problems } = readJson(text);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4]);
    expect(problems).toEqual([{ line: 4, message: "unknown field 'colour'" }]);
    const checked = checkRows(rows, new Set(), NOW);
    expect(checked.problems).toEqual([{ line: 3, message: expect.stringContaining("username 'x'") }]);
    expect(checked.specs[0]).toMatchObject({ username: 'alice', dataLimit: 1024, expire: 1893456000 });
    expect(checked.specs[1]!.protocols).toEqual(['VLESS', 'Trojan']);
  });
  it('points at the line of a syntax error', () => expect(readJson('[\n{"username": "a"},\n{oops}\n]').problems[0]!.line).toBe(3));
  it('tells the format from the extension', () => {
    expect(formatOf('users.CSV')).toBe('csv');
    expect(() => formatOf('users.txt')).toThrow(/--format/);
  });
});

describe('export', () => {
  const user: UserRecord = { id: 1, username: 'alice', status: 'active', usedTraffic: 5, dataLimit: 1024, reset: 'month', expire: 1893456000, createdAt: new Date(0), note: '=HYPERLINK("x")', onlineAt: null, onHoldSeconds: null, subRevokedAt: null, admin: null, protocols: ['VLESS', 'Trojan'] };
  it('CSV neutralises formulas and imports back', async () => {
    const csv = await exportCsv([user]);
    expect(csv.split('\n')[0]).toBe('username,status,data_limit,used_traffic,expire,protocols,reset,on_hold,note,admin,created_at');
    expect(csv).toContain(`'=HYPERLINK`);
    const back = checkRows((await readCsv(csv)).rows, new Set(), NOW);
    expect(back.problems).toEqual([]);
    expect(back.specs[0]).toMatchObject({ username: 'alice', dataLimit: 1024, expire: 1893456000, protocols: ['VLESS', 'Trojan'], reset: 'month' });
  });
  it('JSON imports back', () => {
    const back = checkRows(readJson(exportJson([user])).rows, new Set(), NOW);
    expect(back.specs[0]).toMatchObject({ username: 'alice', dataLimit: 1024, expire: 1893456000 });
  });
});
