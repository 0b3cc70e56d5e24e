// The host-side scripts, run for real with bash on this machine (fake mysqldump/mysql where needed): what they do
// is tested, not just how they read.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DUMP_OPTIONS, dumpCommand, holdLockCommand, loadCommand, loginLine, parseFilesOutput, queryCommand, readFilesCommand } from '../../../src/backup/host-commands.js';

const dir = mkdtempSync(join(tmpdir(), 'weclick-hostcmd-'));
const NASTY = `p#a;s"s\\w'rd $(touch ${dir}/pwned) \`x\``;

// A fake mysqldump/mysql: prints its arguments, then the option file it was given, as MariaDB reads it.
function fakeClient(name: string, exitCode = 0): void {
  writeFileSync(
    join(dir, name),
    `#!/bin/bash
for a in "$@"; do printf 'ARG %s\\n' "$a"; case "$a" in --defaults-extra-file=*) my_print_defaults --defaults-extra-file="\${a#*=}" client;; esac; done
[ -t 0 ] || cat | sed 's/^/IN /'
exit ${exitCode}
`,
  );
  chmodSync(join(dir, name), 0o755);
}

function runHost(argv: string[], stdin: string | Buffer, env: NodeJS.ProcessEnv = {}) {
  const [program, ...args] = argv;
  return spawnSync(program!, args, { input: stdin, env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, ...env } });
}

describe('dumpCommand', () => {
  it('runs mysqldump with the consistent-snapshot options, the login only in a piped option file, and gzips on the host', () => {
    fakeClient('mysqldump');
    const cmd = dumpCommand('marzban', { host: '127.0.0.10', port: 3306 }, { user: 'backup', password: NASTY });
    expect(cmd.argv.slice(0, 2)).toEqual(['bash', '-c']);
    expect(cmd.argv.slice(3)).toEqual(['weclick-dump', 'marzban', '127.0.0.10', '3306']);
    expect(cmd.argv.join(' ')).not.toContain('p#a'); // the password never reaches argv
    const r = runHost(cmd.argv, cmd.stdin);
    expect(r.status).toBe(0);
    const out = gunzipSync(r.stdout).toString('utf8');
    const args = out.split('\n').filter((l) => l.startsWith('ARG ')).map((l) => l.slice(4));
    expect(args[0]).toMatch(/^--defaults-extra-file=\/dev\/fd\/\d+$/);
    expect(args.slice(1)).toEqual(['--host=127.0.0.10', '--port=3306', '--protocol=TCP', ...DUMP_OPTIONS, '--', 'marzban']);
    expect(out).toContain('--user=backup');
    expect(out).toContain(`--password=${NASTY}`); // MariaDB's own parser reads the quoted value back exactly
    expect(() => readFileSync(join(dir, 'pwned'))).toThrow();
  });

  it('without a login uses the host\'s own client config; a socket address becomes --socket', () => {
    fakeClient('mysqldump');
    const cmd = dumpCommand('marzban', { socket: '/run/mysqld/mysqld.sock' });
    expect(cmd.stdin).toBe('\n');
    const out = gunzipSync(runHost(cmd.argv, cmd.stdin).stdout).toString();
    expect(out.split('\n').filter((l) => l.startsWith('ARG ')).slice(0, 2)).toEqual(['ARG --socket=/run/mysqld/mysqld.sock', 'ARG --single-transaction']);
  });

  it('fails when mysqldump fails, even though gzip (last in the pipe) succeeds', () => {
    fakeClient('mysqldump', 2);
    const cmd = dumpCommand('marzban', { host: 'h', port: 1 });
    const r = runHost(cmd.argv, cmd.stdin);
    expect(r.status).toBe(2);
    expect(gunzipSync(r.stdout).toString()).toContain('ARG marzban'); // partial output still arrives: the caller must check the status
  });
});

describe('loadCommand and queryCommand', () => {
  it('load gunzips stdin after the login line into mysql for the named database', () => {
    fakeClient('mysql');
    const cmd = loadCommand('copy_1', { host: 'db', port: 3307 }, { user: 'u', password: 'pw' });
    const r = runHost(cmd.argv, Buffer.concat([Buffer.from(cmd.stdin), execFileSync('gzip', ['-c'], { input: 'SELECT 1;\nSELECT 2;\n' })]));
    expect(r.status).toBe(0);
    const out = r.stdout.toString();
    expect(out).toContain('ARG --default-character-set=utf8mb4\nARG --\nARG copy_1');
    expect(out).toContain('IN SELECT 1;\nIN SELECT 2;');
    expect(out).toContain('--password=pw');
  });

  it('query passes the SQL as an argument, never through a shell', () => {
    fakeClient('mysql');
    const sql = "SELECT '$(touch /nonexistent)' `x`";
    const cmd = queryCommand(sql, { host: 'db', port: 3306 });
    const out = runHost(cmd.argv, cmd.stdin).stdout.toString();
    expect(out).toContain(`ARG -e\nARG ${sql}\n`);
  });
});

describe('readFilesCommand', () => {
  it('returns each existing file byte for byte, skips missing ones, flags too-big ones', () => {
    const a = join(dir, 'a.env');
    const b = join(dir, 'b.json');
    writeFileSync(a, 'KEY="v a l"\nFILE trick\n');
    writeFileSync(b, Buffer.from([0, 1, 2, 255]));
    writeFileSync(join(dir, 'big'), Buffer.alloc(2000));
    const out = execFileSync(readFilesCommand([a, join(dir, 'missing'), b, join(dir, 'big')], 1000)[0]!, readFilesCommand([a, join(dir, 'missing'), b, join(dir, 'big')], 1000).slice(1));
    const parsed = parseFilesOutput(out.toString());
    expect(parsed.files.map((f) => [f.path, f.bytes.toString('hex')])).toEqual([[a, Buffer.from('KEY="v a l"\nFILE trick\n').toString('hex')], [b, '000102ff']]);
    expect(parsed.tooBig).toEqual([join(dir, 'big')]);
  });
});

describe('holdLockCommand', () => {
  it('one holder at a time; the second sees who holds it (exit 75); closing the holder\'s stdin releases it', async () => {
    const lock = join(dir, 'lock', 'weclick-backup.lock');
    const argv = (details: string) => holdLockCommand(details).map((a) => (a === '/run/lock/weclick-backup.lock' ? lock : a));
    const first = spawn(argv('{"id":"A"}')[0]!, argv('{"id":"A"}').slice(1));
    await new Promise<void>((resolve) => first.stdout.on('data', (c: Buffer) => c.toString().includes('LOCKED') && resolve()));
    const second = spawnSync(argv('{"id":"B"}')[0]!, argv('{"id":"B"}').slice(1), { input: '' });
    expect(second.status).toBe(75);
    expect(second.stdout.toString()).toContain('{"id":"A"}');
    first.stdin.end();
    await new Promise((resolve) => first.on('close', resolve));
    const third = spawn(argv('{"id":"C"}')[0]!, argv('{"id":"C"}').slice(1));
    await new Promise<void>((resolve) => third.stdout.on('data', (c: Buffer) => c.toString().includes('LOCKED') && resolve()));
    third.kill('SIGKILL'); // a holder that dies leaves no stale lock
    await new Promise((resolve) => third.on('close', resolve));
    const fourth = spawnSync(argv('{"id":"D"}')[0]!, argv('{"id":"D"}').slice(1), { input: '' });
    expect(fourth.status).toBe(0);
    expect(fourth.stdout.toString()).toBe('LOCKED\n');
  });

  it('loginLine is one base64 line, or an empty line for "use the host\'s config"', () => {
    expect(loginLine(undefined)).toBe('\n');
    const line = loginLine({ user: 'u', password: 'p"w' });
    expect(line).toMatch(/^[A-Za-z0-9+/=]+\n$/);
    expect(Buffer.from(line, 'base64').toString()).toBe('[client]\nuser="u"\npassword="p\\"w"\n');
  });
});
