import type { Pool, RowDataPacket } from 'mysql2/promise';

/** What a copy of a database must agree on, table by table. */
export interface TableCensus {
  table: string;
  rows: number;
  /** CHECKSUM TABLE; null when the engine cannot tell. */
  checksum: string | null;
}

export async function tableCensus(pool: Pool, database: string): Promise<TableCensus[]> {
  const [tables] = await pool.query<RowDataPacket[]>("SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", [database]);
  const census: TableCensus[] = [];
  for (const { name } of tables) {
    const qualified = `${pool.escapeId(database)}.${pool.escapeId(String(name))}`;
    const [[count]] = await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${qualified}`);
    const [[sum]] = await pool.query<RowDataPacket[]>(`CHECKSUM TABLE ${qualified}`);
    census.push({ table: String(name), rows: Number(count!.n), checksum: sum!.Checksum === null ? null : String(sum!.Checksum) });
  }
  return census;
}

/** Differences between the original and the copy, one line each (empty when identical). */
export function compareCopies(original: TableCensus[], copy: TableCensus[]): string[] {
  const lines: string[] = [];
  const copied = new Map(copy.map((t) => [t.table, t]));
  for (const t of original) {
    const c = copied.get(t.table);
    if (!c) lines.push(`${t.table}: missing in the copy`);
    else if (c.rows !== t.rows) lines.push(`${t.table}: ${t.rows} rows, the copy has ${c.rows}`);
    else if (t.checksum !== null && c.checksum !== null && t.checksum !== c.checksum) lines.push(`${t.table}: checksum ${t.checksum}, the copy has ${c.checksum}`);
  }
  const known = new Set(original.map((t) => t.table));
  for (const c of copy) if (!known.has(c.table)) lines.push(`${c.table}: only in the copy`);
  return lines;
}
