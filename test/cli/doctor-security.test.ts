// `weclick doctor --security` through the built CLI, on a setup with nothing wrong and one with everything wrong.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { weclick } from '../helpers/cli.js';

const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAICQTu45LFaU6ZQAGIregvDuPFh/wSbDQFE1Iclf82LHH';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Json {
  checks: Array<{ area: string; status: 'ok' | 'warn' | 'fail'; detail: string; fix?: string }>;
  failed: number;
  warnings: number;
}

async function setup(): Promise<{ dir: string; identity: string; recipient: string; password: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'weclick-doctor-security-'));
  dirs.push(dir);
  const age = await import('age-encryption');
  const identity = await age.generateX25519Identity();
  const recipient = await age.identityToRecipient(identity);
  const keysDir = mkdtempSync(join(tmpdir(), 'weclick-doctor-keys-'));
  dirs.push(keysDir);
  writeFileSync(join(keysDir, 'backup.key'), `${identity}\n`, { mode: 0o600 });
  writeFileSync(join(keysDir, 'id_ed25519'), 'not really a key\n', { mode: 0o600 });
  writeFileSync(
    join(dir, 'weclick.yaml'),
    `fleet:
  domain: weclick.tech
  ssh: { key: ${join(keysDir, 'id_ed25519')} }
  backup: { recipients: [${recipient}] }
servers:
  - { name: srv1, hostname: srv1.weclick.tech, ipv4: 198.51.100.21, roles: [marzban], provider: p, expires: 2030-01-01 }
`,
  );
  writeFileSync(join(dir, 'known_hosts'), `198.51.100.21 ssh-ed25519 ${KEY}\n`, { mode: 0o644 });
  const password = 'Doctor-Pw-7f3k29x0q';
  writeFileSync(join(dir, '.env'), `MYSQL_ADMIN_USER=admin\nMYSQL_ADMIN_PASSWORD=${password}\nMYSQL_HOST=127.0.0.1\nBACKUP_AGE_IDENTITY_FILE=${join(keysDir, 'backup.key')}\n`, { mode: 0o600 });
  return { dir, identity, recipient, password };
}

const run = (dir: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  weclick(['doctor', '--security', ...args, '-i', join(dir, 'weclick.yaml')], { cwd: dir, env: { DEBUG: '', WECLICK_KNOWN_HOSTS: '', BACKUP_AGE_IDENTITY: '', BACKUP_AGE_IDENTITY_FILE: '', MYSQL_ADMIN_PASSWORD: '', ...env } });

describe('weclick doctor --security', () => {
  it('a sound setup: every check ok, exit 0; the table names each check', async () => {
    const { dir } = await setup();
    const r = await run(dir, ['--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Json;
    expect(out.failed).toBe(0);
    expect(out.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(new Set(out.checks.map((c) => c.area))).toEqual(new Set(['secret file', 'inventory secrets', 'host keys', 'backup keys', 'ssh key', 'git', 'debug', 'mysql tls']));
    const table = await run(dir, []);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^CHECK\s+STATUS\s+DETAIL$/m);
    expect(table.stdout).toMatch(/^host keys\s+ok\s+every server's host key is pinned \(1 server\(s\)\)$/m);
  });

  it('everything wrong: exit 1, each problem a failed check with its fix, and no secret value in the output', async () => {
    const { dir, identity, password } = await setup();
    chmodSync(join(dir, '.env'), 0o644);
    writeFileSync(join(dir, 'stray.key'), `${identity}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'weclick.yaml'), `# the old admin password: ${password}\n${'fleet:\n  domain: weclick.tech\nservers:\n  - { name: srv2, hostname: srv2.weclick.tech, ipv4: 198.51.100.22, roles: [marzban], provider: p, expires: 2030-01-01 }\n'}`);
    execFileSync('git', ['init', '-q', '.'], { cwd: dir });
    execFileSync('git', ['add', '.env'], { cwd: dir });
    const r = await run(dir, ['--json'], { DEBUG: 'weclick' });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as Json;
    const fails = out.checks.filter((c) => c.status === 'fail').map((c) => `${c.area}: ${c.fix}`);
    expect(fails).toEqual([
      `secret file: chmod 600 ${join(dir, '.env')}`,
      'inventory secrets: move it to .env (mode 600; names in .env.example) and rotate it: the inventory is meant to be shared and committed',
      "host keys: weclick hosts trust srv2 (compare each fingerprint with the provider's console first)",
      `git: git rm --cached ${join(dir, '.env')}, add it to .gitignore, and rotate every secret it held`,
    ]);
    expect(out.failed).toBe(4);
    const warned = out.checks.filter((c) => c.status === 'warn').map((c) => c.area);
    expect(warned).toEqual(expect.arrayContaining(['backup keys', 'git', 'debug']));
    const human = await run(dir, [], { DEBUG: 'weclick' });
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^inventory secrets\s+fail\s+.*weclick\.yaml:1 holds the value of MYSQL_ADMIN_PASSWORD — fix: move it to \.env/m);
    for (const text of [r.stdout, r.stderr, human.stdout, human.stderr]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(identity.slice(16));
    }
  });

  it('bad flags: exit 2', async () => {
    const { dir } = await setup();
    expect((await run(dir, ['--bogus'])).code).toBe(2);
  });
});
