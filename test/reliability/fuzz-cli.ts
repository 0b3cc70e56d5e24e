// Shared by the bad-input suite (issue 9, item 4): a private copy of the built CLI, sealed workspaces to run it
// in, the crash detector, and the one `fuzz` figure the suite's files add up to.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figuresFile, recordFigure } from './figures.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Documented exit codes of every command (src/ui/exit-codes.ts; 5 is dns plan --exit-code). */
export const DOCUMENTED_EXIT = new Set([0, 1, 2, 3, 4, 5]);
/** A closed loopback port: nothing listens there, so every API or database call fails fast. */
export const CLOSED = 'http://127.0.0.1:9';
export const RUN_TIMEOUT_MS = 30_000;

// --- the built CLI, copied so that a rebuild by someone else cannot change it under the runs ----------------

export interface BuiltCli {
  base: string;
  bin: string;
  manifestFile: string;
  remove(): void;
}

function newestMtime(dir: string): number {
  return Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newestMtime(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
}

/** Builds if src/ is newer than dist/, then copies the package (whole: every chunk a file imports exists). */
export function snapshotBuild(): BuiltCli {
  const base = mkdtempSync(join(tmpdir(), 'weclick-fuzz-'));
  const pkg = join(base, 'weclick');
  const outputs = [join(ROOT, 'dist', 'cli.js'), join(ROOT, 'oclif.manifest.json')];
  if (!outputs.every((f) => existsSync(f) && statSync(f).mtimeMs >= newestMtime(join(ROOT, 'src')))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
  for (let attempt = 1; ; attempt++) {
    rmSync(pkg, { recursive: true, force: true });
    mkdirSync(pkg);
    for (const entry of ['bin', 'dist', 'templates', 'package.json', 'oclif.manifest.json', 'inventory.schema.json', 'inventory.example.yaml']) {
      if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(pkg, entry), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    const dist = join(pkg, 'dist');
    const complete = readdirSync(dist, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js'))
      .every((f) => [...readFileSync(join(dist, f), 'utf8').matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"'\s]+\.js)["']/g)].every((m) => existsSync(resolve(dirname(join(dist, f)), m[1]!))));
    if (complete) break;
    if (attempt === 10) throw new Error('dist/ kept changing while it was copied');
    execFileSync('sleep', ['2']);
  }
  return { base, bin: join(pkg, 'bin', 'run.js'), manifestFile: join(pkg, 'oclif.manifest.json'), remove: () => rmSync(base, { recursive: true, force: true }) };
}

// --- a sealed workspace ------------------------------------------------------------------------------------

/** The bundled example inventory with its servers moved to loopback addresses where no sshd listens (127.0.0.2..8). */
export function sealedInventory(): string {
  let n = 2;
  return readFileSync(join(ROOT, 'inventory.example.yaml'), 'utf8')
    .replace(/ipv4: \S+/g, () => `ipv4: 127.0.0.${n++}`)
    .replace(/connectTimeout: \d+/, 'connectTimeout: 1');
}

/** A fake .env: known secret-looking values, every network setting at the closed port. */
export const SEALED_ENV = [
  'CLOUDFLARE_API_TOKEN=fuzz-cloudflare-token-0123456789',
  `CLOUDFLARE_API_BASE_URL=${CLOSED}/client/v4`,
  'TELEGRAM_BOT_TOKEN=123456789:fuzz-telegram-token',
  `TELEGRAM_API_ROOT=${CLOSED}`,
  'MYSQL_HOST=127.0.0.1',
  'MYSQL_PORT=9',
  'MYSQL_ADMIN_USER=fuzz',
  'MYSQL_ADMIN_PASSWORD=fuzz-mysql-password',
  `MARZBAN_API_URL=${CLOSED}`,
  'BACKUP_MYSQL_ADDRESS=127.0.0.1:9',
].join('\n');

const SECRETS_FILE = `outline:\n  srv2:\n    apiUrl: "https://127.0.0.1:9/fuzz-outline-secret"\n    certSha256: "${'AB'.repeat(32)}"\n`;

export interface Lane {
  dir: string;
  /** Where the CLI runs: deep inside `dir`, so a relative path built from a hostile value stays inside. */
  cwd: string;
  home: string;
  inventory: string;
  /** Every file of the workspace as it must be before each run. */
  files: Map<string, Buffer>;
}

export function makeLane(base: string, name: string, extra: Record<string, string | Buffer> = {}): Lane {
  const dir = join(base, name);
  const cwd = join(dir, 'a', 'b', 'c', 'd');
  const home = join(dir, 'home');
  mkdirSync(cwd, { recursive: true });
  mkdirSync(join(home, '.ssh'), { recursive: true });
  const files = new Map<string, Buffer>([
    [join(dir, 'weclick.yaml'), Buffer.from(sealedInventory())],
    [join(dir, '.env'), Buffer.from(`${SEALED_ENV}\n`)],
    [join(dir, 'weclick.secrets.yaml'), Buffer.from(SECRETS_FILE)],
    [join(dir, 'known_hosts'), Buffer.from('')],
    ...Object.entries(extra).map(([path, bytes]) => [join(cwd, path), Buffer.from(bytes)] as [string, Buffer]),
  ]);
  const lane = { dir, cwd, home, inventory: join(dir, 'weclick.yaml'), files };
  resetLane(lane);
  return lane;
}

/** Puts every workspace file back as it was: a fuzzed command that did write (an accepted edit) changes nothing for the next. */
export function resetLane(lane: Lane): void {
  for (const [file, bytes] of lane.files) {
    writeFileSync(file, bytes);
    chmodSync(file, 0o600);
  }
}

// --- running one argv --------------------------------------------------------------------------------------

export interface Outcome {
  argv: string[];
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** The CLI with stdin closed, no TTY, a minimal environment and HOME inside the workspace. */
export function runCli(bin: string, lane: Lane, argv: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [bin, ...argv],
      {
        cwd: lane.cwd,
        timeout: RUN_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        maxBuffer: 256 * 1024 * 1024,
        env: { PATH: process.env.PATH, HOME: lane.home, NO_COLOR: '1', LANG: 'C.UTF-8', USER: 'fuzz', WECLICK_KNOWN_HOSTS: join(lane.dir, 'known_hosts'), ...env },
      },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: number | string; signal?: string | null }) | null;
        done({ argv, code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    child.stdin?.end();
  });
}

// --- what a crash is ---------------------------------------------------------------------------------------

const STACK_FRAME = /^\s*at .+(:\d+|\(.*\))/m;
const JS_ERROR = /\b(TypeError|ReferenceError|RangeError|SyntaxError|EvalError|URIError|AggregateError|AssertionError|ERR_[A-Z_]+)\b|[Uu]nhandled|UnhandledPromiseRejection/;
/** What V8 says when code, not input, is wrong: these leak out as a "clean" one-line error otherwise. */
const JS_MESSAGE = /Invalid time value|Cannot (read|set) properties of|is not a function|is not iterable|is not defined\b|Maximum call stack size exceeded|Invalid (array|string) length|\[object Object\]|(?<!['"‘])\bundefined\b(?!['"’])/;
/** C0/C1 controls (tab aside) and the bidi/zero-width characters that reorder or hide text. */
// eslint-disable-next-line no-control-regex
export const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
/** Commands that use the monitoring-plugin exit codes (2 = CRITICAL is a result, not a rejection). */
const MONITORING = new Set(['expiring']);

/**
 * Why an outcome is a crash, or undefined for a clean success or a clean rejection: an exit code outside the
 * documented set (or none: killed, hung), a stack frame or a JavaScript error name in the output, or a rejection
 * that is not one clean line ("error: ..." then only indented detail lines, e.g. the inventory's file:line:column
 * list); under --json, the {error} document's message and details must each be one clean line.
 */
export function crashOf(o: Outcome, commandId = ''): string | undefined {
  if (o.code === null) return `no exit code (signal ${o.signal}; hung past ${RUN_TIMEOUT_MS / 1000}s?)`;
  if (!DOCUMENTED_EXIT.has(o.code)) return `exit code ${o.code} is not documented`;
  const all = `${o.stdout}\n${o.stderr}`;
  if (STACK_FRAME.test(all)) return `a stack frame in the output: ${STACK_FRAME.exec(all)![0].trim()}`;
  if (JS_ERROR.test(o.stderr)) return `a JavaScript error in stderr: ${JS_ERROR.exec(o.stderr)![0]}`;
  const errorText = `${o.stderr}\n${jsonError(o.stdout)?.message ?? ''}`;
  if (JS_MESSAGE.test(errorText)) return `a JavaScript error message in the rejection: ${JS_MESSAGE.exec(errorText)![0]}`;
  const json = jsonError(o.stdout);
  if (json) {
    if (UNSAFE.test(json.message)) return `the JSON error message is not one clean line: ${JSON.stringify(json.message)}`;
    const bad = json.details.find((d) => typeof d !== 'string' || UNSAFE.test(d));
    return bad === undefined ? undefined : `a JSON error detail is not one clean line: ${JSON.stringify(bad)}`;
  }
  const lines = o.stderr.split('\n');
  const at = lines.findIndex((l) => l.startsWith('error: '));
  if ((o.code === 2 || o.code === 3) && at < 0 && !MONITORING.has(commandId)) return `exit ${o.code} without an "error: " line`;
  if (at < 0) return undefined;
  if (UNSAFE.test(lines[at]!)) return `control or bidi characters in the error line: ${JSON.stringify(lines[at])}`;
  const rest = lines.slice(at + 1).filter((l, i, all) => !(i === all.length - 1 && l === ''));
  const bad = rest.find((l) => !l.startsWith('  ') || UNSAFE.test(l));
  return bad === undefined ? undefined : `the rejection is not one line (plus indented detail lines): ${JSON.stringify(lines.slice(at, at + 4).join('\n'))}`;
}

/** The {error: {message, details}} document a --json run prints on failure, if that is what stdout holds. */
export function jsonError(stdout: string): { message: string; details: unknown[]; exitCode?: number } | undefined {
  try {
    const doc = JSON.parse(stdout) as { error?: { message?: unknown; details?: unknown; exitCode?: number } };
    if (doc && typeof doc.error === 'object' && typeof doc.error.message === 'string') return { message: doc.error.message, details: Array.isArray(doc.error.details) ? doc.error.details : [], exitCode: doc.error.exitCode };
  } catch {
    // not JSON: a human run
  }
  return undefined;
}

/** A failure line for the assertion message, with long arguments shortened. */
export function describeCrash(label: string, crash: string, o: Outcome): string {
  const argv = o.argv.map((a) => (a.length > 80 ? `${a.slice(0, 40)}…(${a.length} chars)` : a));
  return `${label}: ${crash}\n    argv: ${JSON.stringify(argv)}\n    stderr: ${JSON.stringify(o.stderr.slice(0, 300))}`;
}

// --- the one `fuzz` figure ---------------------------------------------------------------------------------

interface FuzzPart {
  tried: number;
  failed: number;
  what: string;
}

/**
 * The bad-input suite is three files (each small enough for CI), but one figure: each file adds its part to a
 * tally kept beside the figures file for this vitest run, and records `fuzz` as the sum so far. The table keeps
 * the last record of an id, so after the whole suite the figure holds all three parts.
 */
export function recordFuzzPart(part: string, counts: FuzzPart): void {
  const tally = `${figuresFile()}.fuzz-parts.json`;
  const run = String(process.ppid);
  let parts: Record<string, FuzzPart> = {};
  try {
    const saved = JSON.parse(readFileSync(tally, 'utf8')) as { run: string; parts: Record<string, FuzzPart> };
    if (saved.run === run) parts = saved.parts;
  } catch {
    // first part of this run
  }
  parts[part] = counts;
  writeFileSync(tally, JSON.stringify({ run, parts }));
  const all = Object.entries(parts).sort(([a], [b]) => a.localeCompare(b));
  recordFigure({
    id: 'fuzz',
    promise: 'Bad input is rejected cleanly: exit 0-5, no stack trace, every rejection one line',
    tried: all.reduce((n, [, p]) => n + p.tried, 0),
    unit: 'inputs',
    failed: all.reduce((n, [, p]) => n + p.failed, 0),
    detail: all.map(([name, p]) => `${name}: ${p.tried} ${p.what}, ${p.failed} crash(es)`).join('; '),
  });
}
