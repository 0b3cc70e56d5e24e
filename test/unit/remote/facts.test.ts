import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factsProbeScript, parseFacts, PROBED_PROCESSES, type HostFacts } from '../../../src/remote/facts.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/facts');

function fixture(name: string): HostFacts {
  return parseFacts(readFileSync(join(FIXTURES, name), 'utf8'));
}

describe('parseFacts on recorded output', () => {
  it('reads a Debian 12 host with docker and systemd', () => {
    expect(fixture('debian12-docker-systemd.txt')).toEqual({
      os: { id: 'debian', version: '12', pretty: 'Debian GNU/Linux 12 (bookworm)' },
      arch: 'x86_64',
      kernel: '6.1.0-28-amd64',
      hostname: 'vpn-de-fra-1',
      uptimeSeconds: 3456789,
      load: [0.42, 0.35, 0.3],
      memory: { totalBytes: 4011876 * 1024, availableBytes: 2741332 * 1024 },
      disk: { path: '/', totalBytes: 41555521536, freeBytes: 29545369600 },
      docker: {
        present: true,
        version: '27.3.1',
        containers: [
          { name: 'xray', image: 'ghcr.io/xtls/xray-core:24.11.30', status: 'Up 12 days' },
          { name: 'node-exporter', image: 'prom/node-exporter:v1.8.2', status: 'Up 12 days' },
          { name: 'certbot', image: 'certbot/certbot:latest', status: 'Exited (0) 3 hours ago' },
        ],
      },
      listeningPorts: [22, 53, 443, 3306, 9100, 10085],
      services: [
        'containerd', 'cron', 'dbus', 'docker', 'getty@tty1', 'haproxy', 'mariadb', 'ssh',
        'systemd-journald', 'systemd-logind', 'systemd-udevd',
      ],
      processes: { haproxy: true, sshd: true, mariadbd: true, mysqld: false, dockerd: true, xray: true },
      clock: 1767225600,
    });
  });

  it('reads an Ubuntu 24.04 host without docker, skipping shell noise before the first section', () => {
    const facts = fixture('ubuntu2404-no-docker.txt');
    expect(facts.os).toEqual({ id: 'ubuntu', version: '24.04', pretty: 'Ubuntu 24.04.1 LTS' });
    expect(facts.arch).toBe('aarch64');
    expect(facts.docker).toEqual({ present: false, version: null, containers: [] });
    expect(facts.listeningPorts).toEqual([22, 53, 3306]);
    expect(facts.services).toEqual(['cron', 'mariadb', 'ssh', 'systemd-resolved', 'unattended-upgrades']);
    expect(facts.disk).toEqual({ path: '/', totalBytes: 83899678720, freeBytes: 58120355840 });
    expect(facts.processes.mariadbd).toBe(true);
  });

  it('reads a minimal host: /proc/net/tcp ports, sysv services, df -k, no MemAvailable', () => {
    const facts = fixture('minimal-no-ss-docker-systemctl.txt');
    // Only state 0A (LISTEN) counts; the ESTABLISHED and TIME_WAIT rows are skipped.
    expect(facts.listeningPorts).toEqual([22, 443, 3306]);
    expect(facts.services).toEqual(['cron', 'haproxy', 'ssh']);
    expect(facts.disk).toEqual({ path: '/', totalBytes: 20971520 * 1024, freeBytes: 17825792 * 1024 });
    expect(facts.memory).toEqual({ totalBytes: 524288 * 1024, availableBytes: null });
    expect(facts.kernel).toBe('2.6.32-042stab145.3');
    expect(facts.docker.present).toBe(false);
    expect(facts.processes).toEqual({ haproxy: true, sshd: true, mariadbd: false, mysqld: false, dockerd: false, xray: false });
  });

  it('turns garbage into nulls and empties', () => {
    expect(fixture('garbage.txt')).toEqual({
      os: { id: null, version: null, pretty: null },
      arch: null,
      kernel: null,
      hostname: null,
      uptimeSeconds: null,
      load: null,
      memory: { totalBytes: null, availableBytes: null },
      disk: { path: '/', totalBytes: null, freeBytes: null },
      docker: { present: false, version: null, containers: [] },
      listeningPorts: [],
      services: [],
      processes: {},
      clock: null,
    });
  });

  it('copes with CRLF line endings', () => {
    const text = readFileSync(join(FIXTURES, 'debian12-docker-systemd.txt'), 'utf8');
    expect(parseFacts(text.replaceAll('\n', '\r\n'))).toEqual(fixture('debian12-docker-systemd.txt'));
  });

  it('never throws, whatever it is given', () => {
    const sectionish = fc.constantFrom('@@weclick-facts ', 'ports', 'disk', 'unit=1', 'LISTEN', ':', '=', '\t', '\n', ' ', '/', '%', '0A', '1');
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: sectionish, maxLength: 60 }), fc.string({ unit: 'binary' })), (text) => {
        const facts = parseFacts(text);
        expect(facts.listeningPorts.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

function runningCommands(): Set<string> {
  const names = new Set<string>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      names.add(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    } catch {
      /* the process ended meanwhile */
    }
  }
  return names;
}

describe('factsProbeScript run by the local sh', () => {
  let dir: string;
  let fakeXray: ChildProcess;

  // A copy of `sleep` named xray, so the process check has something real to find.
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'weclick-facts-'));
    copyFileSync(execFileSync('/bin/sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim(), join(dir, 'xray'));
    chmodSync(join(dir, 'xray'), 0o755);
    fakeXray = spawn(join(dir, 'xray'), ['60'], { stdio: 'ignore' });
  });

  afterAll(() => {
    fakeXray.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  function probe(env: NodeJS.ProcessEnv): HostFacts {
    return parseFacts(execFileSync('/bin/sh', ['-c', factsProbeScript()], { encoding: 'utf8', env }));
  }

  it('gathers sane facts about this machine', () => {
    const facts = probe(process.env);
    expect(facts.arch).toMatch(/\S/);
    expect(facts.kernel).toMatch(/\S/);
    expect(facts.hostname).toMatch(/\S/);
    expect(facts.memory.totalBytes).toBeGreaterThan(0);
    expect(facts.memory.availableBytes).toBeGreaterThan(0);
    expect(facts.disk.totalBytes).toBeGreaterThan(0);
    expect(facts.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(facts.load).toHaveLength(3);
    expect(Math.abs((facts.clock ?? 0) - Date.now() / 1000)).toBeLessThan(60);
    expect(facts.listeningPorts).toEqual([...new Set(facts.listeningPorts)].sort((a, b) => a - b));
    expect(Object.keys(facts.processes)).toEqual([...PROBED_PROCESSES]);
    expect(facts.processes.xray).toBe(true);
    const hasDocker = execFileSync('/bin/sh', ['-c', 'command -v docker || true'], { encoding: 'utf8' }) !== '';
    expect(facts.docker.present).toBe(hasDocker);
  });

  it('still exits 0 and reports what builtins can read when PATH has no tools at all', () => {
    const facts = probe({ PATH: '/nonexistent' });
    expect(facts.arch).toBeNull();
    expect(facts.clock).toBeNull();
    expect(facts.docker.present).toBe(false);
    expect(facts.memory.totalBytes).toBeGreaterThan(0);
    expect(facts.load).toHaveLength(3);
    // Without pgrep the script reads /proc/*/comm itself.
    expect(facts.processes.xray).toBe(true);
    // Other tests may run a real haproxy on this machine: the answer must match /proc, whatever it is.
    expect(facts.processes.haproxy).toBe(runningCommands().has('haproxy'));
  });
});
