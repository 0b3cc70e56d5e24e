import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTuples, DumpScanner } from '../../../src/backup/dump-scan.js';

const KEY = Buffer.alloc(32, 7);

// The two shapes mysqldump writes: MariaDB ≥ 10.11.x one row per line, MySQL (and older MariaDB) one line per statement.
const MARIADB = `/*M!999999\\- enable the sandbox mode */
-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)
--
-- Server version\t10.11.19-MariaDB-0+deb12u1
DROP TABLE IF EXISTS \`users\`;
CREATE TABLE \`users\` (
  \`id\` int(11) NOT NULL,
  \`note\` varchar(500) DEFAULT NULL
) ENGINE=InnoDB;
LOCK TABLES \`users\` WRITE;
INSERT INTO \`users\` VALUES
(1,'it\\'s (paid),(twice)'),
(2,'back\\\\slash\\\\'),
(3,'line\\nbreak; and ); too'),
(4,NULL),
(5,'ünïcödé 🙂 \\'\\'');
UNLOCK TABLES;
CREATE TABLE \`empty\` (\`id\` int) ENGINE=InnoDB;
CREATE TABLE \`we\`\`ird\` (\`id\` int) ENGINE=InnoDB;
INSERT INTO \`we\`\`ird\` VALUES
(1);
-- Dump completed on 2026-11-26 15:48:20
`;

const MYSQL = `-- Server version\t8.0.36
CREATE TABLE \`users\` (\`id\` int, \`note\` text);
INSERT INTO \`users\` VALUES (1,'a,(b)'),(2,'c\\')'),(3,'it''s doubled');
INSERT INTO \`users\` VALUES (4,0x28293B);
-- Dump completed on 2024-01-01 00:00:00
`;

function scan(text: string, chunk = text.length): ReturnType<DumpScanner['finish']> {
  const s = new DumpScanner(KEY);
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunk) s.write(bytes.subarray(i, i + chunk));
  return s.finish();
}

describe('DumpScanner', () => {
  it('counts rows per table in MariaDB one-row-per-line dumps, strings with quotes, parentheses, ; and escapes included', () => {
    const r = scan(MARIADB);
    expect(r.tables.map((t) => [t.name, t.rows])).toEqual([['users', 5], ['empty', 0], ['we`ird', 1]]);
    expect(r.completed).toBe(true);
    expect(r.serverVersion).toBe('10.11.19-MariaDB-0+deb12u1');
    expect(r.sqlBytes).toBe(Buffer.byteLength(MARIADB));
  });

  it('counts rows in MySQL one-line extended inserts, backslash and doubled-quote escapes, hex blobs', () => {
    const r = scan(MYSQL);
    expect(r.tables).toHaveLength(1);
    expect(r.tables[0]!.rows).toBe(4);
    expect(r.completed).toBe(true);
  });

  it('without the "Dump completed" line the dump is reported incomplete', () => {
    expect(scan(MARIADB.replace(/-- Dump completed.*\n/, '')).completed).toBe(false);
  });

  it('the same bytes give the same counts and checksums however the stream is cut', () => {
    const whole = scan(MARIADB);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (chunk) => {
        expect(scan(MARIADB, chunk)).toEqual(whole);
      }),
      { numRuns: 60 },
    );
  });

  it('checksums change with any row content, are keyed, and ignore everything but INSERT lines', () => {
    const base = scan(MARIADB).tables[0]!.checksum;
    expect(scan(MARIADB.replace("(4,NULL)", "(4,'')")).tables[0]!.checksum).not.toBe(base);
    expect(scan(MARIADB.replace('ENGINE=InnoDB;', 'ENGINE=InnoDB AUTO_INCREMENT=9;')).tables[0]!.checksum).toBe(base);
    const other = new DumpScanner(Buffer.alloc(32, 8));
    other.write(Buffer.from(MARIADB));
    expect(other.finish().tables[0]!.checksum).not.toBe(base);
  });

  it('countTuples counts only top-level tuples inside [from, end)', () => {
    const line = Buffer.from("(1,'a(b)c'),(2,'x\\\\'),(3,'y\\')z'),(4,'''')");
    expect(countTuples(line, 0, line.length)).toBe(4);
    expect(countTuples(line, 0, line.indexOf('(2'))).toBe(1);
  });
});
