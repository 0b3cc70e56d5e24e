// Issue 9 (6): permissions. Secret files weclick writes — locally and on hosts — are created 0600 even under umask
// 000; a secret file that group or others may read is refused in one line naming `chmod 600 FILE`; and no
// unencrypted backup byte is written anywhere but the database host's pipe (mysqldump | gzip → SSH → age): after
// backup now, verify and restore, a plaintext marker row is looked for on this machine and on the hosts.
// Real: the built CLI, the test fleet's hosts and MariaDB. Stand-ins: Telegram (and the docker command on the
// provisioned worker).
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet, host } from '../fleet/harness.js';
import { BIN, type CliResult } from '../helpers/cli.js';
import { onHost } from '../unit/backup/fixtures/backup-world.js';
import { recordFigure, SCALE } from './figures.js';
import { needlesFor, scan } from './secrets-scan.js';
import { CHAT, PROVISIONED, SERVERS, secretsWorld, type SecretsWorld } from './secrets-world.js';

let world: SecretsWorld;
beforeAll(async () => {
  world = await secretsWorld();
}, 180_000);
afterAll(async () => world?.close(), 60_000);

/** What the figure counts: one entry per check, with what went wrong when it failed. */
type Kind = 'mode' | 'refusal' | 'plaintext';
const checks: Array<{ kind: Kind; what: string; problem?: string }> = [];
let kind: Kind = 'mode';
const check = (what: string, problem?: string) => checks.push({ kind, what, ...(problem ? { problem } : {}) });
const counted = (k: Kind) => checks.filter((c) => c.kind === k).length;
const parseJson = (text: string) => {
  try {
    return JSON.parse(text) as Record<string, never>;
  } catch {
    return {};
  }
};
const modeOf = (path: string) => statSync(path).mode & 0o777;
const octal = (mode: number) => mode.toString(8).padStart(4, '0');

/** The built CLI under umask 000: whatever weclick leaves to the umask would come out world-readable. */
function openUmask(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile('sh', ['-c', 'umask 000 && exec "$@"', 'sh', process.execPath, BIN, ...args], { cwd: world.dir, env: { ...process.env, NO_COLOR: '1', ...world.env, ...env }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr), ms: Date.now() - started });
    });
  });
}

async function ok(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const r = await openUmask(args, env);
  if (r.code !== 0) throw new Error(`weclick ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r;
}

function expectPrivate(what: string, path: string, want = 0o600): void {
  let mode: number | undefined;
  try {
    mode = modeOf(path);
  } catch {
    check(what, `${path} was not written`);
    return;
  }
  check(`${what}: ${path}`, mode === want ? undefined : `${path} is ${octal(mode)}, not ${octal(want)}`);
}

describe('secret files are created 0600', () => {
  it('locally and on the hosts, even when weclick runs under umask 000', async () => {
    const inv = ['-i', world.inventory];
    const fresh = join(world.outputDir, 'perm-init');
    mkdirSync(fresh);
    await ok(['init', '--yes', '--domain', 'example.net', '-i', join(fresh, 'weclick.yaml')]);
    expectPrivate('init: .env', join(fresh, '.env'));
    await ok(['backup', 'keygen', '--out', join(world.outputDir, 'perm.key')]);
    expectPrivate('backup keygen: the identity', join(world.outputDir, 'perm.key'));
    const secretsFile = join(world.dir, 'weclick.secrets.yaml');
    await ok(['db', 'grant', 'lkb9', ...inv]);
    expectPrivate('db grant: weclick.secrets.yaml', secretsFile);
    await ok(['db', 'rotate', 'lkb9', ...inv]);
    expectPrivate('db rotate: weclick.secrets.yaml', secretsFile);
    await ok(['db', 'revoke', 'lkb9', '--yes', ...inv]);
    expectPrivate('db revoke: weclick.secrets.yaml', secretsFile);
    await ok(['backup', 'now', ...inv]);
    expectPrivate('backup now: backups.catalog.json', join(world.dir, 'backups.catalog.json'));
    const extracted = join(world.outputDir, 'perm-files');
    await ok(['backup', 'restore', 'latest', '--database', `${world.database}_p`, '--extract-files', extracted, ...inv]);
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
          expectPrivate('backup restore --extract-files: a folder', path, 0o700);
          walk(path);
        } else expectPrivate('backup restore --extract-files: a Marzban file', path);
      }
    };
    walk(extracted);

    // On the host: what provisioning writes that holds a secret (the worker's DB password, the REALITY key).
    await ok(['provision', PROVISIONED.name, '--yes', ...inv]);
    const dir = host(PROVISIONED.fleetHost).dir;
    expectPrivate(`provision on ${PROVISIONED.fleetHost}: /opt/marzban/.env`, join(dir, 'opt', 'marzban', '.env'));
    expectPrivate(`provision on ${PROVISIONED.fleetHost}: /var/lib/marzban/xray_config.json`, join(dir, 'upper', 'var', 'lib', 'marzban', 'xray_config.json'));
    const leftovers = readdirSync(join(dir, 'opt', 'marzban')).filter((n) => n !== '.env' && n !== 'docker-compose.yml');
    check(`provision on ${PROVISIONED.fleetHost}: no temp file left beside the secrets`, leftovers.length ? `left: ${leftovers.join(', ')}` : undefined);

    const failed = checks.filter((c) => c.problem);
    expect(failed).toEqual([]);
  }, 300_000);
});

describe('a secret file group or others may read is refused', () => {
  it('in one line (exit 3) naming the chmod that fixes it, before anything is done', async () => {
    kind = 'refusal';
    const inv = ['-i', world.inventory];
    const files = {
      '.env': join(world.dir, '.env'),
      'weclick.secrets.yaml': join(world.dir, 'weclick.secrets.yaml'),
      'the age identity': world.identityFile,
    };
    const cases: Array<{ file: keyof typeof files; args: string[] }> = [
      { file: '.env', args: ['users', 'list'] },
      { file: '.env', args: ['dns', 'plan'] },
      { file: '.env', args: ['backup', 'now'] },
      { file: '.env', args: ['db', 'migrate'] },
      { file: '.env', args: ['provision', 'lkw1', '--dry-run'] },
      { file: '.env', args: ['expiring', '--days', '3650', '--notify'] },
      { file: 'weclick.secrets.yaml', args: ['db', 'accounts'] },
      { file: 'weclick.secrets.yaml', args: ['outline', 'keys', 'list'] },
      { file: 'weclick.secrets.yaml', args: ['provision', 'lkw1', '--dry-run'] },
      { file: 'the age identity', args: ['backup', 'verify', 'latest'] },
      { file: 'the age identity', args: ['backup', 'restore', 'latest', '--database', `${world.database}_q`, '--dry-run'] },
    ];
    const messagesBefore = world.tg.messages(CHAT, { includeDeleted: true }).length;
    // Full size: every case in each of three modes. CI size: one mode per case, turning.
    const modes = [0o644, 0o640, 0o604];
    const runs = cases.flatMap((c, i) => (SCALE === 'full' ? modes : [modes[i % modes.length]!]).map((mode) => ({ ...c, mode })));
    for (const { file, args, mode } of runs) {
      const path = files[file];
      chmodSync(path, mode);
      try {
        for (const json of [false, true]) {
          const r = await openUmask([...args, ...inv, ...(json ? ['--json'] : [])]);
          // expiring keeps its monitoring exit code when --notify fails (documented): WARNING here, the refusal said.
          const notify = args[0] === 'expiring';
          const line = `${notify ? '--notify: ' : ''}${path} is readable by group or others (mode ${octal(mode)}): run chmod 600 ${path}`;
          const out: { error?: { message?: string }; notifyError?: string } = json ? parseJson(r.stdout) : {};
          const said = json ? (out.error?.message ?? `--notify: ${out.notifyError}`) : r.stderr;
          const code = notify ? 1 : 3;
          const problem =
            r.code !== code ? `exit ${r.code}, not ${code}: ${r.stderr.trim().split('\n').pop()}` : json ? (said === line ? undefined : `--json error: ${said}`) : said === `error: ${line}\n` ? undefined : `said: ${said}`;
          check(`${file} ${octal(mode)}: weclick ${args.join(' ')}${json ? ' --json' : ''}`, problem);
        }
      } finally {
        chmodSync(path, 0o600);
      }
    }
    // Refused means nothing was done: no backup, no alert reached the chat.
    check('nothing reached Telegram while files were too open', world.tg.messages(CHAT, { includeDeleted: true }).length === messagesBefore ? undefined : 'messages were sent');

    // doctor reads a too-open .env on purpose, to say so (exit 1, the fix named) — it does not refuse.
    chmodSync(files['.env'], 0o644);
    try {
      for (const args of [['doctor'], ['doctor', '--security']]) {
        const r = await openUmask([...args, ...inv]);
        check(`.env 0644: weclick ${args.join(' ')} reports it`, r.code === 1 && r.stdout.includes(`chmod 600 ${files['.env']}`) ? undefined : `exit ${r.code}: ${r.stdout}${r.stderr}`);
      }
    } finally {
      chmodSync(files['.env'], 0o600);
    }
    expect(checks.filter((c) => c.problem)).toEqual([]);
  }, 300_000);
});

/** Files under `dir` changed since `since`, skipping `skip` (folders or files) and anything unreadable. */
function walkChanged(dir: string, since: number, skip: (path: string) => boolean, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (skip(path)) continue;
    let info;
    try {
      info = statSync(path);
    } catch {
      continue;
    }
    if (info.isDirectory()) walkChanged(path, since, skip, out);
    else if (info.isFile() && info.mtimeMs >= since && info.size <= 256 * 1024 * 1024) out.push(path);
  }
  return out;
}

describe('no unencrypted backup bytes outside the database host\'s pipe', () => {
  it('after backup now, verify and restore: the plaintext marker row is nowhere on this machine or the hosts', async () => {
    kind = 'plaintext';
    const marker = `PLAINTEXT-MARKER-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
    await world.pool.query("INSERT INTO users (username, status, used_traffic, note, created_at) VALUES ('plain_marker', 'active', 0, ?, UTC_TIMESTAMP())", [marker]);
    const since = Date.now() - 1000;
    const inv = ['-i', world.inventory];
    const before = world.tg.messages(CHAT).length;
    await ok(['backup', 'now', ...inv]);
    await ok(['backup', 'verify', 'latest', ...inv]);
    await ok(['backup', 'restore', 'latest', '--database', `${world.database}_m`, '--dry-run', ...inv]);
    await ok(['backup', 'restore', 'latest', '--database', `${world.database}_m`, ...inv]);

    // Control: the marker really is in the backup (decrypted here, in memory), so not finding it means something.
    const sent = world.tg.messages(CHAT).slice(before).filter((m) => m.document?.file_name?.endsWith('.age'));
    const joined = Buffer.concat(sent.map((m) => world.tg.file(m.document!.file_id)!.bytes));
    const age = await import('age-encryption');
    const decrypter = new age.Decrypter();
    decrypter.addIdentity(readFileSync(world.identityFile, 'utf8').split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!);
    expect(gunzipSync(Buffer.from(await decrypter.decrypt(joined))).includes(marker), 'the marker is in the backup').toBe(true);
    expect(joined.subarray(0, 21).toString()).toBe('age-encryption.org/v1');

    const needles = needlesFor({ name: 'marker row', value: marker });
    // Control: plaintext planted on purpose, raw in a gzip file and base64 in another, must be found.
    const planted = [join(world.outputDir, 'planted.sql.gz'), join(world.outputDir, 'planted.b64')];
    writeFileSync(planted[0]!, gzipSync(`INSERT INTO users VALUES ('${marker}');`));
    writeFileSync(planted[1]!, Buffer.from(`-- dump\n${marker}\n`).toString('base64'));
    const found: string[] = [];
    let scanned = 0;
    const look = (where: string, bytes: Buffer) => {
      scanned++;
      const text = bytes.toString('latin1');
      if (scan(where, text, needles).length) found.push(where);
      // A gzip stream is unencrypted backup bytes too: look inside.
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
        try {
          if (scan(where, gunzipSync(bytes, { maxOutputLength: 512 * 1024 * 1024 }).toString('latin1'), needles).length) found.push(`${where} (gzip)`);
        } catch {
          // not a whole gzip stream
        }
      }
    };

    // The database's own storage is where the rows belong; the session machinery's folders are not the project's.
    const [[settings]] = (await world.pool.query('SELECT @@datadir AS datadir, @@tmpdir AS tmpdir')) as unknown as [[{ datadir: string; tmpdir: string }]];
    const f = fleet();
    const databaseDirs = [settings.datadir.replace(/\/$/, ''), join(f.stateDir, 'mysql'), join(f.stateDir, 'db'), join(f.stateDir, 'extra-db')];
    const skip = (path: string) =>
      databaseDirs.some((d) => path === d || path.startsWith(`${d}/`)) ||
      /^\/tmp\/bash_(jobs|tool)/.test(path) ||
      (path.startsWith(`${settings.tmpdir.replace(/\/$/, '')}/`) && /^(#sql|ib|ML|MY)/.test(path.slice(settings.tmpdir.length).replace(/^\//, '')));
    const places = [tmpdir(), '/var/tmp', '/dev/shm', join(homedir(), '.cache'), join(homedir(), '.config'), world.dir, world.cacheDir, ...SERVERS.map((s) => host(s.fleetHost).dir)];
    for (const file of [...new Set(places.flatMap((p) => walkChanged(p, since, skip)))]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        continue;
      }
      look(file, bytes);
    }
    // Each host's /run is a tmpfs of its own, seen only from inside: grep there (gzip'd files too).
    const hostsWithRun = [...new Set(SERVERS.map((s) => s.fleetHost))];
    for (const name of hostsWithRun) {
      const hits = onHost(name, `grep -rls -- "$1" /run 2>/dev/null; find /run -type f -size -64M 2>/dev/null | while read -r f; do gzip -dc "$f" 2>/dev/null | grep -qs -- "$1" && echo "$f (gzip)"; done; true`.replace(/"\$1"/g, `'${marker}'`));
      for (const hit of hits.split('\n').filter(Boolean)) found.push(`${name}:${hit}`);
    }
    // Telegram holds only age-encrypted parts and the manifest.
    for (const m of world.tg.messages(CHAT, { includeDeleted: true })) {
      const file = m.document ? world.tg.file(m.document.file_id) : undefined;
      if (file) look(`Telegram ${m.document!.file_name}`, file.bytes);
      look(`Telegram message ${m.message_id}`, Buffer.from(`${m.text ?? ''}${m.caption ?? ''}`));
    }
    for (const file of planted) check(`the planted ${file} is found (the scan works)`, found.some((p) => p.startsWith(file)) ? undefined : 'not found');
    found.splice(0, found.length, ...found.filter((p) => !planted.some((file) => p.startsWith(file))));
    for (const where of places) check(`no plaintext in ${where} (files changed during the backups)`, found.some((p) => p.startsWith(where)) ? 'found' : undefined);
    for (const name of hostsWithRun) check(`no plaintext in ${name}:/run`, found.some((p) => p.startsWith(`${name}:`)) ? 'found' : undefined);
    check('no plaintext in Telegram', found.some((p) => p.startsWith('Telegram')) ? 'found' : undefined);

    const failed = checks.filter((c) => c.problem);
    recordFigure({
      id: 'permissions',
      promise: 'Secret files 0600, refused when open; no plaintext backup bytes',
      tried: checks.length,
      unit: 'checks',
      failed: failed.length,
      detail: `${counted('mode')} modes of secret files written under umask 000 (locally and on a provisioned host); ${counted('refusal')} refusals (.env, weclick.secrets.yaml, the age identity at 0644/0640/0604 × commands × plain/--json); ${counted('plaintext')} plaintext checks: ${places.length} local and host folders (${scanned} files changed meanwhile, Telegram's documents included), ${hostsWithRun.length} hosts' /run, searched for a marker row after backup now, verify and restore`,
    });
    expect(found, 'plaintext backup bytes found').toEqual([]);
    expect(failed).toEqual([]);
  }, 300_000);
});
