// `weclick provision` on the real test fleet: the management server (bench11), two Marzban workers (bench12,
// bench13), Outline (bench14) and the entry point (go, real HAProxy). STAND-INS, said plainly: the test machine
// has no Docker engine, so a stand-in `docker` command (test/standins/docker) is installed on the Docker hosts
// and records what it is asked; the workers' Xray inbounds are Node TCP servers that parse PROXY v2; Outline's
// API is the stand-in of test/standins/outline, serving the certificate provisioning made on the host. Files,
// validation (haproxy -c, nft -c, sshd -t, docker-compose config -q), SSH, HAProxy and MariaDB are real.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostSession } from '../../src/remote/session.js';
import { weclick } from '../helpers/cli.js';
import { installDockerStandin, parseStandinLog, STANDIN_LOG } from '../standins/docker/install.js';
import { openHost, portBase, resetProvisionedHost, writeAccounts, writeInventory, type InventoryServer } from '../standins/docker/fleet-helpers.js';
import { startOutlineStandin, selfSignedPair, type OutlineStandin } from '../standins/outline/server.js';
import { connectThrough, startBackend, type Backend } from '../unit/haproxy/proxy-v2-backend.js';
import { fleet, hostFile } from './harness.js';

const base = portBase();
const PORTS = { entry: base, xray: base + 1, panel: base + 2, outlineApi: base + 3, outlineKeys: base + 4 };
const env = {
  WECLICK_NAMESPACE_TEST_HOSTS: '1',
  WECLICK_ENTRY_PORT: String(PORTS.entry),
  WECLICK_XRAY_PORT: String(PORTS.xray),
  WECLICK_PANEL_PORT: String(PORTS.panel),
  WECLICK_OUTLINE_API_PORT: String(PORTS.outlineApi),
  WECLICK_OUTLINE_KEYS_PORT: String(PORTS.outlineKeys),
};

const go: InventoryServer = { name: 'go', address: '127.0.0.11', roles: ['proxy'] };
const mgmt: InventoryServer = { name: 'bench11', address: '127.0.0.111', roles: ['management', 'subscription', 'mysql'] };
const w1: InventoryServer = { name: 'bench12', address: '127.0.0.112', roles: ['marzban'] };
const w2: InventoryServer = { name: 'bench13', address: '127.0.0.113', roles: ['marzban'] };
const outlineHost: InventoryServer = { name: 'bench14', address: '127.0.0.114', roles: ['outline'] };
const FLEET = [mgmt, w1, w2, outlineHost, go];
const DOCKER_HOSTS = [mgmt, w1, w2, outlineHost];

let dir: string;
let file: string;
const sessions = new Map<string, HostSession>();
const backends: Backend[] = [];

const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => weclick([...args, '-i', file], { env: { ...env, ...extra }, timeoutMs: 120_000 });
const calls = (host: string) => parseStandinLog(hostFile(host, STANDIN_LOG));
const auditBaseline = new Map<string, number>();
const allAudit = (host: string) => (hostFile(host, '/var/log/weclick/audit.log') ?? '').split('\n').filter((l) => l.includes('weclick provision'));
/** Provisioning audit lines this test file caused on a host. */
const audit = (host: string) => allAudit(host).slice(auditBaseline.get(host) ?? 0);

beforeAll(async () => {
  for (const server of FLEET) {
    const session = await openHost(server.name);
    sessions.set(server.name, session);
    await resetProvisionedHost(session);
    auditBaseline.set(server.name, allAudit(server.name).length);
  }
  for (const server of DOCKER_HOSTS) await installDockerStandin(sessions.get(server.name)!);
  dir = mkdtempSync(join(tmpdir(), 'weclick-provision-'));
  file = writeInventory(dir, FLEET);
  writeAccounts(dir, [mgmt, w1, w2]);
  for (const worker of [w1, w2]) backends.push(await startBackend(worker.name, worker.address, PORTS.xray));
});

afterAll(async () => {
  for (const backend of backends) await backend.close();
  for (const session of sessions.values()) {
    await resetProvisionedHost(session);
    session.close();
  }
});

describe('bad input is caught before anything changes', () => {
  const nothingChanged = () => {
    for (const server of FLEET) expect(audit(server.name), server.name).toEqual([]);
    expect(hostFile(w1.name, '/opt/marzban/.env')).toBeUndefined();
  };

  it('an inventory with no entry point', async () => {
    writeInventory(dir, [mgmt, w1, w2, outlineHost]);
    const run = await cli(['provision', '--all', '--yes']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('the fleet cannot be provisioned as it is; nothing was changed');
    expect(run.stderr).toContain('the inventory has no entry point');
    nothingChanged();
  });

  it('two entry points', async () => {
    writeInventory(dir, [mgmt, w1, w2, { ...outlineHost, roles: ['proxy'] }, go]);
    const run = await cli(['provision', 'bench12', '--yes']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('two entry points: bench14, go hold the proxy role');
    nothingChanged();
  });

  it('a worker without an IP', async () => {
    writeInventory(dir, FLEET);
    writeFileSync(file, readFileSync(file, 'utf8').replace('ipv4: 127.0.0.113, ', ''));
    const run = await cli(['provision', '--all', '--yes']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/weclick\.yaml:\d+:\d+.*servers\[2\]\.ipv4/);
    nothingChanged();
  });

  it('a worker without its MySQL account', async () => {
    writeInventory(dir, FLEET);
    writeAccounts(dir, [mgmt, w1]);
    const run = await cli(['provision', '--all', '--yes']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('bench13 has no MySQL account yet: create it with `weclick db grant bench13`');
    writeAccounts(dir, [mgmt, w1, w2]);
    nothingChanged();
  });

  it('a bad provisioning setting', async () => {
    const run = await cli(['provision', '--all', '--yes'], { WECLICK_XRAY_PORT: 'http' });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('WECLICK_XRAY_PORT="http"');
    nothingChanged();
  });
});

describe('one command provisions every role', () => {
  it('management first, then the workers, then Outline, the entry point last', async () => {
    const run = await cli(['provision', '--all', '--yes', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const { plan, applied } = JSON.parse(run.stdout);
    expect(plan.summary.hosts).toBe(5);
    const order = applied.results.map((r: { host: string }) => r.host);
    expect(order[0]).toBe('bench11');
    expect(new Set(order.slice(1, 3))).toEqual(new Set(['bench12', 'bench13']));
    expect(order.slice(3)).toEqual(['bench14', 'go']);
    expect(applied.results.every((r: { status: string }) => r.status === 'changed')).toBe(true);
    // Every change left an audit line on its host.
    expect(audit('bench12').length).toBe(applied.results.find((r: { host: string }) => r.host === 'bench12').applied.length);
  });

  it('workers: compose file, .env and xray config written; the stand-in docker was asked what the real one would be', () => {
    for (const worker of [w1, w2]) {
      const composeFile = hostFile(worker.name, '/opt/marzban/docker-compose.yml')!;
      expect(composeFile).toContain('image: "gozargah/marzban:v0.8.4"');
      expect(hostFile(worker.name, '/opt/marzban/.env')).toContain(`mysql+pymysql://mz_${worker.name}:test-pass-${worker.name}-0123456789@db.weclick.test:3306/marzban`);
      const xray = JSON.parse(hostFile(worker.name, '/var/lib/marzban/xray_config.json')!);
      expect(xray.inbounds[0]).toMatchObject({ port: PORTS.xray, streamSettings: { tcpSettings: { acceptProxyProtocol: true } } });
      expect(calls(worker.name)).toContainEqual(['compose', '-f', 'docker-compose.yml', '-p', 'marzban', 'up', '-d', '--remove-orphans', '--force-recreate']);
      expect(calls(worker.name)).toContainEqual(['ps', '--filter', 'name=^marzban$', '--format', '{{.Status}}']);
    }
    expect(hostFile(w1.name, '/var/lib/marzban/xray_config.json')).toBe(hostFile(w2.name, '/var/lib/marzban/xray_config.json'));
  });

  it('the compose files on the hosts pass the real docker-compose config -q', () => {
    for (const [host, envFiles] of [
      [w1.name, ['.env']],
      [mgmt.name, ['.env', 'mysql.env']],
    ] as const) {
      const check = mkdtempSync(join(tmpdir(), 'weclick-compose-check-'));
      writeFileSync(join(check, 'docker-compose.yml'), hostFile(host, '/opt/marzban/docker-compose.yml')!);
      for (const envFile of envFiles) writeFileSync(join(check, envFile), hostFile(host, `/opt/marzban/${envFile}`)!);
      const result = spawnSync('docker-compose', ['-f', join(check, 'docker-compose.yml'), 'config', '-q'], { encoding: 'utf8' });
      expect(result.status, `${host}: ${result.stderr}`).toBe(0);
    }
  });

  it('management: MySQL bound to its own address, the panel with TLS at the podpiska name', () => {
    const composeFile = hostFile(mgmt.name, '/opt/marzban/docker-compose.yml')!;
    expect(composeFile).toContain('--bind-address=127.0.0.111');
    expect(hostFile(mgmt.name, '/opt/marzban/.env')).toContain('UVICORN_SSL_CERTFILE = "/var/lib/marzban/certs/podpiska.weclick.test.crt"');
    expect(hostFile(mgmt.name, '/var/lib/marzban/certs/podpiska.weclick.test.crt')).toContain('BEGIN CERTIFICATE');
    expect(hostFile(mgmt.name, '/etc/nftables.conf')).toContain('ip saddr { 127.0.0.111, 127.0.0.112, 127.0.0.113 } tcp dport 3306 accept');
    expect(calls(mgmt.name)).toContainEqual(['compose', '-f', 'docker-compose.yml', '-p', 'marzban', 'up', '-d', '--remove-orphans', '--force-recreate']);
  });

  it('outline: what the installer does, without prompts; apiUrl and certSha256 in the secrets file (0600), never printed', async () => {
    const access = hostFile(outlineHost.name, '/opt/outline/access.txt')!;
    const [, certSha256] = /certSha256:([0-9A-F]{64})/.exec(access)!;
    const prefix = hostFile(outlineHost.name, '/opt/outline/persisted-state/weclick-api-prefix')!;
    expect(access).toContain(`apiUrl:https://127.0.0.114:${PORTS.outlineApi}/${prefix}`);
    const secrets = readFileSync(join(dir, 'weclick.secrets.yaml'), 'utf8');
    expect(secrets).toContain(`certSha256: ${certSha256}`);
    expect(secrets).toContain(`/${prefix}`);
    expect(statSync(join(dir, 'weclick.secrets.yaml')).mode & 0o777).toBe(0o600);
    const run = calls(outlineHost.name).find((c) => c[0] === 'run' && c.includes('shadowbox'))!;
    expect(run).toEqual(expect.arrayContaining(['-d', '--name', 'shadowbox', '--restart', 'always', '--net', 'host', `SB_API_PORT=${PORTS.outlineApi}`, `SB_API_PREFIX=${prefix}`, 'quay.io/outline/shadowbox:stable']));
    expect(calls(outlineHost.name).some((c) => c[0] === 'run' && c.includes('watchtower'))).toBe(true);
  });

  it('the entry point: real HAProxy sends real connections to both workers', async () => {
    const seen = await Promise.all([0, 1, 2, 3].map(() => connectThrough('127.0.0.11', PORTS.entry)));
    expect(new Set(seen.map((c) => c.greeting))).toEqual(new Set(['hello from bench12', 'hello from bench13']));
    seen.forEach((c) => c.socket.destroy());
  });
});

describe('idempotency', () => {
  it('the second run reports zero changes, for every role', async () => {
    const run = await cli(['provision', '--all', '--dry-run', '--json', '--verbose']);
    expect(run.code, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout).plan;
    expect(plan.summary.changes).toBe(0);
    const roles = new Set(plan.hosts.flatMap((h: { steps: Array<{ role: string }> }) => h.steps.map((s) => s.role)));
    expect(roles).toEqual(new Set(['base', 'management', 'marzban', 'outline', 'proxy']));
    for (const host of plan.hosts) for (const step of host.steps) expect(['none', 'skip'], `${host.name} ${step.id}`).toContain(step.kind);
    // The base role only reports the packages it found (dpkg-query); it never installs on a test host.
    expect(plan.hosts[0].steps.find((s: { id: string }) => s.id === 'packages:nftables,unattended-upgrades').detail).toMatch(/^present: nftables \S+, unattended-upgrades \S+$/);
  });

  it('applying again changes nothing and runs no docker command that changes anything', async () => {
    const before = Object.fromEntries(DOCKER_HOSTS.map((s) => [s.name, calls(s.name).length]));
    const auditBefore = audit('bench12').length;
    const run = await cli(['provision', '--all', '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Plan: 0 changes on 0 of 5 hosts');
    for (const server of DOCKER_HOSTS) {
      const newCalls = calls(server.name).slice(before[server.name]);
      expect(newCalls.filter((c) => !(c[0] === 'ps' || (c[0] === 'compose' && c[1] === 'version'))), server.name).toEqual([]);
    }
    expect(audit('bench12').length).toBe(auditBefore);
  });
});

describe('outline keys over the management API, pinned to the certificate provisioning made', () => {
  let standin: OutlineStandin;
  afterAll(() => standin?.close());

  it('add, list, rename, limit, remove', async () => {
    const persisted = '/opt/outline/persisted-state';
    standin = await startOutlineStandin({
      host: '127.0.0.114',
      port: PORTS.outlineApi,
      prefix: hostFile(outlineHost.name, `${persisted}/weclick-api-prefix`)!,
      cert: hostFile(outlineHost.name, `${persisted}/shadowbox-selfsigned.crt`)!,
      key: hostFile(outlineHost.name, `${persisted}/shadowbox-selfsigned.key`)!,
    });
    const add = await cli(['outline', 'keys', 'add', 'alice', '--limit', '10GB', '--json']);
    expect(add.code, add.stderr).toBe(0);
    const key = JSON.parse(add.stdout);
    expect(key).toMatchObject({ server: 'bench14', id: '0', name: 'alice', limitBytes: 10 * 1024 ** 3, accessUrl: expect.stringMatching(/^ss:\/\//) });
    expect((await cli(['outline', 'keys', 'rename', '0', 'alice (phone)'])).code).toBe(0);
    expect((await cli(['outline', 'keys', 'limit', '0', '--remove'])).code).toBe(0);
    const list = await cli(['outline', 'keys', 'list', '--json']);
    expect(JSON.parse(list.stdout).keys).toEqual([{ id: '0', name: 'alice (phone)', port: 20446, method: 'chacha20-ietf-poly1305', limitBytes: null, usedBytes: 0 }]);
    const text = await cli(['outline', 'keys', 'list']);
    expect(text.stdout).toMatch(/^0 +alice \(phone\) +20446 +chacha20-ietf-poly1305 +unlimited +0 B/m);
    expect(text.stdout + text.stderr).not.toContain(hostFile(outlineHost.name, `${persisted}/weclick-api-prefix`)!);
    expect((await cli(['outline', 'keys', 'remove', '0', '--yes'])).code).toBe(0);
    expect(standin.keys.size).toBe(0);
  });

  it('a server whose certificate is not the pinned one gets nothing', async () => {
    await standin.close();
    const other = selfSignedPair('127.0.0.114');
    standin = await startOutlineStandin({ host: '127.0.0.114', port: PORTS.outlineApi, cert: other.cert, key: other.key });
    const run = await cli(['outline', 'keys', 'list']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Outline on bench14: certificate fingerprint mismatch for 127\.0\.0\.114:\d+: expected [0-9A-F]{64}, got [0-9A-F]{64}; refusing to send anything/);
    expect(standin.requests).toEqual([]);
  });
});

describe('Marzban versions on the shared database', () => {
  it('refuses to start another version on one worker while the others run the pinned one', async () => {
    writeInventory(dir, FLEET, { image: 'gozargah/marzban:v0.8.5' });
    const run = await cli(['provision', 'bench12', '--yes']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('Marzban versions would differ: bench11 runs gozargah/marzban:v0.8.4, bench13 runs gozargah/marzban:v0.8.4, while this run starts gozargah/marzban:v0.8.5 on bench12');
    expect(hostFile(w1.name, '/opt/marzban/docker-compose.yml')).toContain('gozargah/marzban:v0.8.4');
    writeInventory(dir, FLEET);
  });
});

describe('decommission', () => {
  const f = fleet();
  const mysqlEnv = { MYSQL_HOST: f.mysql.host, MYSQL_PORT: String(f.mysql.port), MYSQL_ADMIN_USER: f.mysql.user, MYSQL_ADMIN_PASSWORD: f.mysql.password };
  const query = async (sql: string, values: unknown[] = []) => {
    const connection = await createConnection({ host: f.mysql.host, port: f.mysql.port, user: f.mysql.user, password: f.mysql.password });
    try {
      return (await connection.query(sql, values))[0] as Array<Record<string, unknown>>;
    } finally {
      await connection.end();
    }
  };
  afterAll(() => query("DROP USER IF EXISTS 'mz_bench13'@'127.0.0.113'"));

  it('drains, removes from HAProxy, revokes the MySQL account, retires; DNS records to drop are listed', async () => {
    await query("CREATE USER IF NOT EXISTS 'mz_bench13'@'127.0.0.113' IDENTIFIED BY 'test-pass-bench13-0123456789'");
    const open = await connectThrough('127.0.0.11', PORTS.entry);
    const run = await cli(['decommission', 'bench13', '--deadline', '3s', '--yes'], mysqlEnv);
    open.socket.destroy();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('  - A bench13.weclick.test 127.0.0.113');
    expect(run.stderr).toContain('bench13: in drain on go');
    expect(run.stderr).toContain('bench13: removed from HAProxy on go');
    expect(run.stderr).toContain("bench13: MySQL account dropped mz_bench13@127.0.0.113");
    expect(readFileSync(file, 'utf8')).toMatch(/name: bench13,.*state: retired/);
    expect(hostFile('go', '/etc/haproxy/haproxy.cfg')).not.toContain('bench13');
    expect(await query("SELECT Host FROM mysql.user WHERE User = 'mz_bench13'")).toEqual([]);
    expect(readFileSync(join(dir, 'weclick.secrets.yaml'), 'utf8')).not.toContain('bench13');
    const seen = await Promise.all([0, 1, 2].map(() => connectThrough('127.0.0.11', PORTS.entry)));
    expect(seen.map((c) => c.greeting)).toEqual(['hello from bench12', 'hello from bench12', 'hello from bench12']);
    seen.forEach((c) => c.socket.destroy());
  });
});
