import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeHeader, PayloadError, PayloadParser } from '../../../src/backup/payload.js';

const header = {
  id: '20250101-120000-ab12',
  key: Buffer.alloc(32, 9),
  files: [
    { path: '/opt/marzban/.env', bytes: Buffer.from('SQLALCHEMY_DATABASE_URL="mysql+pymysql://marzban:pw@127.0.0.1/marzban"\nFILE 3 "fake"\n') },
    { path: '/var/lib/marzban/xray_config.json', bytes: Buffer.from('') },
    { path: '/opt/marzban/docker-compose.yml', bytes: Buffer.from([0, 10, 255, 10]) },
  ],
};
const sql = Buffer.from('-- MariaDB dump\nINSERT INTO `t` VALUES\n(1);\n-- Dump completed\n');

function parse(bytes: Buffer, chunk: number) {
  const out: Buffer[] = [];
  const parser = new PayloadParser((c) => out.push(Buffer.from(c)));
  for (let i = 0; i < bytes.length; i += chunk) parser.write(bytes.subarray(i, i + chunk));
  parser.end();
  return { header: parser.header, sql: Buffer.concat(out) };
}

describe('payload framing', () => {
  it('round-trips the id, key, files (any bytes, even ones that look like frames) and the SQL, however it is chunked', () => {
    const payload = Buffer.concat([encodeHeader(header), sql]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: payload.length }), (chunk) => {
        const r = parse(payload, chunk);
        expect(r.header.id).toBe(header.id);
        expect(r.header.key).toEqual(header.key);
        expect(r.header.files.map((f) => [f.path, f.bytes.toString('hex')])).toEqual(header.files.map((f) => [f.path, f.bytes.toString('hex')]));
        expect(r.sql.equals(sql)).toBe(true);
      }),
      { numRuns: 80 },
    );
  });

  it('refuses what is not a weclick backup, and a payload cut before its SQL', () => {
    expect(() => parse(Buffer.from('-- MariaDB dump\n'), 100)).toThrow(PayloadError);
    const header1 = encodeHeader(header);
    expect(() => parse(header1.subarray(0, header1.length - 5), 7)).toThrow(/ends before its SQL/);
  });
});
