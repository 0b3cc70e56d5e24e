// Rendered files checked by the real tools that will read them: Debian's docker-compose (config -q, with every
// env_file beside the file), haproxy -c, nft -c and sshd -t. These tools are installed by
// scripts/install-system-deps.sh; a missing one is a failure, never a skip.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stepsForServer } from '../../../src/provision/roles/index.js';
import { loadTemplates, type TemplateSet } from '../../../src/provision/templates.js';
import { inventoryFrom, SECRETS, SETTINGS } from './fixture.js';

let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplates();
});

function files(host: string): Map<string, string> {
  const inventory = inventoryFrom();
  const server = inventory.servers.find((s) => s.name === host)!;
  return new Map(stepsForServer({ inventory, server, settings: SETTINGS, secrets: SECRETS, templates }).flatMap((s) => (s.spec.kind === 'file' ? [[s.spec.path, s.spec.content] as const] : [])));
}

function tool(path: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${path} || ls /usr/sbin/${path} 2>/dev/null`], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  if (!found) throw new Error(`${path} is not installed: run scripts/install-system-deps.sh`);
  return found;
}

function run(cmd: string, args: string[]): { code: number; output: string } {
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

function composeCheck(compose: string, envFiles: string[]): { code: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'weclick-compose-'));
  writeFileSync(join(dir, 'docker-compose.yml'), compose);
  for (const env of envFiles) writeFileSync(join(dir, env), '');
  return run(tool('docker-compose'), ['-f', join(dir, 'docker-compose.yml'), 'config', '-q']);
}

describe('compose files pass the real docker-compose config -q', () => {
  it("a worker's compose file", () => {
    const result = composeCheck(files('srv1').get('/opt/marzban/docker-compose.yml')!, ['.env']);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it("the management server's compose file (MySQL and the panel)", () => {
    const result = composeCheck(files('mngmt').get('/opt/marzban/docker-compose.yml')!, ['.env', 'mysql.env']);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('the validator does catch a broken compose file (so the checks above mean something)', () => {
    const broken = files('srv1').get('/opt/marzban/docker-compose.yml')!.replace('restart: always', 'restrat: always');
    const result = composeCheck(broken, ['.env']);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/restrat/);
  });
});

describe('haproxy.cfg passes the real haproxy -c', () => {
  it('as rendered for the entry point', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weclick-haproxy-'));
    // Addresses from the documentation ranges are fine for -c: it parses, it does not bind.
    writeFileSync(join(dir, 'haproxy.cfg'), files('go').get('/etc/haproxy/haproxy.cfg')!);
    const result = run(tool('haproxy'), ['-c', '-f', join(dir, 'haproxy.cfg')]);
    expect(result.output).toMatch(/Configuration file is valid/);
    expect(result.code).toBe(0);
  });
});

describe('nftables rulesets pass the real nft -c (checked, never loaded)', () => {
  for (const host of ['go', 'srv1', 'mngmt', 'srv2']) {
    it(host, () => {
      const dir = mkdtempSync(join(tmpdir(), 'weclick-nft-'));
      writeFileSync(join(dir, 'nftables.conf'), files(host).get('/etc/nftables.conf')!);
      const result = run(tool('nft'), ['-c', '-f', join(dir, 'nftables.conf')]);
      expect(result.output).toBe('');
      expect(result.code).toBe(0);
    });
  }
});

describe('the sshd drop-in passes the real sshd -t as part of the whole configuration', () => {
  it('included ahead of /etc/ssh/sshd_config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weclick-sshd-'));
    writeFileSync(join(dir, 'weclick.conf'), files('srv1').get('/etc/ssh/sshd_config.d/10-weclick.conf')!);
    writeFileSync(join(dir, 'sshd_config'), `Include ${join(dir, 'weclick.conf')}\nInclude /etc/ssh/sshd_config\n`);
    execFileSync('mkdir', ['-p', '/run/sshd']);
    const result = run(tool('sshd'), ['-t', '-f', join(dir, 'sshd_config')]);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
    const effective = run(tool('sshd'), ['-T', '-f', join(dir, 'sshd_config'), '-C', 'user=root,host=h,addr=127.0.0.1']).output;
    expect(effective).toMatch(/^passwordauthentication no$/m);
    expect(effective).toMatch(/^permitrootlogin without-password$/m);
    expect(effective).toMatch(/^x11forwarding no$/m);
  });
});
