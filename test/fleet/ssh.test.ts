import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { weclick } from '../helpers/cli.js';
import { fleet, fleetCtl, host, hostFile, testInventory } from './harness.js';

const WORKERS = ['mngmt', 'go', 'srv1', 'srv2', 'srv3', 'outline'];
const fingerprintOf = (pub: string) => {
  const file = join(fleet().stateDir, `fp-${Math.random().toString(36).slice(2)}.pub`);
  writeFileSync(file, `${pub}\n`);
  return execFileSync('ssh-keygen', ['-E', 'sha256', '-lf', file], { encoding: 'utf8' }).split(' ')[1]!;
};

describe('host keys', () => {
  it('refuses an unknown host, printing its fingerprint and the command that trusts it, and runs nothing', async () => {
    const inv = testInventory(['srv1']);
    const r = await weclick(['run', '-i', inv.file, '--', 'touch', '/opt/should-not-exist']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(fingerprintOf(host('srv1').hostKeyPub));
    expect(r.stderr).toContain('weclick hosts trust srv1');
    expect(hostFile('srv1', '/opt/should-not-exist')).toBeUndefined();
  });

  it('hosts trust --all --yes records exactly the fingerprints ssh-keygen computes, then commands connect', async () => {
    const inv = testInventory(['srv1', 'srv2']);
    const trust = await weclick(['hosts', 'trust', '--all', '--yes', '--json', '-i', inv.file]);
    expect(trust.code).toBe(0);
    const out = JSON.parse(trust.stdout) as { written: number; hosts: Array<{ name: string; fingerprint: string }> };
    expect(out.written).toBe(2);
    for (const h of out.hosts) expect(h.fingerprint).toBe(fingerprintOf(host(h.name).hostKeyPub));
    const knownHosts = readFileSync(join(inv.dir, 'known_hosts'), 'utf8');
    expect(execFileSync('ssh-keygen', ['-F', host('srv1').address, '-f', join(inv.dir, 'known_hosts')], { encoding: 'utf8' })).toContain('found');
    expect(knownHosts).toContain('srv1.weclick.test');
    const again = await weclick(['hosts', 'trust', '--all', '--yes', '--json', '-i', inv.file]);
    expect(JSON.parse(again.stdout).written).toBe(0);
    const run = await weclick(['run', '-i', inv.file, '--', 'hostname']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/── srv1 \(ok\)\nsrv1/);
  });

  it('hosts trust without --yes and without a terminal writes nothing (exit 4)', async () => {
    const inv = testInventory(['srv3']);
    const r = await weclick(['hosts', 'trust', 'srv3', '-i', inv.file]);
    expect(r.code).toBe(4);
    expect(() => readFileSync(join(inv.dir, 'known_hosts'))).toThrow();
  });
});

describe('status and run on the fleet', () => {
  it('status gathers facts from every host in one run', async () => {
    const inv = testInventory(WORKERS, { trust: true });
    const r = await weclick(['status', '--json', '-i', inv.file]);
    const hosts = JSON.parse(r.stdout).hosts as Array<{ name: string; reachable: boolean; os: string; latencyMs: number; memoryFreePercent: number; services: Array<{ service: string; up: boolean }> }>;
    expect(hosts.map((h) => h.name).sort()).toEqual([...WORKERS].sort());
    for (const h of hosts) {
      expect(h.reachable).toBe(true);
      expect(h.os).toMatch(/Debian|Ubuntu|Linux/);
      expect(h.latencyMs).toBeGreaterThan(0);
      expect(h.memoryFreePercent).toBeGreaterThan(0);
    }
    // No HAProxy or Marzban runs yet on a bare test host: status says so and exits 1.
    expect(hosts.find((h) => h.name === 'go')!.services).toEqual([{ role: 'proxy', service: 'haproxy', up: false }]);
    expect(r.code).toBe(1);
  });

  it('run groups output per host, quotes every word, and writes an audit line on each host', async () => {
    const inv = testInventory(['srv1', 'srv2'], { trust: true });
    const marker = `it's $(not) a "shell" ${Date.now()}`;
    const r = await weclick(['run', '-i', inv.file, '--', 'printf', '%s\\n', marker]);
    expect(r.code).toBe(0);
    expect(r.stdout.split(marker).length - 1).toBe(2);
    expect(hostFile('srv1', '/var/log/weclick/audit.log')).toContain(marker);
    expect(hostFile('srv2', '/var/log/weclick/audit.log')).toMatch(/weclick run: printf/);
  });

  it('a non-root user runs root steps through sudo -n', async () => {
    const inv = testInventory([{ name: 'srv1', user: 'deploy' }], { trust: true });
    const plain = await weclick(['run', '--json', '-i', inv.file, '--', 'id', '-un']);
    expect(JSON.parse(plain.stdout).hosts[0].value.stdout.trim()).toBe('deploy');
    const sudo = await weclick(['run', '--sudo', '--json', '-i', inv.file, '--', 'id', '-un']);
    expect(JSON.parse(sudo.stdout).hosts[0].value.stdout.trim()).toBe('root');
  });
});

describe('faults', () => {
  afterAll(() => {
    for (const name of ['srv2']) {
      try {
        fleetCtl('resume', name);
      } catch {
        /* it may not be paused */
      }
    }
  });

  it('a refusing address and a paused sshd are reported unreachable within the connect timeout while others finish', async () => {
    const inv = testInventory(['srv1', 'srv2', { name: 'ghost', address: '127.0.0.99' }], { trust: true, connectTimeout: 2 });
    fleetCtl('pause', 'srv2');
    try {
      const r = await weclick(['run', '--json', '-i', inv.file, '--', 'true']);
      const hosts = JSON.parse(r.stdout).hosts as Array<{ host: string; status: string; durationMs: number; error?: string }>;
      const by = Object.fromEntries(hosts.map((h) => [h.host, h]));
      expect(by.srv1!.status).toBe('ok');
      expect(by.ghost!.status).toBe('unreachable');
      expect(by.ghost!.error).toMatch(/refused/);
      expect(by.srv2!.status).toBe('unreachable');
      expect(by.srv2!.error).toMatch(/did not answer/);
      expect(by.srv2!.durationMs).toBeLessThan(6_000);
      expect(r.code).toBe(1);
    } finally {
      fleetCtl('resume', 'srv2');
    }
  });

  it('a changed host key is refused naming both fingerprints, and nothing runs', async () => {
    const inv = testInventory(['srv3'], { trust: true });
    const oldFingerprint = fingerprintOf(host('srv3').hostKeyPub);
    fleetCtl('rekey', 'srv3');
    const newFingerprint = fingerprintOf(host('srv3').hostKeyPub);
    expect(newFingerprint).not.toBe(oldFingerprint);
    const r = await weclick(['run', '-i', inv.file, '--', 'touch', '/opt/after-rekey']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('HAS CHANGED');
    expect(r.stderr).toContain(oldFingerprint);
    expect(r.stderr).toContain(newFingerprint);
    expect(hostFile('srv3', '/opt/after-rekey')).toBeUndefined();
    // hosts trust never replaces a changed key either.
    const trust = await weclick(['hosts', 'trust', 'srv3', '--yes', '-i', inv.file]);
    expect(trust.code).toBe(1);
  });

  it('a hanging command is killed on the host at its timeout', async () => {
    const inv = testInventory(['srv1'], { trust: true });
    const r = await weclick(['run', '--timeout', '2', '--json', '-i', inv.file, '--', 'sh', '-c', 'sleep 317 & sleep 318; wait']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).hosts[0].error).toMatch(/timeout/);
    expect(r.ms).toBeLessThan(15_000);
    // Both the command and the child it put in the background are gone (timeout kills the process group).
    const left = await weclick(['run', '--json', '-i', inv.file, '--shell', '--', 'pgrep -f "sleep 31[78]" || true']);
    expect(JSON.parse(left.stdout).hosts[0].value.stdout.trim()).toBe('');
  });

  it('sshd killed mid-command is reported as a lost connection, not retried', async () => {
    const inv = testInventory(['srv1'], { trust: true });
    const marker = `/opt/runs-${Date.now()}`;
    const running = weclick(['run', '--json', '-i', inv.file, '--shell', '--', `echo started >> ${marker}; sleep 20`]);
    await new Promise((r) => setTimeout(r, 1_500));
    fleetCtl('kill-sshd', 'srv1');
    const r = await running;
    fleetCtl('start', 'srv1'); // restarts the killed sshd inside the still-running host
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).hosts[0].error).toMatch(/connection lost|lost/i);
    expect(hostFile('srv1', marker)?.match(/started/g)?.length).toBe(1);
  });

  it('a wrong key or user gives one clear line per host', async () => {
    const bogusKey = join(mkdtempSync(join(tmpdir(), 'weclick-bogus-')), 'bogus_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', bogusKey, '-C', 'bogus'], { stdio: 'ignore' });
    const inv = testInventory([{ name: 'srv1', key: bogusKey }, { name: 'srv2', user: 'nobody-here' }], { trust: true });
    const r = await weclick(['run', '-i', inv.file, '--', 'true']);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => /authentication failed/.test(l));
    expect(lines).toHaveLength(2);
    expect(r.stderr).toMatch(/srv1: FAILED .*authentication failed for root@/);
    expect(r.stderr).toMatch(/srv2: FAILED .*authentication failed for nobody-here@/);
  });
});

describe('twenty hosts at once', () => {
  it('connects to 20 hosts in parallel with sshd defaults (MaxStartups) and no spurious failure', async () => {
    const bench = fleet().hosts.filter((h) => h.name.startsWith('bench')).slice(0, 20);
    expect(bench).toHaveLength(20);
    const inv = testInventory(bench.map((h) => h.name), { trust: true });
    for (let round = 0; round < 3; round++) {
      const r = await weclick(['run', '--json', '-i', inv.file, '--', 'hostname']);
      const hosts = JSON.parse(r.stdout).hosts as Array<{ host: string; status: string; value: { stdout: string } }>;
      expect(hosts.filter((h) => h.status === 'ok')).toHaveLength(20);
      for (const h of hosts) expect(h.value.stdout.trim()).toBe(h.host);
    }
  });
});

describe('fleet lock', () => {
  it('acquire is all-or-nothing, status names the holder, release frees it', async () => {
    const inv = testInventory(['srv1', 'srv2'], { trust: true });
    const one = testInventory(['srv2'], { trust: true });
    expect((await weclick(['lock', 'acquire', '-m', 'maintenance', '-i', one.file])).code).toBe(0);
    const both = await weclick(['lock', 'acquire', '-i', inv.file]);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/srv2: .*locked by .* \(weclick lock acquire: maintenance\)/);
    // srv1's lock was given back: only srv2 is held.
    const status = JSON.parse((await weclick(['lock', 'status', '--json', '-i', inv.file])).stdout).hosts as Array<{ name: string; lock: { message?: string } | null }>;
    expect(status.find((h) => h.name === 'srv1')!.lock).toBeNull();
    expect(status.find((h) => h.name === 'srv2')!.lock!.message).toBe('maintenance');
    expect((await weclick(['lock', 'release', '--yes', '-i', inv.file])).code).toBe(0);
    expect((await weclick(['lock', 'status', '-i', inv.file])).code).toBe(0);
  });
});
