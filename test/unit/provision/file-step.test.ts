import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { candidateCheck, fileStep, sha256 } from '../../../src/provision/steps/file.js';
import { freshFacts, withFile, withRun } from './fixture.js';

const options = { namespaceTestHost: false };

describe('candidateCheck', () => {
  it('hands the validator a byte-exact copy of the candidate, whatever it contains', () => {
    const tricky = "a $HOME `id` \\n 'quoted' \"double\"\nWECLICK_EOF_0123\nlast line without newline";
    const script = candidateCheck(`${tricky}\n`, 'cat "$1"');
    const result = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${tricky}\n`);
  });

  it("returns the validator's exit code and leaves no temp dir behind", () => {
    const result = spawnSync('sh', ['-c', `${candidateCheck('x\n', 'echo "$1" > /dev/stderr; exit 7')}`], { encoding: 'utf8' });
    expect(result.status).toBe(7);
    const dir = result.stderr.trim().replace(/\/candidate$/, '');
    expect(spawnSync('test', ['-e', dir]).status).toBe(1);
  });
});

describe('fileStep check', () => {
  const step = fileStep({ host: 'h', role: 'base', path: '/etc/x.conf', content: 'new\n', mode: 0o644, owner: 'root' });
  const want = sha256('new\n');

  it('missing → create, with the whole file as a diff', () => {
    expect(step.check(freshFacts(), options)).toMatchObject({ kind: 'change', summary: 'create /etc/x.conf', diff: expect.stringContaining('+new') });
  });

  it('different content → update with a unified diff of the old and new text', () => {
    const change = step.check(withFile(freshFacts(), '/etc/x.conf', { sha256: sha256('old\n'), mode: 0o644, owner: 'root', group: 'root', content: 'old\n' }), options);
    expect(change).toMatchObject({ kind: 'change', summary: 'update /etc/x.conf' });
    expect((change as { diff: string }).diff).toMatch(/-old\n\+new/);
  });

  it('same content, other mode or owner → chmod / chown', () => {
    expect(step.check(withFile(freshFacts(), '/etc/x.conf', { sha256: want, mode: 0o600, owner: 'root', group: 'root' }), options)).toMatchObject({ summary: 'chmod 0644 /etc/x.conf (was 0600)' });
    expect(step.check(withFile(freshFacts(), '/etc/x.conf', { sha256: want, mode: 0o644, owner: 'nobody', group: 'root' }), options)).toMatchObject({ summary: 'chown root:root /etc/x.conf (was nobody:root)' });
  });

  it('converged → none; a temp file left by a killed run is a change that removes it', () => {
    expect(step.check(withFile(freshFacts(), '/etc/x.conf', { sha256: want, mode: 0o644, owner: 'root', group: 'root' }), options)).toEqual({ kind: 'none' });
    expect(step.check(withFile(freshFacts(), '/etc/x.conf', { sha256: want, mode: 0o644, owner: 'root', group: 'root', leftoverTemp: true }), options)).toMatchObject({ kind: 'change', summary: expect.stringContaining('left by an interrupted run') });
  });

  it('a sensitive file says that it changes, never what', () => {
    const secret = fileStep({ host: 'h', role: 'marzban', path: '/opt/marzban/.env', content: 'PASSWORD=hunter2\n', mode: 0o600, sensitive: true });
    const change = secret.check(withFile(freshFacts(), '/opt/marzban/.env', { sha256: sha256('PASSWORD=old\n'), mode: 0o600, content: 'PASSWORD=old\n' }), options);
    expect(JSON.stringify(change)).not.toMatch(/hunter2|PASSWORD=old/);
    expect(change).toMatchObject({ diff: '/opt/marzban/.env: content changes (sensitive, not shown)' });
    expect(secret.probes).toEqual([{ kind: 'file', path: '/opt/marzban/.env', sha256: sha256('PASSWORD=hunter2\n'), withContent: false }]);
  });

  it('a candidate the validator rejects blocks the run, with the validator output', () => {
    const validated = fileStep({ host: 'go', role: 'proxy', path: '/etc/haproxy/haproxy.cfg', content: 'bogus\n', mode: 0o644, validate: { name: 'haproxy -c', script: 'haproxy -c -f "$1"' } });
    const facts = withRun(freshFacts(), 'validate:/etc/haproxy/haproxy.cfg', { code: 1, output: "[ALERT] parsing [x:1]: unknown keyword 'bogus' out of section." });
    expect(validated.check(facts, options)).toEqual({
      kind: 'blocked',
      reason: "/etc/haproxy/haproxy.cfg: the rendered file is rejected by `haproxy -c` on go:\n[ALERT] parsing [x:1]: unknown keyword 'bogus' out of section.",
    });
  });

  it('a create-only file is left alone once it exists', () => {
    const once = fileStep({ host: 'h', role: 'outline', path: '/s.json', content: '{}', mode: 0o660, createOnly: true });
    expect(once.check(withFile(freshFacts(), '/s.json', { sha256: sha256('{"changed":"by the daemon"}') }), options)).toEqual({ kind: 'none' });
    expect(once.check(freshFacts(), options)).toMatchObject({ kind: 'change' });
  });
});

describe('fileStep apply when the content does not arrive whole', () => {
  // The step's real install line, run here with sh: a connection lost before or while the content is sent
  // (weclick killed, network gone) gives `cat` on the host a short input. Nothing may be installed then.
  const content = `${'line of a managed file\n'.repeat(2000)}last\n`;
  const installLine = async (path: string) => {
    let line = '';
    const session = { shell: async (l: string) => ((line = l), { code: 0, stdout: '', stderr: '' }), run: async () => ({ code: 0, stdout: '', stderr: '' }) };
    await fileStep({ host: 'h', role: 'base', path, content, mode: 0o640 }).apply({ session, facts: freshFacts(), options } as never);
    return line;
  };
  const dir = () => spawnSync('mktemp', ['-d'], { encoding: 'utf8' }).stdout.trim();

  it('nothing at all, or a cut-off part: no file installed, no temp file left, a clear error', async () => {
    for (const input of ['', content.slice(0, 4096)]) {
      const path = `${dir()}/managed.conf`;
      const result = spawnSync('sh', ['-c', await installLine(path)], { input, encoding: 'utf8' });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('the content arrived incomplete (connection lost?); not installed');
      expect(spawnSync('ls', ['-A', path.replace(/\/managed\.conf$/, '')], { encoding: 'utf8' }).stdout).toBe('');
    }
  });

  it('the whole content: installed with its mode', async () => {
    const path = `${dir()}/managed.conf`;
    const result = spawnSync('sh', ['-c', await installLine(path)], { input: content, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(spawnSync('cat', [path], { encoding: 'utf8' }).stdout).toBe(content);
    expect(spawnSync('stat', ['-c', '%a', path], { encoding: 'utf8' }).stdout.trim()).toBe('640');
  });
});
