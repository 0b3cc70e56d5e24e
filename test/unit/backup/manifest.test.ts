import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../../src/backup/catalog.js';
import { buildManifest, CAPTION_LIMIT, formatBytes, manifestCaption, partCaption, partName, splitMessage } from '../../../src/backup/manifest.js';

const entry = (tables: number): CatalogEntry => ({
  id: '20250101-120000-ab12',
  status: 'done',
  createdAt: '2025-01-01T12:00:00.000Z',
  source: { host: 'mngmt', database: 'marzban', serverVersion: '10.11.19-MariaDB' },
  chat: '-100',
  recipients: ['age1xyz'],
  parts: [1, 2].map((i) => ({ index: i, name: partName('20250101-120000-ab12', i), bytes: 19 * 1024 * 1024, sha256: 'a'.repeat(64), messageId: 10 + i, fileId: `F${i}`, fileUniqueId: `U${i}`, date: 1, state: 'present' as const })),
  sizes: { sqlBytes: 300 * 1024 * 1024, compressedBytes: 38 * 1024 * 1024, encryptedBytes: 38 * 1024 * 1024 + 100 },
  tables: Array.from({ length: tables }, (_, i) => ({ name: `table_with_a_long_name_${i}`, rows: 100_000 - i, checksum: 'c'.repeat(64) })),
  files: [{ path: '/opt/marzban/.env', bytes: 10, sha256: 'd'.repeat(64) }],
});

describe('captions and the manifest', () => {
  it('a part caption names the backup, part i/n and its sha256; "?" while the total is unknown', () => {
    expect(partCaption('20250101-120000-ab12', 2, 5, 19 * 1024 * 1024, 'f'.repeat(64))).toBe(`weclick backup 20250101-120000-ab12\npart 2/5 · 19 MB\nsha256 ${'f'.repeat(64)}`);
    expect(partCaption('x', 1, undefined, 10, 'f')).toContain('part 1/?');
    expect(partName('20250101-120000-ab12', 7)).toBe('weclick-20250101-120000-ab12.part007.age');
  });

  it('the manifest holds id, time, source, sizes, part hashes and message/file ids, tables with rows — and no secret', () => {
    const m = buildManifest(entry(3), '2025-01-01T12:01:00.000Z', ['--single-transaction']);
    expect(m).toMatchObject({ format: 'weclick-backup-manifest/1', id: '20250101-120000-ab12', finishedAt: '2025-01-01T12:01:00.000Z', source: { host: 'mngmt' }, encryption: { scheme: 'age', recipients: ['age1xyz'] } });
    expect(m.parts.map((p) => [p.index, p.messageId, p.fileId])).toEqual([[1, 11, 'F1'], [2, 12, 'F2']]);
    expect(m.tables[0]).toEqual({ name: 'table_with_a_long_name_0', rows: 100000, checksum: 'c'.repeat(64) });
  });

  it('the manifest caption fits 1024 characters however many tables there are, biggest tables first', () => {
    for (const n of [0, 1, 5, 200]) {
      const caption = manifestCaption(buildManifest(entry(n), '2025-01-01T12:01:00.000Z', []));
      expect(caption.length).toBeLessThanOrEqual(CAPTION_LIMIT);
      expect(caption).toContain('weclick backup 20250101-120000-ab12 — manifest');
      expect(caption).toContain('2 parts · 38 MB encrypted · 300 MB SQL');
      if (n === 200) expect(caption).toMatch(/… and \d+ more$/);
      if (n === 5) expect(caption).toContain('table_with_a_long_name_0 100,000, table_with_a_long_name_1 99,999');
    }
  });

  it('splitMessage keeps messages within 4096 characters, cutting at line ends', () => {
    expect(splitMessage('short')).toEqual(['short']);
    const lines = Array.from({ length: 300 }, (_, i) => `server-${i} expires in ${i} days`);
    const pieces = splitMessage(lines.join('\n'));
    expect(pieces.length).toBeGreaterThan(1);
    pieces.forEach((p) => expect(p.length).toBeLessThanOrEqual(4096));
    expect(pieces.join('\n')).toBe(lines.join('\n'));
    expect(splitMessage('x'.repeat(9000)).map((p) => p.length)).toEqual([4096, 4096, 808]);
    expect(splitMessage('\n\n')).toEqual([]);
  });

  it('formatBytes', () => {
    expect([0, 1023, 1024, 1536, 19 * 1024 * 1024, 3 * 1024 ** 3].map(formatBytes)).toEqual(['0 B', '1023 B', '1.0 KB', '1.5 KB', '19 MB', '3.0 GB']);
  });
});
