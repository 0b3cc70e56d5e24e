import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTempName, tempName, writeFileAtomically } from '../../../src/fs/atomic-write.js';

const dir = () => mkdtempSync(join(tmpdir(), 'weclick-atomic-'));
// A pid no Linux process can have (pid_max is at most 2^22): its writer is certainly gone.
const GONE = 2 ** 30;

describe('writeFileAtomically', () => {
  it('writes the content; a given mode is exact, an existing file keeps its mode', async () => {
    const d = dir();
    const file = join(d, 'weclick.secrets.yaml');
    await writeFileAtomically(file, 'a: 1\n', 0o600);
    expect(readFileSync(file, 'utf8')).toBe('a: 1\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await writeFileAtomically(file, 'a: 2\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('a: 2\n');
    expect(readdirSync(d)).toEqual(['weclick.secrets.yaml']);
  });

  it('replaces the target of a symlink, not the link', async () => {
    const d = dir();
    writeFileSync(join(d, 'real.yaml'), 'old\n');
    symlinkSync(join(d, 'real.yaml'), join(d, 'weclick.yaml'));
    await writeFileAtomically(join(d, 'weclick.yaml'), 'new\n');
    expect(readFileSync(join(d, 'real.yaml'), 'utf8')).toBe('new\n');
    expect(readdirSync(d).sort()).toEqual(['real.yaml', 'weclick.yaml']);
  });

  it('removes temp files that a killed writer of the same file left; keeps live, foreign and unrelated ones', async () => {
    const d = dir();
    const file = join(d, 'backups.catalog.json');
    const dead = tempName('backups.catalog.json', hostname(), GONE, 'deadbeef');
    const live = tempName('backups.catalog.json', hostname(), process.ppid, 'cafe0001');
    const foreign = tempName('backups.catalog.json', 'another-machine', GONE, 'cafe0002');
    const other = tempName('weclick.yaml', hostname(), GONE, 'cafe0003');
    for (const name of [dead, live, foreign, other]) writeFileSync(join(d, name), 'half');
    await writeFileAtomically(file, '{}\n', 0o600);
    expect(readdirSync(d).sort()).toEqual(['backups.catalog.json', live, foreign, other].sort());
  });

  it('a write that fails leaves no temp file and the old content', async () => {
    const d = dir();
    const file = join(d, 'taken');
    mkdirSync(file);
    await expect(writeFileAtomically(file, 'x')).rejects.toThrow();
    expect(readdirSync(d)).toEqual(['taken']);
  });

  it('temp names carry the writer, and only names of that file parse', () => {
    expect(parseTempName(tempName('a.json', 'host-1.lan', 42, '0123abcd'), 'a.json')).toEqual({ host: 'host-1.lan', pid: 42 });
    expect(parseTempName(tempName('a.json', 'h', 42, '0123abcd'), 'b.json')).toBeUndefined();
    expect(parseTempName('a.json.123456789', 'a.json')).toBeUndefined();
  });
});
