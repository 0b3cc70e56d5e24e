import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PART_BYTES, parsePartSize, PartCutter } from '../../../src/backup/part-cutter.js';

describe('PartCutter', () => {
  it('cuts any stream into parts of exactly the size (the last shorter) that join back to the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 1, max: 700 }), fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 20 }), (data, size, cuts) => {
        const cutter = new PartCutter(size);
        const parts: Buffer[] = [];
        let at = 0;
        for (let i = 0; at < data.length; i++) {
          const n = cuts[i % cuts.length]!;
          parts.push(...cutter.push(data.subarray(at, at + n)));
          at += n;
        }
        const last = cutter.flush();
        if (last) parts.push(last);
        expect(Buffer.concat(parts).equals(Buffer.from(data))).toBe(true);
        parts.slice(0, -1).forEach((p) => expect(p.length).toBe(size));
        if (parts.length) expect(parts.at(-1)!.length).toBeLessThanOrEqual(size);
        expect(parts.length).toBe(Math.ceil(data.length / size));
      }),
    );
  });

  it('does not keep references to the caller\'s buffers', () => {
    const cutter = new PartCutter(10);
    const input = Buffer.from('abcdef');
    cutter.push(input);
    input.fill(0);
    expect(cutter.flush()!.toString()).toBe('abcdef');
  });

  it('parsePartSize accepts 64K … 19M and refuses more (a bot downloads at most 20 MB)', () => {
    expect(parsePartSize('19M')).toBe(MAX_PART_BYTES);
    expect(parsePartSize('512K')).toBe(512 * 1024);
    expect(parsePartSize('1.5M')).toBe(1.5 * 1024 * 1024);
    expect(parsePartSize('20M')).toBeUndefined();
    expect(parsePartSize('1K')).toBeUndefined();
    expect(parsePartSize('lots')).toBeUndefined();
  });
});
