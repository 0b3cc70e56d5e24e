// Runs the BUILT CLI (bin/run.js → dist/) as a child process: no TTY on any stream, a clean environment,
// each test in its own temporary folder. The build is copied to a private folder first, so that a rebuild
// of dist/ while the tests run (another test file, an editor's watcher) cannot pull files from under them.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startCloudflareStandin } from '../standins/cloudflare/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE_FILE = join(ROOT, 'inventory.example.yaml');
const EXAMPLE = readFileSync(EXAMPLE_FILE, 'utf8');
const GOLDEN_DIAGRAM = readFileSync(join(ROOT, 'test', 'fixtures', 'golden', 'diagram.example.mmd'), 'utf8');
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/;
const STACK_LINE = /^\s+at .+[:(]/m;

interface ExampleServer {
  name: string;
  expires: string;
  hostname: string;
}
const exampleServers = (parse(EXAMPLE) as { servers: ExampleServer[] }).servers;

// --- build once --------------------------------------------------------------------------------

function newestMtime(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    }),
  );
}

function ensureBuilt(): void {
  const outputs = [join(ROOT, 'dist', 'cli.js'), join(ROOT, 'oclif.manifest.json')];
  const source = Math.max(newestMtime(join(ROOT, 'src')), statSync(join(ROOT, 'package.json')).mtimeMs);
  if (outputs.every((f) => existsSync(f) && statSync(f).mtimeMs >= source)) return;
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
}

// --- running the CLI ---------------------------------------------------------------------------

const base = mkdtempSync(join(tmpdir(), 'weclick-cli-'));
const home = join(base, 'home');
mkdirSync(home);
const PACKAGE = join(base, 'weclick');
const BIN = join(PACKAGE, 'bin', 'run.js');

/** Every relative import in the copied bundle points at a file that exists: the copy is one whole build. */
function complete(dir: string): boolean {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .every((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"'\s]+\.js)["']/g)].every((m) => existsSync(resolve(dirname(join(dir, f)), m[1]!))));
}

/** Copies the built package (bin, dist, manifest, schema, templates) beside a link to node_modules. */
function snapshotBuild(): void {
  for (let attempt = 1; ; attempt++) {
    rmSync(PACKAGE, { recursive: true, force: true });
    mkdirSync(PACKAGE);
    for (const entry of ['bin', 'dist', 'templates', 'package.json', 'oclif.manifest.json', 'inventory.schema.json', 'inventory.example.yaml']) {
      if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(PACKAGE, entry), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(PACKAGE, 'node_modules'), 'dir');
    if (complete(join(PACKAGE, 'dist'))) return;
    if (attempt === 10) throw new Error('dist/ kept changing while it was copied');
    execFileSync('sleep', ['2']);
  }
}

beforeAll(() => {
  ensureBuilt();
  snapshotBuild();
}, 120_000);
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** The environment of an operator's shell with nothing weclick-specific set. */
function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(FORCE_COLOR|NO_COLOR|DEBUG|NODE_OPTIONS|TERM|SSH_AUTH_SOCK|VITEST.*|WECLICK_.*|CLOUDFLARE_.*|TELEGRAM_.*|BACKUP_.*|MYSQL_.*)$/.test(key)) continue;
    env[key] = value;
  }
  Object.assign(env, { TZ: 'UTC', HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache'), XDG_DATA_HOME: join(home, '.local') });
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function weclick(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args], { cwd: options.cwd, env: cleanEnv(options.env), timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

/** Runs `fn` for every item at once (each CLI run is its own process) and returns the results in order. */
const each = <T, R>(items: readonly T[], fn: (item: T) => Promise<R>) => Promise.all(items.map(fn));

let folders = 0;
/** A temporary folder, with the example as weclick.yaml unless `inventory` is false or another text. */
function workspace(inventory: string | false = EXAMPLE): string {
  const dir = join(base, `ws-${++folders}`);
  mkdirSync(dir);
  if (inventory !== false) writeFileSync(join(dir, 'weclick.yaml'), inventory);
  return dir;
}

// --- dates, derived from the example -------------------------------------------------------------

const MS_DAY = 86_400_000;
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / MS_DAY;
const addDays = (date: string, days: number) => new Date((dayNumber(date) + days) * MS_DAY).toISOString().slice(0, 10);
const pinned = (date: string) => ({ WECLICK_NOW: `${date}T10:00:00Z` });
const bySoonest = [...exampleServers].sort((a, b) => a.expires.localeCompare(b.expires) || a.name.localeCompare(b.name));
const EARLIEST = bySoonest[0]!.expires;
const LATEST = bySoonest.at(-1)!.expires;

/** What the monitoring status must be on `today`, computed here from the example, not by weclick. */
function expectedStatus(today: string, days: number, critical: number): { exit: number; names: string[] } {
  const rows = bySoonest.map((s) => ({ name: s.name, left: dayNumber(s.expires) - dayNumber(today) })).filter((r) => r.left <= days);
  const exit = rows.some((r) => r.left <= critical) ? 2 : rows.length > 0 ? 1 : 0;
  return { exit, names: rows.map((r) => r.name) };
}

/** The first column of the table rows of `expiring` (between the header and the blank line). */
function tableNames(stdout: string): string[] {
  const lines = stdout.split('\n');
  const header = lines.findIndex((l) => l.startsWith('NAME'));
  if (header < 0) return [];
  const rows: string[] = [];
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === '') break;
    rows.push(line.split(/\s+/)[0]!);
  }
  return rows;
}

const BAD_INVENTORY = EXAMPLE.replace('roles: [outline]', 'roles: [outlin]').replace('expires: 2025-02-28', 'expires: 2025-02-30').replace('    port: 22\n', '    port: "22"\n');
/** Where the three problems of BAD_INVENTORY are: the line holding `context`, the column of `value` in it. */
function badProblems(): Array<{ line: number; column: number }> {
  const lines = BAD_INVENTORY.split('\n');
  const at = (context: string, value: string) => {
    const line = lines.findIndex((l) => l.includes(context));
    return { line: line + 1, column: lines[line]!.indexOf(value) + 1 };
  };
  return [at('port: "22"', '"22"'), at('roles: [outlin]', 'outlin'), at('expires: 2025-02-30', '2025-02-30')].sort((a, b) => a.line - b.line);
}

// --- expiring ------------------------------------------------------------------------------------

describe.concurrent('weclick expiring', () => {
  it('--days 14 on the example today: exit 2 CRITICAL, all 7 rows, soonest first', async ({ expect }) => {
    const cwd = workspace();
    const { code, stdout, stderr } = await weclick(['expiring', '--days', '14'], { cwd });
    // Every hosting in the example ended in 2025, so on any later day all of them are listed as expired.
    expect(stderr).toBe('');
    expect(code).toBe(2);
    expect(tableNames(stdout)).toEqual(bySoonest.map((s) => s.name));
    expect(tableNames(stdout)).toHaveLength(7);
    expect(stdout).toMatch(/^CRITICAL: 7 server\(s\) expire within 14 days, 7 already expired/m);
  });

  it('a cached run answers exactly like a full one, and any edit to the file is validated again', async ({ expect }) => {
    const cwd = workspace();
    const env = { XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'weclick-xdg-')) };
    const first = await weclick(['expiring', '--days', '14', '--json'], { cwd, env });
    expect(readdirSync(join(env.XDG_CACHE_HOME, 'weclick'))).toHaveLength(1);
    const cached = await weclick(['expiring', '--days', '14', '--json'], { cwd, env });
    expect(cached).toMatchObject({ code: first.code, stdout: first.stdout });
    const file = join(cwd, 'weclick.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('roles: [proxy]', 'roles: [proxxy]'));
    const broken = await weclick(['expiring', '--days', '14'], { cwd, env });
    expect(broken.code).toBe(3);
    expect(broken.stderr).toContain("did you mean 'proxy'?");
  });

  it('--days 14 with today pinned so that all 7 are in the window: CRITICAL, 7 rows, soonest first', async ({ expect }) => {
    const today = addDays(LATEST, -14);
    const { code, stdout } = await weclick(['expiring', '--days', '14'], { cwd: workspace(), env: pinned(today) });
    expect(expectedStatus(today, 14, 3)).toEqual({ exit: 2, names: bySoonest.map((s) => s.name) });
    expect(code).toBe(2);
    expect(tableNames(stdout)).toEqual(bySoonest.map((s) => s.name));
    expect(stdout).toContain(`(today is ${today})`);
    // The soonest has expired; the last expires in exactly 14 days.
    expect(stdout.split('\n').find((l) => l.startsWith(bySoonest[0]!.name))).toMatch(/expired \d+d ago/);
    expect(stdout.split('\n').find((l) => l.startsWith(bySoonest.at(-1)!.name))).toMatch(/\b14d\b/);
  });

  it('exit 0 / 1 / 2 exactly, for a today where nothing / a warning / a critical expiry applies', async ({ expect }) => {
    const cases = [
      { today: addDays(EARLIEST, -15), status: 'OK', exit: 0 },
      { today: addDays(EARLIEST, -10), status: 'WARNING', exit: 1 },
      { today: addDays(EARLIEST, -2), status: 'CRITICAL', exit: 2 },
      { today: EARLIEST, status: 'CRITICAL', exit: 2 },
    ];
    const results = await each(cases, (c) => weclick(['expiring', '--days', '14'], { cwd: workspace(), env: pinned(c.today) }));
    cases.forEach((c, i) => {
      const expected = expectedStatus(c.today, 14, 3);
      expect(expected.exit, c.today).toBe(c.exit);
      const { code, stdout } = results[i]!;
      expect(code, `${c.today}\n${stdout}`).toBe(c.exit);
      expect(stdout).toContain(`${c.status}:`);
      expect(tableNames(stdout)).toEqual(expected.names);
    });
  });

  it('the default window is 14 days', async ({ expect }) => {
    const today = addDays(EARLIEST, -14);
    const { code, stdout } = await weclick(['expiring'], { cwd: workspace(), env: pinned(today) });
    expect(code).toBe(expectedStatus(today, 14, 3).exit);
    expect(tableNames(stdout)).toEqual(expectedStatus(today, 14, 3).names);
  });

  it('--critical moves the CRITICAL threshold (inclusive)', async ({ expect }) => {
    const today = addDays(EARLIEST, -10);
    const at = (critical: string) => weclick(['expiring', '--days', '14', '--critical', critical], { cwd: workspace(), env: pinned(today) });
    expect((await each(['10', '9', '0'], at)).map((r) => r.code)).toEqual([2, 1, 1]);
    // Expiring today is critical even with --critical 0.
    const { code } = await weclick(['expiring', '--days', '0', '--critical', '0'], { cwd: workspace(), env: pinned(EARLIEST) });
    expect(code).toBe(2);
  });

  it('a bare date in WECLICK_NOW is that day in the process zone', async ({ expect }) => {
    const today = addDays(EARLIEST, -14);
    const zones = ['UTC', 'America/Los_Angeles', 'Asia/Tokyo', 'Pacific/Kiritimati'];
    const results = await each(zones, (TZ) => weclick(['expiring', '--json'], { cwd: workspace(), env: { WECLICK_NOW: today, TZ } }));
    zones.forEach((TZ, i) => expect((JSON.parse(results[i]!.stdout) as { today: string }).today, TZ).toBe(today));
  });

  it('the process time zone decides "today" for a pinned instant', async ({ expect }) => {
    const env = (TZ: string) => ({ WECLICK_NOW: '2026-03-01T23:30:00Z', TZ });
    const today = async (TZ: string) => (JSON.parse((await weclick(['expiring', '--json'], { cwd: workspace(), env: env(TZ) })).stdout) as { today: string }).today;
    expect(await each(['UTC', 'Asia/Tokyo', 'America/Los_Angeles'], today)).toEqual(['2026-03-01', '2026-03-02', '2026-03-01']);
  });

  it('--json is parseable and holds the same data as the table', async ({ expect }) => {
    const today = addDays(LATEST, -20);
    const cwd = workspace();
    const human = await weclick(['expiring', '--days', '14'], { cwd, env: pinned(today) });
    const json = await weclick(['expiring', '--days', '14', '--json'], { cwd, env: pinned(today) });
    expect(json.code).toBe(human.code);
    const report = JSON.parse(json.stdout) as { today: string; days: number; status: string; exitCode: number; servers: Array<{ name: string; expires: string; daysLeft: number; hostname: string; severity: string }> };
    expect(report.servers.map((s) => s.name)).toEqual(tableNames(human.stdout));
    expect(report.servers.map((s) => s.name)).toEqual(expectedStatus(today, 14, 3).names);
    expect(report).toMatchObject({ today, days: 14, exitCode: json.code });
    expect(human.stdout).toContain(`${report.status}:`);
    for (const s of report.servers) {
      const example = exampleServers.find((e) => e.name === s.name)!;
      expect(s).toMatchObject({ expires: example.expires, hostname: example.hostname, daysLeft: dayNumber(example.expires) - dayNumber(today) });
      expect(human.stdout.split('\n').find((l) => l.startsWith(`${s.name} `))).toContain(s.expires);
    }
    expect(ANSI.test(json.stdout)).toBe(false);
  });

  it('no ANSI escape codes when piped, or with NO_COLOR; colours with FORCE_COLOR=1', async ({ expect }) => {
    const today = addDays(LATEST, -14);
    const run = (env: Record<string, string>) => weclick(['expiring'], { cwd: workspace(), env: { ...pinned(today), ...env } });
    const [piped, noColor, forced] = await Promise.all([run({}), run({ NO_COLOR: '1' }), run({ FORCE_COLOR: '1' })]);
    expect(ANSI.test(piped.stdout + piped.stderr)).toBe(false);
    expect(ANSI.test(noColor.stdout + noColor.stderr)).toBe(false);
    expect(ANSI.test(forced.stdout)).toBe(true);
    // Colour changes nothing else.
    expect(forced.stdout.replace(new RegExp(ANSI.source, 'g'), '')).toBe(piped.stdout);
    expect(forced.code).toBe(piped.code);
  });

  it('--ics writes a calendar with one event per listed server', async ({ expect }) => {
    const cwd = workspace();
    const today = addDays(LATEST, -14);
    const { code, stdout } = await weclick(['expiring', '--days', '14', '--ics', 'renewals.ics', '--alarm', '3'], { cwd, env: pinned(today) });
    expect(code).toBe(2);
    const ics = readFileSync(join(cwd, 'renewals.ics'), 'utf8');
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(ics.trimEnd().endsWith('END:VCALENDAR')).toBe(true);
    const names = tableNames(stdout);
    expect(ics.match(/^BEGIN:VEVENT\r$/gm)).toHaveLength(names.length);
    for (const name of names) {
      const expires = exampleServers.find((s) => s.name === name)!.expires;
      expect(ics).toContain(`DTSTART;VALUE=DATE:${expires.replace(/-/g, '')}\r\n`);
    }
    expect(ics.match(/^TRIGGER:-P3D\r$/gm)).toHaveLength(names.length);
  });

  it('a bad inventory: exit 3 (UNKNOWN), one line per problem with file:line:column, no stack', async ({ expect }) => {
    const cwd = workspace(BAD_INVENTORY);
    const { code, stdout, stderr } = await weclick(['expiring'], { cwd });
    expect(code).toBe(3);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    const problems = badProblems();
    expect(lines).toHaveLength(1 + problems.length);
    expect(lines[0]).toBe(`error: weclick.yaml: the inventory has ${problems.length} problem(s); nothing was changed`);
    problems.forEach((p, i) => expect(lines[i + 1]).toMatch(new RegExp(`^  weclick\\.yaml:${p.line}:${p.column}: \\S+: .+`)));
    expect(stderr).not.toMatch(STACK_LINE);
    expect(stderr).not.toContain('WeclickError');
  });

  it('a bad inventory with DEBUG=weclick* also prints the stack', async ({ expect }) => {
    const settings = ['weclick*', 'weclick:*', '*'];
    const results = await each(settings, (DEBUG) => weclick(['expiring'], { cwd: workspace(BAD_INVENTORY), env: { DEBUG } }));
    results.forEach(({ code, stderr }, i) => {
      expect(code).toBe(3);
      expect(stderr, settings[i]).toMatch(STACK_LINE);
      expect(stderr).toContain('error: weclick.yaml: the inventory has');
    });
  });

  it('a bad inventory with --json: the error and every problem as JSON on stdout', async ({ expect }) => {
    const { code, stdout } = await weclick(['expiring', '--json'], { cwd: workspace(BAD_INVENTORY) });
    expect(code).toBe(3);
    const { error } = JSON.parse(stdout) as { error: { message: string; exitCode: number; details: string[]; problems: Array<{ file: string; line: number; column: number; field: string; message: string }> } };
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/the inventory has 3 problem\(s\)/);
    expect(error.problems.map((p) => ({ line: p.line, column: p.column }))).toEqual(badProblems());
    expect(error.details).toHaveLength(3);
    for (const p of error.problems) expect(p).toMatchObject({ file: 'weclick.yaml', field: expect.any(String), message: expect.any(String) });
  });

  it('a missing inventory: exit 3', async ({ expect }) => {
    const { code, stderr } = await weclick(['expiring'], { cwd: workspace(false) });
    expect(code).toBe(3);
    expect(stderr).toMatch(/weclick\.yaml: inventory file not found/);
  });

  it('bad flags: exit 3 (UNKNOWN), not 2', async ({ expect }) => {
    const cases = [['--bogus'], ['--days', 'abc'], ['--days', '-1'], ['--critical'], ['14'], ['--days', '14', 'extra'], ['--bogus', '--json']];
    const results = await each(cases, (args) => weclick(['expiring', ...args], { cwd: workspace() }));
    results.forEach(({ code, stdout, stderr }, i) => {
      expect(code, cases[i]!.join(' ')).toBe(3);
      if (cases[i]!.includes('--json')) expect((JSON.parse(stdout) as { error: { exitCode: number } }).error.exitCode).toBe(3);
      else expect(stderr).toMatch(/^error: /);
    });
  });

  it('--inventory and WECLICK_INVENTORY choose the file', async ({ expect }) => {
    const cwd = workspace(false);
    copyFileSync(EXAMPLE_FILE, join(cwd, 'fleet.yaml'));
    expect((await weclick(['expiring', '-i', 'fleet.yaml'], { cwd })).code).toBe(2);
    expect((await weclick(['expiring'], { cwd, env: { WECLICK_INVENTORY: 'fleet.yaml' } })).code).toBe(2);
  });
});

// --- the other read-only commands ----------------------------------------------------------------

describe.concurrent('read-only commands', () => {
  it('a bad inventory is exit 3 for every command that reads it', async ({ expect }) => {
    const cases = [['inventory', 'check'], ['servers', 'list'], ['servers', 'show', 'srv1'], ['costs'], ['diagram'], ['renew', 'srv1', '--months', '1'], ['servers', 'set', 'srv1', '--state', 'draining', '--yes']];
    const results = await each(cases, (args) => weclick(args, { cwd: workspace(BAD_INVENTORY) }));
    results.forEach(({ code, stderr }, i) => {
      expect(code, cases[i]!.join(' ')).toBe(3);
      expect(stderr.split('\n')[0]).toMatch(/^error: weclick\.yaml: the inventory has 3 problem/);
      expect(stderr.trimEnd().split('\n').slice(1)).toEqual(badProblems().map((p) => expect.stringMatching(new RegExp(`^ {2}weclick\\.yaml:${p.line}:${p.column}: `))));
      expect(stderr).not.toMatch(STACK_LINE);
    });
    expect(readFileSync(join(ROOT, 'inventory.example.yaml'), 'utf8')).toBe(EXAMPLE);
  });

  it('bad flags are exit 2 for the other commands', async ({ expect }) => {
    const cases = [['servers', 'list', '--bogus'], ['servers', 'list', '--role', 'nope'], ['costs', '--window', 'x'], ['costs', 'extra'], ['renew'], ['renew', 'srv1'], ['renew', 'srv1', '--months', '1', '--until', '2030-01-01'], ['renew', 'srv1', '--months', '0'], ['inventory', 'check', '--nope'], ['diagram', '--out'], ['doctor', '--bogus'], ['servers', 'set', 'srv1', '--state', 'gone'], ['init', '--bogus']];
    const results = await each(cases, (args) => weclick(args, { cwd: workspace() }));
    results.forEach(({ code, stderr }, i) => {
      expect(code, cases[i]!.join(' ')).toBe(2);
      expect(stderr).toMatch(/error/i);
      expect(stderr).not.toMatch(STACK_LINE);
    });
  });

  it('inventory check: exit 0 and the server count on the example', async ({ expect }) => {
    const { code, stdout } = await weclick(['inventory', 'check'], { cwd: workspace() });
    expect(code).toBe(0);
    expect(stdout).toContain(`valid — ${exampleServers.length} server(s) in weclick.tech`);
  });

  it('servers list and show', async ({ expect }) => {
    const cwd = workspace();
    const list = await weclick(['servers', 'list', '--json'], { cwd });
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { servers: Array<{ name: string }> }).servers.map((s) => s.name)).toEqual(exampleServers.map((s) => s.name));
    const workers = await weclick(['servers', 'list', '--role', 'marzban'], { cwd });
    expect(workers.stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/)[0])).toEqual(['srv1', 'srv3', 'srv4', 'srv5']);
    const show = await weclick(['servers', 'show', 'srv1'], { cwd, env: pinned(addDays(exampleServers.find((s) => s.name === 'srv1')!.expires, -5)) });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^hostname:\s+srv1\.weclick\.tech$/m);
    expect(show.stdout).toContain('(5 days left)');
    const missing = await weclick(['servers', 'show', 'srv9'], { cwd });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no server named 'srv9'.*did you mean 'srv\d'/);
  });

  it('costs: totals per currency and what is due', async ({ expect }) => {
    const today = addDays(EARLIEST, 1);
    const { code, stdout } = await weclick(['costs', '--json'], { cwd: workspace(), env: pinned(today) });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { totals: Array<{ currency: string; monthly: number }>; due: Array<{ name: string }> };
    const prices = (parse(EXAMPLE) as { servers: Array<{ price: { monthly: number } }> }).servers.reduce((sum, s) => sum + s.price.monthly, 0);
    expect(report.totals).toEqual([{ currency: 'EUR', monthly: prices }]);
    expect(report.due.map((d) => d.name)).toEqual(bySoonest.filter((s) => dayNumber(s.expires) - dayNumber(today) <= 30).map((s) => s.name));
    const human = await weclick(['costs'], { cwd: workspace(), env: pinned(today) });
    expect(human.stdout).toContain(`Total per month: ${prices.toFixed(2)} EUR`);
    expect(human.stdout).toMatch(/overdue 1d/);
  });

  it('diagram prints the mermaid chart; --out writes the same to a file', async ({ expect }) => {
    const cwd = workspace();
    const printed = await weclick(['diagram'], { cwd });
    expect(printed.code).toBe(0);
    expect(printed.stdout).toBe(GOLDEN_DIAGRAM);
    const written = await weclick(['diagram', '--out', 'fleet.mmd'], { cwd });
    expect(written.code).toBe(0);
    expect(written.stdout).toContain('Wrote fleet.mmd');
    expect(readFileSync(join(cwd, 'fleet.mmd'), 'utf8')).toBe(GOLDEN_DIAGRAM);
  });

  it('every command has --help with at least one example and its exit codes', async ({ expect }) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> };
    const ids = Object.keys(manifest.commands);
    expect(ids).toEqual(expect.arrayContaining(['init', 'inventory:check', 'servers:list', 'servers:show', 'servers:add', 'servers:set', 'servers:remove', 'expiring', 'renew', 'costs', 'diagram', 'doctor']));
    const cwd = workspace(false);
    const results = await each(ids, (id) => weclick([...id.split(':'), '--help'], { cwd }));
    for (const [i, id] of ids.entries()) {
      const { code, stdout } = results[i]!;
      expect(code, id).toBe(0);
      expect(stdout, id).toMatch(/^EXAMPLES$/m);
      expect(stdout, id).toMatch(new RegExp(`^\\s+\\$ weclick ${id.replace(/:/g, ' ')}\\b`, 'm'));
      expect(stdout, id).toMatch(/Exit codes/);
      expect(stdout, id).toMatch(/\b0\b/);
      expect(ANSI.test(stdout), id).toBe(false);
    }
  });
});

// --- commands that change the inventory ------------------------------------------------------------

const comments = (text: string) => text.split('\n').filter((l) => l.includes('#'));

describe.concurrent('changing the inventory', () => {
  const add = ['servers', 'add', 'srv6', '--ip', '198.51.100.26', '--roles', 'marzban', '--provider', 'pq.hosting', '--expires', '2027-01-31', '--price', '5', '--currency', 'EUR'];

  it('servers add without --yes and no TTY: exit 4, the plan shown, the file byte-identical', async ({ expect }) => {
    const cwd = workspace();
    const { code, stdout, stderr } = await weclick(add, { cwd });
    expect(code).toBe(4);
    expect(stdout).toContain('+  - name: srv6');
    expect(stderr).toMatch(/^error: not applied: no terminal to confirm on; re-run with --yes/);
    expect(readFileSync(join(cwd, 'weclick.yaml'), 'utf8')).toBe(EXAMPLE);
  });

  it('servers add --yes: written, comments kept, the diff printed', async ({ expect }) => {
    const cwd = workspace();
    const { code, stdout } = await weclick([...add, '--yes'], { cwd });
    expect(code).toBe(0);
    const after = readFileSync(join(cwd, 'weclick.yaml'), 'utf8');
    expect(after.startsWith(EXAMPLE)).toBe(true);
    expect(comments(after)).toEqual(comments(EXAMPLE));
    expect(stdout).toMatch(/^\+ {2}- name: srv6$/m);
    expect(stdout).toMatch(/^\+ {4}hostname: srv6\.weclick\.tech$/m);
    expect(stdout).toContain('Wrote weclick.yaml.');
    const check = await weclick(['servers', 'show', 'srv6', '--json'], { cwd });
    expect((JSON.parse(check.stdout) as { server: unknown }).server).toMatchObject({ name: 'srv6', ipv4: '198.51.100.26', roles: ['marzban'], price: { monthly: 5, currency: 'EUR' }, state: 'active' });
  });

  it('servers add --dry-run writes nothing', async ({ expect }) => {
    const cwd = workspace();
    const { code, stdout } = await weclick([...add, '--dry-run'], { cwd });
    expect(code).toBe(0);
    expect(stdout).toContain('+  - name: srv6');
    expect(stdout).toContain('Dry run: nothing was written.');
    expect(readFileSync(join(cwd, 'weclick.yaml'), 'utf8')).toBe(EXAMPLE);
  });

  it('servers add of an existing name, or with an invalid field: exit 3, nothing written', async ({ expect }) => {
    const cwd = workspace();
    const dup = await weclick(['servers', 'add', 'srv1', '--ip', '198.51.100.99', '--roles', 'marzban', '--provider', 'x', '--expires', '2027-01-01', '--yes'], { cwd });
    expect(dup.code).toBe(3);
    const bad = await weclick(['servers', 'add', 'srv6', '--ip', '198.51.100.21', '--roles', 'marzban', '--provider', 'x', '--expires', '2027-02-30', '--yes'], { cwd });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^error: the change would make the inventory invalid; nothing was written/);
    expect(bad.stderr).toMatch(/weclick\.yaml \(after the change\):\d+:\d+: servers\[7\]\.ipv4: duplicate ipv4/);
    expect(bad.stderr).toMatch(/servers\[7\]\.expires: '2027-02-30' is not a real calendar date/);
    const shell = await weclick(['servers', 'add', 'srv6;reboot', '--ip', '198.51.100.26', '--roles', 'marzban', '--provider', 'x', '--expires', '2027-01-01', '--yes'], { cwd });
    expect(shell.code).toBe(3);
    expect(readFileSync(join(cwd, 'weclick.yaml'), 'utf8')).toBe(EXAMPLE);
  });

  it('servers set: refused without --yes; with --yes one line changes', async ({ expect }) => {
    const cwd = workspace();
    const refused = await weclick(['servers', 'set', 'srv3', '--state', 'draining'], { cwd });
    expect(refused.code).toBe(4);
    expect(readFileSync(join(cwd, 'weclick.yaml'), 'utf8')).toBe(EXAMPLE);
    const applied = await weclick(['servers', 'set', 'srv3', '--state', 'draining', '--yes'], { cwd });
    expect(applied.code).toBe(0);
    const after = readFileSync(join(cwd, 'weclick.yaml'), 'utf8');
    const added = after.split('\n').filter((l) => !EXAMPLE.split('\n').includes(l));
    expect(added).toEqual(['    state: draining']);
    expect(comments(after)).toEqual(comments(EXAMPLE));
    const diagram = await weclick(['diagram'], { cwd });
    expect(diagram.stdout).toMatch(/-\.->\|draining\| srv_srv3/);
  });

  it('servers set --unset removes a line; an invalid value is exit 3 and changes nothing', async ({ expect }) => {
    const cwd = workspace();
    const unset = await weclick(['servers', 'set', 'srv2', '--unset', 'price', '--yes'], { cwd });
    expect(unset.code).toBe(0);
    const after = readFileSync(join(cwd, 'weclick.yaml'), 'utf8');
    expect(EXAMPLE.split('\n').filter((l) => !after.split('\n').includes(l))).toEqual(['    price: { monthly: 8.00, currency: EUR }']);
    const invalid = await weclick(['servers', 'set', 'srv1', '--ip', '1.2.3', '--yes'], { cwd });
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toMatch(/servers\[2\]\.ipv4: '1\.2\.3' must be an IPv4 address/);
    expect(readFileSync(join(cwd, 'weclick.yaml'), 'utf8')).toBe(after);
  });

  it('servers remove: refused without --yes; with --yes the block is gone and a warning is on stderr', async ({ expect }) => {
    const cwd = workspace();
    expect((await weclick(['servers', 'remove', 'srv2'], { cwd })).code).toBe(4);
    expect(readFileSync(join(cwd, 'weclick.yaml'), 'utf8')).toBe(EXAMPLE);
    const { code, stdout, stderr } = await weclick(['servers', 'remove', 'srv2', '--yes'], { cwd });
    expect(code).toBe(0);
    expect(stderr).toMatch(/warning: srv2 is active/);
    expect(stdout).toMatch(/^- {2}- name: srv2$/m);
    const after = readFileSync(join(cwd, 'weclick.yaml'), 'utf8');
    expect(after).not.toContain('srv2');
    expect(comments(after)).toEqual(comments(EXAMPLE));
    expect((await weclick(['servers', 'remove', 'srv2', '--yes'], { cwd })).code).toBe(3);
  });

  it('renew without --yes: exit 4, diff shown, file byte-identical', async ({ expect }) => {
    const cwd = workspace();
    const { code, stdout } = await weclick(['renew', 'srv1', '--months', '1'], { cwd });
    expect(code).toBe(4);
    expect(stdout).toMatch(/^- {4}expires: 2025-03-09$/m);
    expect(stdout).toMatch(/^\+ {4}expires: 2025-04-09$/m);
    expect(readFileSync(join(cwd, 'weclick.yaml'), 'utf8')).toBe(EXAMPLE);
  });

  it('renew --yes: one line changes, counted from the current expiry, clamped to the month end', async ({ expect }) => {
    const cwd = workspace();
    const srv3 = exampleServers.find((s) => s.name === 'srv3')!;
    const { code, stdout } = await weclick(['renew', 'srv3', '--months', '1', '--yes', '--json'], { cwd });
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { name: string; from: string; until: string; applied: boolean; diff: string };
    expect(result).toMatchObject({ name: 'srv3', from: srv3.expires, applied: true });
    // srv3 is paid until 2025-02-28: one month later is 2025-03-28.
    expect(result.until).toBe(`${srv3.expires.slice(0, 5)}${String(Number(srv3.expires.slice(5, 7)) + 1).padStart(2, '0')}${srv3.expires.slice(7)}`);
    const after = readFileSync(join(cwd, 'weclick.yaml'), 'utf8');
    const a = EXAMPLE.split('\n');
    const b = after.split('\n');
    expect(b).toHaveLength(a.length);
    expect(a.filter((l, i) => l !== b[i])).toEqual([`    expires: ${srv3.expires}`]);
    expect(b.filter((l, i) => l !== a[i])).toEqual([`    expires: ${result.until}`]);

    const monthEnd = workspace(EXAMPLE.replace('expires: 2025-03-09', 'expires: 2025-01-31'));
    const clamped = await weclick(['renew', 'srv1', '--months', '1', '--yes'], { cwd: monthEnd });
    expect(clamped.code).toBe(0);
    expect(readFileSync(join(monthEnd, 'weclick.yaml'), 'utf8')).toContain('    expires: 2025-02-28\n');
  });

  it('renew backward is refused (exit 4) unless --force', async ({ expect }) => {
    const cwd = workspace();
    const backward = await weclick(['renew', 'srv1', '--until', '2025-01-01', '--yes'], { cwd });
    expect(backward.code).toBe(4);
    expect(backward.stderr).toMatch(/would move it backward \(use --force/);
    expect(readFileSync(join(cwd, 'weclick.yaml'), 'utf8')).toBe(EXAMPLE);
    const forced = await weclick(['renew', 'srv1', '--until', '2025-01-01', '--yes', '--force'], { cwd });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(cwd, 'weclick.yaml'), 'utf8')).toContain('    expires: 2025-01-01\n');
  });

  it('renew with a date that does not exist, or an unknown server: exit 3, file unchanged', async ({ expect }) => {
    const cwd = workspace();
    const cases = [['srv1', '--until', '2026-02-30'], ['srv1', '--until', '2026-2-3'], ['nosuch', '--months', '1']];
    const results = await each(cases, (args) => weclick(['renew', ...args, '--yes'], { cwd }));
    results.forEach(({ code }, i) => expect(code, cases[i]!.join(' ')).toBe(3));
    expect(readFileSync(join(cwd, 'weclick.yaml'), 'utf8')).toBe(EXAMPLE);
  });

  it('renew --dry-run writes nothing; renewing to the same date is no change', async ({ expect }) => {
    const cwd = workspace();
    const dry = await weclick(['renew', 'srv1', '--months', '2', '--dry-run'], { cwd });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: nothing was written.');
    const same = await weclick(['renew', 'srv1', '--until', '2025-03-09'], { cwd });
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('No change');
    expect(readFileSync(join(cwd, 'weclick.yaml'), 'utf8')).toBe(EXAMPLE);
  });

  it('renew keeps a CRLF file CRLF', async ({ expect }) => {
    const crlf = EXAMPLE.replace(/\n/g, '\r\n');
    const cwd = workspace(crlf);
    expect((await weclick(['renew', 'srv1', '--months', '1', '--yes'], { cwd })).code).toBe(0);
    const after = readFileSync(join(cwd, 'weclick.yaml'), 'utf8');
    expect(after).toBe(crlf.replace('expires: 2025-03-09', 'expires: 2025-04-09'));
  });

  it('the written file keeps its mode', async ({ expect }) => {
    const cwd = workspace();
    chmodSync(join(cwd, 'weclick.yaml'), 0o640);
    expect((await weclick(['renew', 'srv1', '--months', '1', '--yes'], { cwd })).code).toBe(0);
    expect(statSync(join(cwd, 'weclick.yaml')).mode & 0o777).toBe(0o640);
  });
});

// --- init and doctor -------------------------------------------------------------------------------

describe.concurrent('init and doctor', () => {
  it('init --yes --domain example.net writes a valid weclick.yaml and a 0600 .env; refuses a second time unless --force', async ({ expect }) => {
    const cwd = workspace(false);
    const first = await weclick(['init', '--yes', '--domain', 'example.net'], { cwd });
    expect(first.code).toBe(0);
    const inventory = readFileSync(join(cwd, 'weclick.yaml'), 'utf8');
    expect(inventory).toMatch(/^# yaml-language-server: \$schema=\S+inventory\.schema\.json$/m);
    expect(statSync(join(cwd, '.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(cwd, '.env'), 'utf8')).toMatch(/^CLOUDFLARE_API_TOKEN=$/m);
    const check = await weclick(['inventory', 'check'], { cwd });
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('valid — 0 server(s) in example.net');

    const again = await weclick(['init', '--yes', '--domain', 'example.org'], { cwd });
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/already exists; nothing was written \(use --force/);
    expect(readFileSync(join(cwd, 'weclick.yaml'), 'utf8')).toBe(inventory);

    const forced = await weclick(['init', '--yes', '--domain', 'example.org', '--force'], { cwd });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(cwd, 'weclick.yaml'), 'utf8')).toContain('domain: "example.org"');
    expect(statSync(join(cwd, '.env')).mode & 0o777).toBe(0o600);
  });

  it('init refuses when only .env exists', async ({ expect }) => {
    const cwd = workspace(false);
    writeFileSync(join(cwd, '.env'), 'X=1\n');
    expect((await weclick(['init', '--yes', '--domain', 'example.net'], { cwd })).code).toBe(4);
    expect(existsSync(join(cwd, 'weclick.yaml'))).toBe(false);
  });

  it('init without --yes and no terminal: exit 4; --yes without --domain: exit 2; a bad domain: exit 3', async ({ expect }) => {
    const cwd = workspace(false);
    expect((await weclick(['init', '--domain', 'example.net'], { cwd })).code).toBe(4);
    expect((await weclick(['init', '--yes'], { cwd })).code).toBe(2);
    const bad = await weclick(['init', '--yes', '--domain', 'Not_A_Domain'], { cwd });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/weclick\.yaml:\d+:\d+: fleet\.domain: /);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('init with a Telegram chat, then servers add: a block list that stays valid', async ({ expect }) => {
    const cwd = workspace(false);
    expect((await weclick(['init', '--yes', '--domain', 'example.net', '--telegram-chat', '-1001234567890'], { cwd })).code).toBe(0);
    for (const [i, name] of ['srv1', 'srv2'].entries()) {
      const { code } = await weclick(['servers', 'add', name, '--ip', `198.51.100.${i + 1}`, '--roles', 'marzban', '--provider', 'x', '--expires', '2030-01-01', '--yes'], { cwd });
      expect(code).toBe(0);
    }
    const text = readFileSync(join(cwd, 'weclick.yaml'), 'utf8');
    expect(text).toMatch(/^servers:\n {2}- name: srv1\n/m);
    expect(text).toMatch(/^ {2}- name: srv2$/m);
    expect(text).toContain('chat: "-1001234567890"');
    const check = await weclick(['inventory', 'check'], { cwd });
    expect(check.stdout).toContain('valid — 2 server(s) in example.net');
  });

  it('doctor after init: exit 0 with warnings; a 0644 .env fails with the chmod fix; no secret value is ever printed', async ({ expect }) => {
    const cwd = workspace(false);
    expect((await weclick(['init', '--yes', '--domain', 'example.net'], { cwd })).code).toBe(0);
    const fresh = await weclick(['doctor'], { cwd });
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/^inventory\s+ok\s+/m);
    expect(fresh.stdout).toMatch(/^secrets\s+ok\s+\.env mode 600/m);
    expect(fresh.stdout).toMatch(/^capability dns\s+warn\s+CLOUDFLARE_API_TOKEN not set/m);

    const secrets = { CLOUDFLARE_API_TOKEN: 'cf-value-q8w7e6r5t4', TELEGRAM_BOT_TOKEN: '999:tg-value-z1x2c3', MYSQL_ADMIN_PASSWORD: 'my-value-p0o9i8' };
    // With a token set, doctor asks Cloudflare: here the local stand-in, never the real API.
    const cloudflare = await startCloudflareStandin({ token: secrets.CLOUDFLARE_API_TOKEN, zones: [{ name: 'example.net' }] });
    try {
      writeFileSync(join(cwd, '.env'), Object.entries(secrets).map(([k, v]) => `${k}=${v}`).join('\n') + `\nMYSQL_ADMIN_USER=admin\nCLOUDFLARE_API_BASE_URL=${cloudflare.url}\n`);
      chmodSync(join(cwd, '.env'), 0o644);
      const open = await weclick(['doctor'], { cwd });
      expect(open.code).toBe(1);
      expect(open.stdout).toMatch(/^secrets\s+fail\s+.*fix: chmod 600 \.env$/m);
      expect(open.stdout).toMatch(/^capability dns\s+ok\s+/m);
      expect(open.stdout).toMatch(/^cloudflare zone\s+ok\s+example\.net found/m);
      const json = await weclick(['doctor', '--json'], { cwd, env: { BACKUP_AGE_IDENTITY_FILE: '/keys/age-value-m4n5b6' } });
      expect(json.code).toBe(1);
      expect((JSON.parse(json.stdout) as { failed: number }).failed).toBe(1);
      for (const value of [...Object.values(secrets), '/keys/age-value-m4n5b6']) {
        expect(open.stdout + open.stderr).not.toContain(value);
        expect(json.stdout + json.stderr).not.toContain(value);
      }
    } finally {
      await cloudflare.close();
    }
  });

  it('doctor on an invalid inventory fails (exit 1) and says how to see the problems', async ({ expect }) => {
    const { code, stdout } = await weclick(['doctor'], { cwd: workspace(BAD_INVENTORY) });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^inventory\s+fail\s+weclick\.yaml: 3 problem\(s\) — fix: weclick inventory check -i weclick\.yaml$/m);
  });
});
