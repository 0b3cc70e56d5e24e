// Issue 9 (5), host trust: a second sshd answering on a host's address with another key is refused on every
// command path that connects. The impostor is our own sshd (not a fleet host, so no one else's test is
// disturbed): it listens on spare loopback addresses that the inventory gives to mngmt, go, srv3 and srv4, with a
// fresh host key, and it WOULD let the fleet's client key in — with a forced command that only logs — so a
// client that wrongly accepted its key shows in the impostor's log ("Accepted publickey", a logged command).
// Two worlds: `changed` (known_hosts holds each host's real key: the refusal must name the host and both
// fingerprints) and `unknown` (no key known: the refusal must name the host and the `weclick hosts trust` fix).
// The Outline API is the one path that trusts a pinned TLS certificate instead: a server with another
// certificate must be refused before the request (whose path is the secret) is sent.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet, host } from '../fleet/harness.js';
import { startTelegramStandin, type TelegramStandin } from '../standins/telegram/index.js';
import { recordFigure } from './figures.js';
import { runCli, snapshotBuild, type BuiltCli, type Lane, type Outcome } from './fuzz-cli.js';

/** Spare loopback addresses for the impostor; the inventory says the servers live there. */
const IMPOSTOR: Record<string, string> = { mngmt: '127.0.0.241', go: '127.0.0.242', srv3: '127.0.0.243', srv4: '127.0.0.244' };
/** Whose real key known_hosts holds for each (srv4 is new to the fleet: srv2's key stands in). */
const REAL_KEY_OF: Record<string, string> = { mngmt: 'mngmt', go: 'go', srv3: 'srv3', srv4: 'srv2' };
const ROLES: Record<string, string> = { mngmt: '[management, subscription, mysql]', go: '[proxy]', srv3: '[marzban]', srv4: '[marzban]' };
const TOKEN = '7000000002:AAE-host-trust-test-token';
const CHAT = '-1001234567890';
const SECRETS = 'weclick.secrets.yaml';
/** Files a path may leave beside the inventory (replace's progress record), removed after each path. */
const LEFTOVERS = ['weclick.replace.json'];
/** sshd log lines that mean the client got past the host key: it asked to authenticate. */
const GOT_PAST_HOST_KEY = /Accepted (key|publickey)|Failed publickey|Postponed publickey|Authentication refused|session opened/i;

let cli: BuiltCli;
let dir: string;
let sshd: ChildProcess | undefined;
let sshdLog = '';
let ranLog: string;
let impostorFingerprint: string;
let tg: TelegramStandin;
let pool: Pool;
let database: string;
const worlds: Record<'changed' | 'unknown', Lane> = {} as Record<'changed' | 'unknown', Lane>;
/** The keys known_hosts holds, and their fingerprints, read once: another test may rekey a fleet host meanwhile. */
const knownKeys: Record<string, string> = {};
const knownFingerprints: Record<string, string> = {};

const fingerprintOf = (publicKey: string): string => {
  const file = join(dir, `fp-${randomBytes(4).toString('hex')}.pub`);
  writeFileSync(file, `${publicKey}\n`);
  return execFileSync('ssh-keygen', ['-E', 'sha256', '-lf', file], { encoding: 'utf8' }).split(' ')[1]!;
};

function listening(address: string): Promise<boolean> {
  return new Promise((done) => {
    const socket = tcpConnect({ host: address, port: 22, timeout: 500 });
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
    socket.once('timeout', () => (socket.destroy(), done(false)));
  });
}

async function startImpostor(): Promise<void> {
  for (const address of Object.values(IMPOSTOR)) {
    if (await listening(address)) throw new Error(`${address}:22 is taken: the host-trust test needs it for its impostor sshd`);
  }
  const key = join(dir, 'impostor_host_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key, '-C', 'impostor']);
  impostorFingerprint = fingerprintOf(readFileSync(`${key}.pub`, 'utf8').trim());
  ranLog = join(dir, 'impostor-ran.log');
  const forced = join(dir, 'impostor-command.sh');
  // Whatever a fooled client asks for (exec, shell, sftp), only this runs: it notes the request and fails.
  writeFileSync(forced, `#!/bin/sh\nprintf 'ran: %s\\n' "$SSH_ORIGINAL_COMMAND" >> '${ranLog}'\nexit 97\n`, { mode: 0o755 });
  const config = join(dir, 'impostor_sshd_config');
  writeFileSync(
    config,
    [
      ...Object.values(IMPOSTOR).map((a) => `ListenAddress ${a}`),
      'Port 22',
      `HostKey ${key}`,
      `AuthorizedKeysFile ${fleet().stateDir}/ssh/authorized_keys`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UseDNS no',
      'PrintMotd no',
      `PidFile ${join(dir, 'impostor.pid')}`,
      `ForceCommand ${forced}`,
      'DisableForwarding yes',
      'PermitTTY no',
      'LogLevel VERBOSE',
    ].join('\n'),
  );
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  execFileSync('/usr/sbin/sshd', ['-t', '-f', config]);
  sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  sshd.stderr!.on('data', (chunk: Buffer) => (sshdLog += chunk.toString()));
  for (let i = 0; i < 100; i++) {
    if ((await Promise.all(Object.values(IMPOSTOR).map(listening))).every(Boolean)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the impostor sshd did not start:\n${sshdLog}`);
}

function inventoryText(roles: Record<string, string> = ROLES, extra = ''): string {
  const servers = Object.keys(IMPOSTOR).map(
    (name) => `  - name: ${name}
    hostname: ${name}.weclick.test
    ipv4: ${IMPOSTOR[name]}
    roles: ${roles[name]}
    provider: test-provider
    expires: 2031-01-01
`,
  );
  return `fleet:
  domain: weclick.test
  ssh:
    user: root
    key: ${JSON.stringify(fleet().clientKey)}
    connectTimeout: 5
  mysql:
    database: ${database}
  telegram:
    chat: "${CHAT}"
  backup:
    recipients:
      - ${recipient}
  marzban:
    image: gozargah/marzban:v0.8.4
${extra}servers:
${servers.join('\n')}`;
}

let recipient = '';

function makeWorld(kind: 'changed' | 'unknown', identityFile: string): Lane {
  const world = join(dir, kind);
  mkdirSync(join(world, 'home', '.ssh'), { recursive: true });
  const f = fleet();
  const knownHosts =
    kind === 'changed'
      ? Object.keys(IMPOSTOR)
          .map((name) => `${name}.weclick.test,${IMPOSTOR[name]} ${knownKeys[name]}`)
          .join('\n') + '\n'
      : '';
  const env = [
    `MYSQL_HOST=${f.mysql.host}`,
    `MYSQL_PORT=${f.mysql.port}`,
    `MYSQL_ADMIN_USER=${f.mysql.user}`,
    `MYSQL_ADMIN_PASSWORD=${f.mysql.password}`,
    `TELEGRAM_BOT_TOKEN=${TOKEN}`,
    `TELEGRAM_API_ROOT=${tg.url}`,
    `BACKUP_AGE_IDENTITY_FILE=${identityFile}`,
  ].join('\n');
  const catalog = {
    version: 1,
    backups: [
      {
        id: '20260101-000000-beef',
        status: 'done',
        createdAt: '2026-01-01T00:00:00.000Z',
        finishedAt: '2026-01-01T00:00:10.000Z',
        source: { host: 'mngmt', database, management: 'mngmt' },
        chat: CHAT,
        recipients: [recipient],
        parts: [{ index: 1, name: 'weclick-20260101-000000-beef.part1', bytes: 10, sha256: '0'.repeat(64), messageId: 1, fileId: 'f1', fileUniqueId: 'u1', date: 1767225600, state: 'present' }],
        tables: [],
      },
    ],
  };
  const files = new Map<string, Buffer>([
    [join(world, 'weclick.yaml'), Buffer.from(inventoryText())],
    [join(world, '.env'), Buffer.from(`${env}\n`)],
    [join(world, 'known_hosts'), Buffer.from(knownHosts)],
    [join(world, 'backups.catalog.json'), Buffer.from(JSON.stringify(catalog, null, 2))],
  ]);
  for (const [file, bytes] of files) {
    writeFileSync(file, bytes);
    chmodSync(file, 0o600);
  }
  return { dir: world, cwd: world, home: join(world, 'home'), inventory: join(world, 'weclick.yaml'), files };
}

/** Puts the world back as it was before a path ran (replace stages srv4 in the inventory before it connects). */
function restore(world: Lane): void {
  for (const [file, bytes] of world.files) {
    writeFileSync(file, bytes);
    chmodSync(file, 0o600);
  }
  for (const name of LEFTOVERS) rmSync(join(world.dir, name), { force: true });
}

beforeAll(async () => {
  const f = fleet();
  // No default database: afterAll must be able to clean up even when the database was never made.
  pool = createPool({ host: f.mysql.host, port: f.mysql.port, user: f.mysql.user, password: f.mysql.password, connectionLimit: 2 });
  cli = snapshotBuild();
  dir = mkdtempSync(join(tmpdir(), 'weclick-host-trust-'));
  await startImpostor();
  tg = await startTelegramStandin({ token: TOKEN, chats: [{ id: CHAT }], prefix: '/bot-api' });
  const age = await import('age-encryption');
  const identity = await age.generateX25519Identity();
  recipient = await age.identityToRecipient(identity);
  const identityFile = join(dir, 'backup-identity.txt');
  writeFileSync(identityFile, `${identity}\n`, { mode: 0o600 });
  database = `wk_trust_${randomBytes(4).toString('hex')}`;
  for (const name of Object.keys(IMPOSTOR)) {
    knownKeys[name] = host(REAL_KEY_OF[name]!).hostKeyPub;
    knownFingerprints[name] = fingerprintOf(knownKeys[name]!);
  }
  worlds.changed = makeWorld('changed', identityFile);
  worlds.unknown = makeWorld('unknown', identityFile);
  const migrate = await runCli(cli.bin, worlds.changed, ['db', 'migrate', '-i', worlds.changed.inventory]);
  if (migrate.code !== 0) throw new Error(`weclick db migrate failed (${migrate.code}): ${migrate.stderr}`);
  // Provision wants each Marzban instance's MySQL account (for its .env): granted once, at the impostor addresses.
  for (const worker of ['mngmt', 'srv3', 'srv4']) {
    const grant = await runCli(cli.bin, worlds.changed, ['db', 'grant', worker, '-i', worlds.changed.inventory]);
    if (grant.code !== 0) throw new Error(`weclick db grant ${worker} failed (${grant.code}): ${grant.stderr}`);
  }
  const secrets = readFileSync(join(worlds.changed.dir, SECRETS));
  for (const world of Object.values(worlds)) world.files.set(join(world.dir, SECRETS), secrets);
  for (const world of Object.values(worlds)) restore(world);
}, 300_000);

afterAll(async () => {
  sshd?.kill('SIGTERM');
  await tg?.close();
  // The workers' accounts db grant (and replace) made at the impostor addresses.
  for (const [name, address] of Object.entries(IMPOSTOR)) await pool?.query('DROP USER IF EXISTS ?@?', [`mz_${name}`, address]).catch(() => undefined);
  await pool?.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
  await pool?.end().catch(() => undefined);
  cli?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// --- the command paths that connect ------------------------------------------------------------------------

interface CommandPath {
  label: string;
  argv: string[];
  /** The servers this path reaches first; the refusal must name one of them. */
  hosts: string[];
  /** Not in the `unknown` world (hosts trust there is the documented way to accept a key, after a look). */
  changedOnly?: boolean;
  /** Exit 0 where the path documents it: users add/disable write the database, queue the worker's part and exit 0. */
  exit?: number[];
  /** Writes beside the inventory before it first connects, by design (replace records its progress, stages NEW). */
  localWrites?: boolean;
  /** Extra checks after the run, e.g. the database row the path may write. */
  after?: (o: Outcome, kind: 'changed' | 'unknown') => Promise<string | undefined>;
}

const accountExists = async (user: string, address: string) => (await pool.query<RowDataPacket[]>('SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?', [user, address]))[0].length > 0;
const pendingFor = async (username: string) => Number((await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${database}\`.weclick_pending WHERE username = ?`, [username]))[0][0]!.n);

const PATHS: CommandPath[] = [
  { label: 'status', argv: ['status'], hosts: ['mngmt', 'go', 'srv3', 'srv4'] },
  { label: 'run', argv: ['run', '--', 'touch', '/tmp/weclick-host-trust'], hosts: ['mngmt', 'go', 'srv3', 'srv4'] },
  { label: 'run --shell', argv: ['run', '--shell', '--', 'touch /tmp/weclick-host-trust'], hosts: ['mngmt', 'go', 'srv3', 'srv4'] },
  { label: 'provision --dry-run', argv: ['provision', 'srv3', '--dry-run'], hosts: ['srv3', 'mngmt', 'go'] },
  { label: 'provision --yes', argv: ['provision', 'srv3', '--yes'], hosts: ['srv3', 'mngmt', 'go'] },
  { label: 'provision --all --yes', argv: ['provision', '--all', '--yes'], hosts: ['mngmt', 'go', 'srv3', 'srv4'] },
  { label: 'haproxy status', argv: ['haproxy', 'status'], hosts: ['go'] },
  { label: 'haproxy sync --yes', argv: ['haproxy', 'sync', '--yes'], hosts: ['go'] },
  { label: 'haproxy sync --dry-run', argv: ['haproxy', 'sync', '--dry-run'], hosts: ['go'] },
  { label: 'haproxy drain --yes', argv: ['haproxy', 'drain', 'srv3', '--yes'], hosts: ['go'] },
  { label: 'haproxy ready --yes', argv: ['haproxy', 'ready', 'srv3', '--yes'], hosts: ['go'] },
  {
    label: 'users add (propagation to workers)',
    argv: ['users', 'add', 'trust_add_USER'],
    hosts: ['srv3', 'srv4'],
    // Exit 1: both workers refused; the user is in the database and stays queued for both.
    after: async (_o, kind) => ((await pendingFor(`trust_add_${kind}`)) === 2 ? undefined : `expected trust_add_${kind} queued for srv3 and srv4, found ${await pendingFor(`trust_add_${kind}`)} row(s)`),
  },
  { label: 'users disable (propagation)', argv: ['users', 'disable', 'trust_add_USER'], hosts: ['srv3', 'srv4'] },
  { label: 'users sync', argv: ['users', 'sync'], hosts: ['srv3', 'srv4'] },
  { label: 'backup now', argv: ['backup', 'now'], hosts: ['mngmt'] },
  { label: 'backup restore', argv: ['backup', 'restore', 'latest', '--database', 'trust_restore_copy', '--yes'], hosts: ['mngmt'] },
  { label: 'backup verify', argv: ['backup', 'verify', 'latest'], hosts: ['mngmt'] },
  { label: 'backup schedule --yes', argv: ['backup', 'schedule', '--yes'], hosts: ['mngmt'] },
  {
    label: 'decommission --yes',
    argv: ['decommission', 'srv3', '--yes'],
    hosts: ['go', 'srv3', 'mngmt'],
    // Refused before its first step: srv3's MySQL account is still there.
    after: async () => ((await accountExists('mz_srv3', IMPOSTOR.srv3!)) ? undefined : "srv3's MySQL account was dropped"),
  },
  { label: 'lock acquire', argv: ['lock', 'acquire', '--message', 'host-trust test'], hosts: ['mngmt', 'go', 'srv3', 'srv4'] },
  { label: 'lock status', argv: ['lock', 'status'], hosts: ['mngmt', 'go', 'srv3', 'srv4'] },
  { label: 'lock release --yes', argv: ['lock', 'release', '--yes'], hosts: ['mngmt', 'go', 'srv3', 'srv4'] },
  { label: 'hosts trust (must not replace a known key)', argv: ['hosts', 'trust', 'srv3', '--yes'], hosts: ['srv3'], changedOnly: true },
  { label: 'hosts trust --all (must not replace known keys)', argv: ['hosts', 'trust', '--all', '--yes'], hosts: ['mngmt', 'go', 'srv3', 'srv4'], changedOnly: true },
  // replace --dry-run shows the plan without connecting; --yes stages srv4 and its MySQL account, then connects.
  {
    label: 'replace --yes',
    argv: ['replace', 'srv3', '--with', 'srv4', '--yes', '--deadline', '5s'],
    hosts: ['mngmt', 'srv4', 'go', 'srv3'],
    localWrites: true,
    after: async (o) => (/\[4\/\d+\]/.test(o.stderr) ? 'replace went on past the step that was refused' : undefined),
  },
];

/** What is wrong with one run, or undefined when the path refused the impostor as it must. */
function refusalProblem(path: CommandPath, kind: 'changed' | 'unknown', o: Outcome): string | undefined {
  const out = `${o.stdout}\n${o.stderr}`.replace(/\s+/g, ' ');
  if (o.code === null) return `no exit code (signal ${o.signal})`;
  if (!(path.exit ?? []).includes(o.code) && o.code === 0) return 'exit 0: the command reported success';
  const named = path.hosts.filter((name) => new RegExp(`host key of ${name} \\(${IMPOSTOR[name]!.replaceAll('.', '\\.')}\\)`, 'i').test(out));
  if (named.length === 0) return `no refusal naming ${path.hosts.join(' or ')} and its address`;
  if (kind === 'changed') {
    const known = named.filter((name) => out.includes(knownFingerprints[name]!));
    if (!out.includes(impostorFingerprint)) return `the offered fingerprint ${impostorFingerprint} is not shown`;
    if (known.length === 0) return `the known fingerprint of ${named.join('/')} is not shown`;
  } else if (!named.some((name) => out.includes(`weclick hosts trust ${name}`))) return 'the fix (weclick hosts trust NAME) is not named';
  return undefined;
}

describe('host trust: an impostor sshd with another key on the hosts\' addresses', () => {
  const failures: string[] = [];
  let checked = 0;
  let accepted = 0;

  for (const kind of ['changed', 'unknown'] as const) {
    for (const path of PATHS.filter((p) => kind === 'changed' || !p.changedOnly)) {
      it(`${kind} key: ${path.label} refuses, names the host and ${kind === 'changed' ? 'both fingerprints' : 'the fix'}, changes nothing`, async () => {
        const world = worlds[kind];
        const before = new Map([...world.files.keys()].map((f) => [f, readFileSync(f)]));
        const logStart = sshdLog.length;
        const ranBefore = existsSync(ranLog) ? readFileSync(ranLog, 'utf8') : '';
        const words = path.argv.map((a) => a.replace('USER', kind));
        const dashes = words.indexOf('--');
        const argv = dashes < 0 ? [...words, '-i', world.inventory] : [...words.slice(0, dashes), '-i', world.inventory, ...words.slice(dashes)];
        const o = await runCli(cli.bin, world, argv);
        // Give the impostor's log a moment to catch up with connections that just closed.
        await new Promise((r) => setTimeout(r, 100));
        const problems: string[] = [];
        const impostorSaw = sshdLog.slice(logStart).split('\n').filter((l) => GOT_PAST_HOST_KEY.test(l));
        const ran = (existsSync(ranLog) ? readFileSync(ranLog, 'utf8') : '').slice(ranBefore.length);
        if (impostorSaw.length > 0 || ran) {
          accepted++;
          problems.push(`ACCEPTED THE WRONG KEY: the impostor saw ${impostorSaw.join(' | ')} ${ran}`);
        }
        const refusal = refusalProblem(path, kind, o);
        if (refusal) problems.push(refusal);
        if (!path.localWrites) for (const [file, bytes] of before) if (!file.endsWith(SECRETS) && !readFileSync(file).equals(bytes)) problems.push(`${file.split('/').pop()} was changed`);
        const extra = await path.after?.(o, kind);
        if (extra) problems.push(extra);
        restore(world);
        checked++;
        if (problems.length > 0) failures.push(`${kind} · ${path.label}: ${problems.join('; ')}\n    exit ${o.code}; stderr: ${o.stderr.slice(0, 600)}`);
        expect(problems, `${path.label} (exit ${o.code})\nstdout: ${o.stdout.slice(0, 800)}\nstderr: ${o.stderr.slice(0, 1500)}`).toEqual([]);
      }, 120_000);
    }
  }

  it('control: with the impostor key in known_hosts the same client gets in, and the impostor log shows it', async () => {
    // Proves the detector above can see an acceptance: here the key IS trusted, so the client authenticates.
    const world = worlds.changed;
    const impostorKey = readFileSync(join(dir, 'impostor_host_key.pub'), 'utf8').trim();
    const logStart = sshdLog.length;
    const ranBefore = existsSync(ranLog) ? readFileSync(ranLog, 'utf8').length : 0;
    try {
      writeFileSync(join(world.dir, 'known_hosts'), `srv3.weclick.test,${IMPOSTOR.srv3} ${impostorKey}\n`);
      const o = await runCli(cli.bin, world, ['run', '--hosts', 'srv3', '-i', world.inventory, '--', 'true']);
      await new Promise((r) => setTimeout(r, 100));
      expect(o.code, 'the forced command exits 97, so run fails').toBe(1);
      expect(sshdLog.slice(logStart)).toMatch(GOT_PAST_HOST_KEY);
      expect(readFileSync(ranLog, 'utf8').slice(ranBefore)).toMatch(/^ran: /m);
    } finally {
      restore(world);
    }
  });

  it('outline keys list: a server with another TLS certificate than the pinned one is refused before the request is sent', async () => {
    const { pinned, served } = certificates();
    let requests = 0;
    const server: Server = createServer({ key: served.key, cert: served.cert }, (_req, res) => {
      requests++;
      res.end('{"accessKeys":[]}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const world = worlds.changed;
    const secrets = join(world.dir, 'weclick.secrets.yaml');
    writeFileSync(secrets, `outline:\n  srv4:\n    apiUrl: "https://127.0.0.1:${port}/SecretApiPath"\n    certSha256: "${pinned.sha256}"\n`, { mode: 0o600 });
    try {
      writeFileSync(world.inventory, inventoryText({ ...ROLES, srv4: '[outline]' }));
      const o = await runCli(cli.bin, world, ['outline', 'keys', 'list', '-i', world.inventory]);
      checked++;
      const problems: string[] = [];
      if (o.code !== 1) problems.push(`exit ${o.code}, expected 1`);
      if (!/srv4/.test(o.stderr) || !/certificate/i.test(o.stderr)) problems.push('the refusal does not name srv4 and the certificate');
      if (o.stderr.includes('SecretApiPath') || o.stdout.includes('SecretApiPath')) problems.push('the secret API path was printed');
      if (requests > 0) {
        accepted++;
        problems.push(`ACCEPTED THE WRONG CERTIFICATE: ${requests} request(s) reached the server`);
      }
      if (problems.length > 0) failures.push(`outline keys list: ${problems.join('; ')}\n    stderr: ${o.stderr.slice(0, 400)}`);
      expect(problems, o.stderr).toEqual([]);
    } finally {
      restore(world);
      server.close();
    }
  });

  it('records the figure: command paths checked, wrong keys accepted', () => {
    recordFigure({
      id: 'host-trust',
      promise: 'An impostor host key (or TLS certificate) is refused on every command path that connects',
      tried: checked,
      unit: 'command paths (changed and unknown key)',
      failed: accepted,
      detail: `${PATHS.length} SSH paths with a changed key, ${PATHS.filter((p) => !p.changedOnly).length} with an unknown one, plus Outline's pinned certificate; failed = a wrong key accepted (${failures.length} path(s) with any problem)`,
    });
    expect(accepted, failures.join('\n')).toBe(0);
    expect(failures).toEqual([]);
  });
});

/** Two self-signed certificates: the one the secrets file pins, and the impostor's. */
function certificates(): { pinned: { sha256: string }; served: { key: string; cert: string } } {
  const make = (cn: string) => {
    const base = join(dir, cn);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.crt`, '-days', '2', '-subj', `/CN=${cn}`], { stdio: 'ignore' });
    const der = Buffer.from(readFileSync(`${base}.crt`, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    return { key: readFileSync(`${base}.key`, 'utf8'), cert: readFileSync(`${base}.crt`, 'utf8'), sha256: createHash('sha256').update(der).digest('hex').toUpperCase() };
  };
  const pinned = make('outline-real');
  const served = make('outline-impostor');
  return { pinned, served };
}
