// The probe script runs here in a real local sh (the same POSIX script the hosts run), against temp files.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeProbes, parseProbeOutput, probeScript, TEMP_SUFFIX } from '../../../src/provision/probe-script.js';
import { sha256 } from '../../../src/provision/steps/file.js';
import type { Probe } from '../../../src/provision/step.js';

function probe(probes: Probe[]) {
  const result = spawnSync('sh', ['-s'], { input: probeScript(probes), encoding: 'utf8' });
  expect(result.status).toBe(0);
  return parseProbeOutput(result.stdout, probes);
}

describe('probe script', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weclick-probe-'));
  const same = join(dir, 'same.conf');
  const differs = join(dir, 'differs.conf');
  const missing = join(dir, 'missing.conf');
  writeFileSync(same, 'a=1\n');
  writeFileSync(differs, 'old\n');
  chmodSync(differs, 0o640);
  writeFileSync(differs + TEMP_SUFFIX, 'half a fi');

  it('reports sha, mode and owner of files; fetches content only for a file that differs; sees temp leftovers', () => {
    const facts = probe([
      { kind: 'file', path: same, sha256: sha256('a=1\n'), withContent: true },
      { kind: 'file', path: differs, sha256: sha256('new\n'), withContent: true },
      { kind: 'file', path: missing, sha256: sha256('x'), withContent: true },
    ]);
    expect(facts.files.get(same)).toMatchObject({ exists: true, sha256: sha256('a=1\n'), mode: 0o644, leftoverTemp: false });
    expect(facts.files.get(same)!.content).toBeUndefined();
    expect(facts.files.get(differs)).toMatchObject({ exists: true, sha256: sha256('old\n'), mode: 0o640, content: 'old\n', leftoverTemp: true });
    expect(facts.files.get(missing)).toEqual({ exists: false, leftoverTemp: false });
  });

  it('reads package versions with dpkg-query (installed: a version; missing: null)', () => {
    const facts = probe([
      { kind: 'package', name: 'haproxy' },
      { kind: 'package', name: 'weclick-no-such-package' },
    ]);
    expect(facts.packages.get('haproxy')).toMatch(/^\d/);
    expect(facts.packages.get('weclick-no-such-package')).toBeNull();
  });

  it('runs snippets with their exit code and output, cannot eat the rest of the script from stdin, and skips a run while its file is as wanted', () => {
    const facts = probe([
      { kind: 'run', id: 'ok', script: 'echo hello; echo world' },
      { kind: 'run', id: 'fails', script: 'echo broken >&2; exit 3' },
      { kind: 'run', id: 'reads-stdin', script: 'cat' },
      { kind: 'run', id: 'skipped', script: 'echo should-not-run', unlessFile: { path: same, sha256: sha256('a=1\n') } },
      { kind: 'run', id: 'not-skipped', script: 'echo ran', unlessFile: { path: differs, sha256: sha256('new\n') } },
      { kind: 'run', id: 'after', script: 'echo still here' },
    ]);
    expect(facts.runs.get('ok')).toEqual({ code: 0, output: 'hello\nworld', same: false });
    expect(facts.runs.get('fails')).toEqual({ code: 3, output: 'broken', same: false });
    expect(facts.runs.get('reads-stdin')).toEqual({ code: 0, output: '', same: false });
    expect(facts.runs.get('skipped')).toEqual({ code: 0, output: '', same: true });
    expect(facts.runs.get('not-skipped')).toMatchObject({ code: 0, output: 'ran' });
    expect(facts.runs.get('after')).toMatchObject({ output: 'still here' });
  });

  it('says which service manager the host has', () => {
    expect(['systemd', 'none']).toContain(probe([]).serviceManager);
  });

  it('merges the probes of many steps: one entry per file, the wanted sha and a content request survive', () => {
    const merged = mergeProbes([
      { kind: 'file', path: '/a' },
      { kind: 'file', path: '/a', sha256: 'f'.repeat(64), withContent: true },
      { kind: 'run', id: 'x', script: 'true', unlessFile: { path: '/b', sha256: 'e'.repeat(64) } },
      { kind: 'run', id: 'x', script: 'true' },
      { kind: 'package', name: 'p' },
      { kind: 'package', name: 'p' },
    ]);
    expect(merged.files).toEqual([
      { kind: 'file', path: '/a', sha256: 'f'.repeat(64), withContent: true },
      { kind: 'file', path: '/b', sha256: 'e'.repeat(64), withContent: false },
    ]);
    expect(merged.runs).toHaveLength(1);
    expect(merged.packages).toEqual(['p']);
  });

  it('a mangled output leaves facts missing, never throws', () => {
    const facts = parseProbeOutput('garbage\n@@weclick-probe sha\nnot a hash line\n@@weclick-probe run x\npartial', [{ kind: 'file', path: '/etc/x' }, { kind: 'run', id: 'x', script: 'true' }]);
    expect(facts.files.get('/etc/x')).toEqual({ exists: false, leftoverTemp: false });
    expect(facts.runs.has('x')).toBe(false);
  });
});
