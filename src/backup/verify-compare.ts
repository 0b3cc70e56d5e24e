import type { TableSummary } from './catalog.js';

export interface TableDifference {
  table: string;
  problem: 'missing' | 'unexpected' | 'rows' | 'checksum';
  expected?: number | string;
  actual?: number | string;
}

/** What differs between the manifest's tables and a copy's (pure; empty when they match). */
export function compareTables(expected: TableSummary[], actual: TableSummary[]): TableDifference[] {
  const got = new Map(actual.map((t) => [t.name, t]));
  const want = new Map(expected.map((t) => [t.name, t]));
  const out: TableDifference[] = [];
  for (const table of expected) {
    const copy = got.get(table.name);
    if (!copy) out.push({ table: table.name, problem: 'missing' });
    else if (copy.rows !== table.rows) out.push({ table: table.name, problem: 'rows', expected: table.rows, actual: copy.rows });
    else if (copy.checksum !== table.checksum) out.push({ table: table.name, problem: 'checksum', expected: table.checksum, actual: copy.checksum });
  }
  for (const table of actual) if (!want.has(table.name)) out.push({ table: table.name, problem: 'unexpected', actual: table.rows });
  return out;
}

export function describeDifference(d: TableDifference): string {
  if (d.problem === 'missing') return `${d.table}: missing from the copy`;
  if (d.problem === 'unexpected') return `${d.table}: in the copy but not in the manifest (${d.actual} rows)`;
  if (d.problem === 'rows') return `${d.table}: ${d.actual} rows, the manifest says ${d.expected}`;
  return `${d.table}: same row count, different content (checksum ${String(d.actual).slice(0, 12)}…, expected ${String(d.expected).slice(0, 12)}…)`;
}
