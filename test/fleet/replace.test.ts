// `weclick replace` end to end on the real test fleet: a worker, the entry point and the management server are each
// replaced while the fleet serves. Real: SSH, HAProxy on the entry points, two MariaDB servers (the old and the new
// management server, each on its own host address), mysqldump/mysql over SSH, the files provisioning writes.
// STAND-INS, said plainly: the `docker` command on the Docker hosts (no engine here), the workers' Xray inbounds
// (Node servers parsing PROXY v2), Cloudflare's and Telegram's HTTP APIs.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAPROXY } from '../../src/haproxy/paths.js';
import type { HostSession } from '../../src/remote/session.js';
import { BIN, weclick, type CliResult } from '../helpers/cli.js';
import { startCloudflareStandin, type CloudflareStandin } from '../standins/cloudflare/index.js';
import { installDockerStandin } from '../standins/docker/install.js';
import { openHost, portBase, resetProvisionedHost } from '../standins/docker/fleet-helpers.js';
import { startTelegramStandin, type TelegramStandin } from '../standins/telegram/index.js';
import { newKeyPair } from '../unit/backup/fixtures/backup-world.js';
import { adminConnection, createMarzbanDatabase, tableChecksums, type DbAt } from '../unit/backup/fixtures/marzban-db.js';
import { connectThrough, echo, startBackend, type Backend } from '../unit/haproxy/proxy-v2-backend.js';
import { startExtraMariadb, type ExtraMariadb } from './extra-mariadb.js';
import { fleet, host, hostFile } from './harness.js';

const ZONE = 'weclick.test';
const DATABASE = 'marzban_replace';
const DB_PORT = 3307;
const base = portBase();
const PORTS = { entry: base + 5, xray: base + 6, panel: base + 7 };
const CF_TOKEN = 'cf-replace-token-0123456789abcdef0123456789';
const TG_TOKEN = '7000000002:AAE-replace_test_token_for_weclick';
const CHAT = '-1009876543210';

// Four spare hosts, reused as the scenarios go: each replace retires one and frees it for the next.
const [A, B, C, D] = ['bench17', 'bench18', 'bench19', 'bench20'].map((name) => ({ name, address: host(name).address }));
const ENTRY = A!; // the entry point first; later the new management server
const MGMT = B!; // the management server (old database)
const WORKER = C!; // the worker first replaced; later the new entry point
const NEW_WORKER = D!;

let dir: string;
let file: string;
let cf: CloudflareStandin;
let tg: TelegramStandin;
let oldDb: ExtraMariadb;
let newDb: ExtraMariadb | undefined;
const sessions = new Map<string, HostSession>();
const backends = new Map<string, Backend>();
const sockets: Socket[] = [];

const cli = (args: string[], timeoutMs = 180_000) => weclick([...args, '-i', file], { env: { WECLICK_INVENTORY: undefined }, timeoutMs });
const inventoryText = () => readFileSync(file, 'utf8');
const zone = () => cf.records(ZONE).map((r) => `${r.name} ${r.type} ${r.content}`).sort();
const progressFile = () => join(dir, 'weclick.replace.json');
const dbAt = (db: ExtraMariadb): DbAt => ({ host: db.host, port: db.port });

/** The built CLI in the background, for killing it mid-way or acting while it waits. */
function background(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args, '-i', file], { env: { ...process.env, NO_COLOR: '1', CI: '1', WECLICK_INVENTORY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 137 : 1), stdout, stderr, ms: 0 })));
  return { child, done, stderr: () => stderr };
}

async function until(what: string, check: () => boolean | Promise<boolean>, output: () => string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}; the command said:\n${output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function through(address: string): Promise<{ greeting: string; socket: Socket }> {
  const c = await connectThrough(address, PORTS.entry);
  sockets.push(c.socket);
  return { greeting: c.greeting.replace('hello from ', ''), socket: c.socket };
}

function writeInventory(): void {
  const server = (s: { name: string; address: string }, roles: string) =>
    `  - name: ${s.name}\n    hostname: ${s.name}.${ZONE}\n    ipv4: ${s.address}\n    roles: [${roles}]\n    provider: test\n    expires: 2030-01-01\n`;
  writeFileSync(
    file,
    `fleet:\n  domain: ${ZONE}\n  cloudflare:\n    zone: ${ZONE}\n  mysql:\n    port: ${DB_PORT}\n    database: ${DATABASE}\n  telegram:\n    chat: ${CHAT}\n` +
      `  backup:\n    recipients:\n      - RECIPIENT\n  ssh: { user: root, key: ${JSON.stringify(fleet().clientKey)}, connectTimeout: 5 }\n  marzban:\n    image: gozargah/marzban:v0.8.4\n` +
      `servers:\n${server(ENTRY, 'proxy')}${server(MGMT, 'management, subscription, mysql')}${server(WORKER, 'marzban')}`,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'weclick-replace-'));
  file = join(dir, 'weclick.yaml');
  for (const h of [A, B, C, D]) {
    const session = await openHost(h!.name);
    sessions.set(h!.name, session);
    await resetProvisionedHost(session);
    await installDockerStandin(session);
  }
  oldDb = await startExtraMariadb('replace-old', MGMT.address, DB_PORT);
  await createMarzbanDatabase(DATABASE, 3000, { at: dbAt(oldDb) });
  cf = await startCloudflareStandin({ token: CF_TOKEN, zones: [{ name: ZONE }] });
  tg = await startTelegramStandin({ token: TG_TOKEN, chats: [{ id: CHAT }], prefix: '/bot-api' });
  const keys = await newKeyPair();
  writeFileSync(join(dir, 'backup.key'), `${keys.identity}\n`, { mode: 0o600 });
  writeInventory();
  writeFileSync(file, inventoryText().replace('RECIPIENT', keys.recipient));
  writeFileSync(join(dir, 'known_hosts'), readFileSync(fleet().knownHosts));
  const { mysql } = fleet();
  writeFileSync(
    join(dir, '.env'),
    [
      'WECLICK_NAMESPACE_TEST_HOSTS=1',
      `WECLICK_ENTRY_PORT=${PORTS.entry}`,
      `WECLICK_XRAY_PORT=${PORTS.xray}`,
      `WECLICK_PANEL_PORT=${PORTS.panel}`,
      `MYSQL_ADMIN_USER=${mysql.user}`,
      `MYSQL_ADMIN_PASSWORD=${mysql.password}`,
      // The test machine has no DNS for weclick.test: weclick's own MySQL connections go to the old server's
      // address (the replace itself talks to each server by its address).
      `MYSQL_HOST=${MGMT.address}`,
      `CLOUDFLARE_API_TOKEN=${CF_TOKEN}`,
      `CLOUDFLARE_API_BASE_URL=${cf.url}`,
      `TELEGRAM_BOT_TOKEN=${TG_TOKEN}`,
      `TELEGRAM_API_ROOT=${tg.url}`,
      `BACKUP_AGE_IDENTITY_FILE=${join(dir, 'backup.key')}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  backends.set(WORKER.name, await startBackend(WORKER.name, WORKER.address, PORTS.xray));
  for (const name of [MGMT.name, WORKER.name]) expect((await cli(['db', 'grant', name])).code).toBe(0);
  const provision = await cli(['provision', '--all', '--yes']);
  expect(provision.code, provision.stderr + provision.stdout).toBe(0);
  const dns = await cli(['dns', 'sync', '--yes']);
  expect(dns.code, dns.stderr + dns.stdout).toBe(0);
}, 300_000);

afterAll(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  for (const b of backends.values()) await b.close();
  for (const session of sessions.values()) {
    await resetProvisionedHost(session).catch(() => undefined);
    session.close();
  }
  await oldDb?.stop();
  await newDb?.stop();
  await cf?.close();
  await tg?.close();
});

describe('replace a worker while a client keeps a connection open through the real HAProxy', () => {
  it('the plan names every step and exactly the DNS records that move', async () => {
    const plan = await cli(['replace', WORKER.name, '--with', NEW_WORKER.name, '--ip', NEW_WORKER.address, '--provider', 'test', '--expires', '2031-01-01', '--dry-run', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    const out = JSON.parse(plan.stdout);
    expect(out.kind).toBe('worker');
    expect(out.steps.map((s: { id: string }) => s.id)).toEqual(['stage', 'account', 'firewall-mysql', 'provision-new', 'healthy', 'dns-new', 'into-rotation', 'drain-old', 'retire-old', 'dns-old']);
    expect(out.dnsMoves).toEqual([
      { name: `${WORKER.name}.${ZONE}`, type: 'A', from: WORKER.address },
      { name: `${NEW_WORKER.name}.${ZONE}`, type: 'A', to: NEW_WORKER.address },
    ]);
    expect(inventoryText()).not.toContain(NEW_WORKER.name);
  });

  it('OLD keeps its open connection until the drain ends; new connections reach NEW; then OLD is retired', async () => {
    const zoneBefore = zone();
    const open = await through(ENTRY.address);
    expect(open.greeting).toBe(WORKER.name);
    const run = background(['replace', WORKER.name, '--with', NEW_WORKER.name, '--ip', NEW_WORKER.address, '--provider', 'test', '--expires', '2031-01-01', '--deadline', '90s', '--health-timeout', '60s', '--yes']);
    // NEW's Xray comes up a little later than its provisioning: the replace waits for it.
    await until('the replace waits for the new worker', () => /\[5\/10\] wait until/.test(run.stderr()), run.stderr);
    backends.set(NEW_WORKER.name, await startBackend(NEW_WORKER.name, NEW_WORKER.address, PORTS.xray));
    await until('the old worker drains', () => new RegExp(`${WORKER.name}: 1 session\\(s\\) open`).test(run.stderr()), run.stderr);
    // While OLD drains: new connections all reach NEW, and the open one still lives on OLD.
    const fresh = await Promise.all([1, 2, 3, 4].map(() => through(ENTRY.address)));
    expect(fresh.map((c) => c.greeting)).toEqual([NEW_WORKER.name, NEW_WORKER.name, NEW_WORKER.name, NEW_WORKER.name]);
    expect(await echo(open.socket, 'still on the old worker')).toBe('still on the old worker');
    expect(existsSync(progressFile())).toBe(true);
    open.socket.destroy();
    fresh.forEach((c) => c.socket.destroy());
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/\[8\/10\] done: bench19 drained: 0 session\(s\) left/);

    const inventory = inventoryText();
    expect(inventory).toMatch(new RegExp(`name: ${WORKER.name}[\\s\\S]*?state: retired`));
    expect(inventory).toMatch(new RegExp(`name: ${NEW_WORKER.name}[\\s\\S]*?roles:\\s*\\n\\s*- marzban[\\s\\S]*?state: active`));
    expect(hostFile(ENTRY.name, HAPROXY.config)).not.toContain(`server ${WORKER.name} `);
    expect(hostFile(ENTRY.name, HAPROXY.config)).toContain(`server ${NEW_WORKER.name} ${NEW_WORKER.address}:${PORTS.xray}`);
    // Exactly the planned record moves, nothing else.
    const after = zone();
    expect(after.filter((r) => !zoneBefore.includes(r))).toEqual([`${NEW_WORKER.name}.${ZONE} A ${NEW_WORKER.address}`]);
    expect(zoneBefore.filter((r) => !after.includes(r))).toEqual([`${WORKER.name}.${ZONE} A ${WORKER.address}`]);
    // NEW got its own database account; OLD's is gone.
    const admin = await adminConnection(undefined, dbAt(oldDb));
    const [rows] = await admin.query("SELECT User AS user FROM mysql.user WHERE User LIKE 'mz\\_%' ORDER BY User");
    await admin.end();
    expect((rows as Array<{ user: string }>).map((r) => r.user)).toEqual([`mz_${MGMT.name}`, `mz_${NEW_WORKER.name}`]);
    expect(existsSync(progressFile())).toBe(false);
  }, 240_000);
});

describe('replace the entry point: killed mid-way, then resumed', () => {
  it('a SIGKILL during the replace leaves a record; --resume finishes it while the old entry point keeps its connection', async () => {
    await resetProvisionedHost(sessions.get(WORKER.name)!);
    expect((await cli(['servers', 'remove', WORKER.name, '--yes'])).code).toBe(0);
    const zoneBefore = zone();
    const open = await through(ENTRY.address);
    expect(open.greeting).toBe(NEW_WORKER.name);

    const first = background(['replace', ENTRY.name, '--with', WORKER.name, '--ip', WORKER.address, '--provider', 'test', '--expires', '2031-01-01', '--deadline', '90s', '--yes']);
    // Killed while the old entry point still carries the open connection: the name has moved, OLD still serves.
    await until('the old entry point waits for its connections', () => new RegExp(`${ENTRY.name}: 1 connection\\(s\\) still open`).test(first.stderr()), first.stderr);
    first.child.kill('SIGKILL');
    expect((await first.done).code).toBe(137);
    const record = JSON.parse(readFileSync(progressFile(), 'utf8'));
    expect(record.steps.filter((s: { status: string }) => s.status === 'done').map((s: { id: string }) => s.id)).toEqual(['stage', 'firewall-marzban', 'provision-new', 'verify-new', 'switch', 'dns-move']);
    expect(record.steps.find((s: { id: string }) => s.id === 'wait-old').status).toBe('running');
    const status = await cli(['status', '--hosts', ENTRY.name, '--json']);
    expect(JSON.parse(status.stdout).replaceInProgress).toEqual({ old: ENTRY.name, new: WORKER.name, kind: 'entry', stepsDone: 6, steps: 10, phase: 'running' });
    const again = await cli(['replace', 'srv9', '--with', 'srv10']);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain(`a replace of ${ENTRY.name} by ${WORKER.name} is in progress`);

    const resumed = background(['replace', '--resume', '--yes']);
    await until('the old entry point waits for its connections', () => new RegExp(`${ENTRY.name}: 1 connection\\(s\\) still open`).test(resumed.stderr()), resumed.stderr);
    expect(resumed.stderr()).toMatch(/\[1\/10\] skipped: done in an earlier run/);
    // The new entry point serves new connections; the old one still carries the open tunnel.
    const fresh = await through(WORKER.address);
    expect(fresh.greeting).toBe(NEW_WORKER.name);
    expect(await echo(open.socket, 'old entry point still here')).toBe('old entry point still here');
    open.socket.destroy();
    fresh.socket.destroy();
    const result = await resumed.done;
    expect(result.code, result.stderr).toBe(0);

    expect(inventoryText()).toMatch(new RegExp(`name: ${ENTRY.name}[\\s\\S]*?state: retired`));
    const after = zone();
    expect(after).toContain(`go.${ZONE} A ${WORKER.address}`);
    expect(after).not.toContain(`go.${ZONE} A ${ENTRY.address}`);
    expect(after.filter((r) => !zoneBefore.includes(r)).sort()).toEqual([`go.${ZONE} A ${WORKER.address}`, `${WORKER.name}.${ZONE} A ${WORKER.address}`].sort());
    expect(zoneBefore.filter((r) => !after.includes(r)).sort()).toEqual([`go.${ZONE} A ${ENTRY.address}`, `${ENTRY.name}.${ZONE} A ${ENTRY.address}`].sort());
    expect(existsSync(progressFile())).toBe(false);
  }, 240_000);
});

describe('replace the management server', () => {
  const readOnly = async (db: ExtraMariadb) => {
    const admin = await adminConnection(undefined, dbAt(db));
    const [[row]] = (await admin.query('SELECT @@GLOBAL.read_only AS ro')) as unknown as [[{ ro: number }]];
    await admin.end();
    return Number(row.ro);
  };

  it('a step that fails keeps the record; --abort returns to the old server (writable again, NEW gone)', async () => {
    await resetProvisionedHost(sessions.get(ENTRY.name)!);
    await installDockerStandin(sessions.get(ENTRY.name)!);
    expect((await cli(['servers', 'remove', ENTRY.name, '--yes'])).code).toBe(0);
    const before = inventoryText();
    // NEW's MariaDB is not running yet: the restore on it fails.
    const run = await cli(['replace', MGMT.name, '--with', ENTRY.name, '--ip', ENTRY.address, '--provider', 'test', '--expires', '2031-01-01', '--yes']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/step 6\/13 \(restore-new\) failed: .*weclick replace --resume \(or --abort\)/);
    expect(await readOnly(oldDb)).toBe(1);

    const abort = await cli(['replace', '--abort', '--yes']);
    expect(abort.code, abort.stderr).toBe(0);
    expect(abort.stdout).toContain(`Aborted: ${MGMT.name} serves as before.`);
    expect(await readOnly(oldDb)).toBe(0);
    expect(inventoryText()).toBe(before);
    expect(existsSync(progressFile())).toBe(false);
  }, 240_000);

  it('moves the data to the new MariaDB (identical tables), re-points the worker, moves the names, retires OLD', async () => {
    newDb = await startExtraMariadb('replace-new', ENTRY.address, DB_PORT);
    const zoneBefore = zone();
    const source = await tableChecksums(DATABASE, dbAt(oldDb));
    const run = await cli(['replace', MGMT.name, '--with', ENTRY.name, '--ip', ENTRY.address, '--provider', 'test', '--expires', '2031-01-01', '--yes'], 300_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/verify-copy|\[7\/13\] done: \d+ tables, \d+ rows: identical on both/);
    expect(await tableChecksums(DATABASE, dbAt(newDb))).toEqual(source);
    expect(source.users!.rows).toBe(3000);
    // The worker's Marzban now reaches the database name at the new server.
    expect(hostFile(NEW_WORKER.name, '/opt/marzban/docker-compose.yml')).toContain(`"db.${ZONE}:${ENTRY.address}"`);
    // The worker's account (and the new panel's) exist on the new server, each for its own address only; the
    // retired server's account is gone.
    const admin = await adminConnection(undefined, dbAt(newDb));
    const [rows] = await admin.query("SELECT User AS user, Host AS host FROM mysql.user WHERE User LIKE 'mz\\_%' ORDER BY User");
    await admin.end();
    expect(rows).toEqual([{ user: `mz_${ENTRY.name}`, host: ENTRY.address }, { user: `mz_${NEW_WORKER.name}`, host: NEW_WORKER.address }]);
    const after = zone();
    for (const name of ['mngmt', 'podpiska', 'db']) expect(after).toContain(`${name}.${ZONE} A ${ENTRY.address}`);
    expect(zoneBefore.filter((r) => !after.includes(r)).sort()).toEqual([`db.${ZONE} A ${MGMT.address}`, `mngmt.${ZONE} A ${MGMT.address}`, `podpiska.${ZONE} A ${MGMT.address}`, `${MGMT.name}.${ZONE} A ${MGMT.address}`].sort());
    expect(inventoryText()).toMatch(new RegExp(`name: ${MGMT.name}[\\s\\S]*?state: retired`));
    // The old copy stays read-only: nothing can be written there by mistake.
    expect(await readOnly(oldDb)).toBe(1);
    expect(tg.messages(CHAT).some((m) => m.document?.file_name?.includes('.age'))).toBe(true);
  }, 300_000);
});
