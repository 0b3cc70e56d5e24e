// Issue 9 (1): secrets never leak. Every command, on a success path and at least one failure path, with and
// without --json, with DEBUG=weclick and DEBUG=*, runs with known secret values in .env, weclick.secrets.yaml, the
// age identity and the database; none may appear — as is or encoded — in stdout, stderr, the audit log and lock
// details on the hosts, Telegram messages, captions and documents, Cloudflare records and request bodies, the
// Marzban and Outline stand-ins' requests, or any file weclick writes locally. Real: the built CLI, the test
// fleet's sshd hosts and MariaDB. Stand-ins: Cloudflare, Telegram, Outline, each worker's Marzban API.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { recordFigure, SCALE, sized } from './figures.js';
import { argvOf, COMMAND_PATHS, type CommandPath, type Group, type Pass } from './secrets-matrix.js';
import { needlesFor, scan, type KnownSecret, type Leak, type Needle } from './secrets-scan.js';
import { changedFiles, CHAT, hostSinks, secretsWorld, ZONE, type SecretsWorld } from './secrets-world.js';

interface Mode {
  name: string;
  json: boolean;
  debug: string;
}
const MODES: Mode[] = [
  { name: 'plain', json: false, debug: '' },
  { name: '--json', json: true, debug: '' },
  { name: 'DEBUG=weclick', json: false, debug: 'weclick' },
  { name: 'DEBUG=weclick --json', json: true, debug: 'weclick' },
  { name: 'DEBUG=*', json: false, debug: '*' },
  { name: 'DEBUG=* --json', json: true, debug: '*' },
];

let world: SecretsWorld;
beforeAll(async () => {
  world = await secretsWorld();
}, 180_000);
afterAll(async () => world?.close(), 60_000);

/** Everything a secret could reach besides the command's own output, read as "what is new since last time". */
class Sinks {
  private audit = new Map<string, number>();
  private tgMessages = new Set<number>();
  private tgRequests = 0;
  private cfRequests = 0;
  private marzbanCalls: number[] = [];
  private outlineRequests = 0;
  private filesSince = Date.now();

  constructor(private readonly w: SecretsWorld) {
    for (const h of w.fleetHosts) this.audit.set(h, hostSinks(h).audit.length);
    this.marzbanCalls = w.marzban.map((m) => m.calls.length);
  }

  /** New content in every shared sink, as [sink name, text]. */
  async collect(): Promise<Array<[string, string]>> {
    const out: Array<[string, string]> = [];
    for (const h of this.w.fleetHosts) {
      const { audit, lock } = hostSinks(h);
      out.push([`audit log on ${h}`, audit.slice(this.audit.get(h) ?? 0)]);
      this.audit.set(h, audit.length);
      // The lock details are base64 JSON: scanned both ways.
      out.push([`lock details on ${h}`, `${lock}\n${Buffer.from(lock.trim(), 'base64').toString('utf8')}`]);
    }
    for (const m of this.w.tg.messages(CHAT, { includeDeleted: true })) {
      if (this.tgMessages.has(m.message_id)) continue;
      this.tgMessages.add(m.message_id);
      out.push(['Telegram message', `${m.text ?? ''}\n${m.caption ?? ''}\n${m.document?.file_name ?? ''}`]);
      const file = m.document ? this.w.tg.file(m.document.file_id) : undefined;
      if (file) out.push([`Telegram document ${m.document!.file_name}`, file.bytes.toString('latin1')]);
    }
    out.push(['Telegram request parameters', JSON.stringify(this.w.tg.requests.slice(this.tgRequests).map((r) => r.params ?? {}))]);
    this.tgRequests = this.w.tg.requests.length;
    out.push(['Cloudflare records (content, comments)', JSON.stringify(this.w.cf.records(ZONE).map((r) => [r.name, r.content, r.comment]))]);
    out.push(['Cloudflare request bodies and queries', JSON.stringify(this.w.cf.requests.slice(this.cfRequests).map((r) => [r.query, r.body]))]);
    this.cfRequests = this.w.cf.requests.length;
    this.w.marzban.forEach((m, i) => {
      out.push([`Marzban API calls on ${m.host}`, JSON.stringify(m.calls.slice(this.marzbanCalls[i]).map((c) => [c.method, c.path, c.body]))]);
      this.marzbanCalls[i] = m.calls.length;
    });
    // weclick keeps a propagation error per queued change in the fleet's database: a sink too.
    const lastErrors = await this.w.pool.query('SELECT worker, username, last_error FROM weclick_pending WHERE last_error IS NOT NULL').then(([rows]) => rows, () => []);
    out.push(['weclick_pending.last_error (database)', JSON.stringify(lastErrors)]);
    // The path of an Outline request carries the secret prefix by design (it is the API's address): bodies only.
    out.push(['Outline request bodies', JSON.stringify(this.w.outline.requests.slice(this.outlineRequests).map((r) => r.body ?? null))]);
    this.outlineRequests = this.w.outline.requests.length;
    const since = this.filesSince;
    this.filesSince = Date.now();
    const skip = [join(this.w.dir, '.env'), join(this.w.dir, 'weclick.secrets.yaml')];
    for (const file of [...changedFiles(this.w.dir, since - 1000, skip), ...changedFiles(this.w.cacheDir, since - 1000, [])]) {
      const name = file.slice(this.w.dir.length + 1);
      // The temp file of an atomic rewrite of a secret store holds the store's content by design: it must be as
      // private as the store itself (its content is not a leak, its mode could be).
      if (/^\.(weclick\.secrets\.yaml|env)\./.test(name)) {
        const mode = (statSync(file, { throwIfNoEntry: false })?.mode ?? 0) & 0o777;
        if (mode & 0o077) out.push([`local file ${name} (mode ${mode.toString(8)})`, readIfThere(file)]);
        continue;
      }
      out.push([`local file ${name}`, readIfThere(file)]);
    }
    return out;
  }
}

/** A file's text, or nothing when it went away meanwhile (temp files of other runs do). */
function readIfThere(file: string): string {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return '';
  }
}

interface RunRecord {
  path: CommandPath;
  mode: Mode;
  argv: string[];
  code: number;
  ms: number;
}

describe('secrets never leak', () => {
  it('every command, success and failure paths, plain / --json / DEBUG: no secret value in any output or sink', async () => {
    const leaks: Array<Leak & { run: string }> = [];
    const unexpected: string[] = [];
    const runs: RunRecord[] = [];
    const secrets = new Map<string, KnownSecret>(world.secrets.map((s) => [s.value, s]));
    let needles: Needle[] = [];
    const refreshNeedles = () => {
      for (const s of world.secretsFileValues()) if (!secrets.has(s.value)) secrets.set(s.value, s);
      needles = [...secrets.values()].flatMap(needlesFor);
    };
    refreshNeedles();
    const sinks = new Sinks(world);
    const look = (run: string, sink: string, text: string) => leaks.push(...scan(sink, text, needles).map((l) => ({ ...l, run })));
    // Control: the scanner finds every secret in the files that hold them (else a clean result would mean nothing).
    const stores = ['.env', 'weclick.secrets.yaml'].map((f) => readFileSync(join(world.dir, f), 'utf8')).join('\n') + readFileSync(world.identityFile, 'utf8');
    const found = new Set(scan('control', stores, needles).map((l) => l.secret));
    expect(world.secrets.filter((s) => s.name.startsWith('.env') || s.name.startsWith('secrets file') || s.name.startsWith('identity')).map((s) => s.name).filter((n) => !found.has(n))).toEqual([]);
    expect(scan('control', Buffer.from(`x${world.secrets[0]!.value}`).toString('base64'), needles).map((l) => l.encoding)).toContain('base64');

    // Full size: every path in every mode. CI size: the paths marked ci (every command at least once), one pass,
    // the mode turning with each path so every mode is used.
    const paths = COMMAND_PATHS.filter((p) => SCALE === 'full' || p.ci);
    const passes = SCALE === 'full' ? MODES.map((_, i) => i) : [0];
    const groups = [...new Set(paths.map((p) => p.group))] as Group[];
    let turn = 0;
    const modeFor = (pass: number, path: CommandPath) => {
      const mode = SCALE === 'full' ? MODES[pass]! : MODES[turn++ % MODES.length]!;
      return path.json === false && mode.json ? { ...mode, json: false, name: mode.name.replace(' --json', '') } : mode;
    };

    const runGroup = async (group: Group) => {
      for (const n of passes) {
        const pass: Pass = { n, state: {} };
        for (const path of paths.filter((p) => p.group === group)) {
          const mode = modeFor(n, path);
          await path.before?.(world, pass);
          let argv = argvOf(path, pass, world);
          if (mode.json) {
            const separator = argv.indexOf('--');
            argv = separator >= 0 ? [...argv.slice(0, separator), '--json', ...argv.slice(separator)] : [...argv, '--json'];
          }
          // DEBUG=* turns on every library's debug output; the Cloudflare SDK has its own switch, turned on with it.
          const debugEnv = { DEBUG: mode.debug, CLOUDFLARE_LOG: mode.debug === '*' ? 'debug' : '' };
          const result = await world.run(argv, { env: { ...debugEnv, ...path.env?.(world) } });
          // DEBUG=* must really have turned the libraries' debug output on (oclif's at least), or the mode tested nothing.
          if (mode.debug === '*' && !/ oclif:/.test(result.stderr)) unexpected.push(`${path.command} [${mode.name}]: no debug output on stderr`);
          await path.after?.(world, pass);
          const label = `${path.command} (${path.kind}: ${path.label}) [${mode.name}]`;
          runs.push({ path, mode, argv, code: result.code, ms: result.ms });
          if (!path.expect.includes(result.code)) {
            const said = `${result.stderr}\n${result.stdout}`.split('\n').filter((l) => /error|warn|fail|refus|denied|Node\.js|at file:/i.test(l) && !/oclif:/.test(l));
            unexpected.push(`${label}: exit ${result.code}, expected ${path.expect.join(' or ')}\n    weclick ${argv.join(' ')}\n    ${said.slice(0, 6).join('\n    ')}`);
          }
          if (group === 'users') refreshNeedles();
          look(label, 'stdout', result.stdout);
          look(label, 'stderr', result.stderr);
          for (const file of path.outputs?.(pass, world) ?? []) {
            // Not every mode writes the file (--json puts an export on stdout; a failure writes nothing).
            const info = statSync(file, { throwIfNoEntry: false });
            for (const f of info?.isDirectory() ? changedFiles(file, 0, []) : info ? [file] : []) {
              look(label, `output file ${f.slice(world.dir.length + 1)}`, readIfThere(f));
            }
          }
          // Shared sinks cannot tell apart groups running side by side: the run named is the one that noticed.
          for (const [sink, text] of await sinks.collect()) look(`${label} (or a run beside it)`, sink, text);
        }
      }
    };
    const started = Date.now();
    const groupMs: Record<string, number> = {};
    await Promise.all(groups.map(async (g) => ((await runGroup(g)), (groupMs[g] = Date.now() - started))));
    if (process.env.WECLICK_LEAK_TIMINGS) {
      console.log(groupMs, runs.sort((a, b) => b.ms - a.ms).slice(0, 25).map((r) => `${r.ms} ms ${r.argv.join(' ')}`));
    }
    refreshNeedles();
    for (const [sink, text] of await sinks.collect()) look('final sweep', sink, text);

    // Coverage: the matrix has a success and a failure path for every command of the CLI and runs every topic's
    // help (all of it at full size); at CI size every command still runs at least once.
    const manifest = JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> };
    const commands = Object.keys(manifest.commands).map((id) => id.replaceAll(':', ' '));
    const defined = (command: string, kind: string) => COMMAND_PATHS.some((p) => p.command === command && p.kind === kind);
    const uncovered = commands.flatMap((c) => ['success', 'failure'].filter((k) => !defined(c, k)).map((k) => `${c}: no ${k} path in the matrix`));
    const topics = [...new Set(commands.flatMap((c) => c.split(' ').slice(0, -1).map((_, i, words) => words.slice(0, i + 1).join(' '))))];
    uncovered.push(...topics.filter((t) => !defined(`topic ${t}`, 'success')).map((t) => `topic ${t}: no help path in the matrix`));
    uncovered.push(...commands.filter((c) => !runs.some((r) => r.path.command === c)).map((c) => `${c}: not run`));

    const distinct = [...new Map(leaks.map((l) => [`${l.secret}|${l.encoding}|${l.sink}|${l.run}`, l])).values()];
    recordFigure({
      id: 'secrets',
      promise: 'Secrets never leak',
      tried: runs.length,
      unit: 'command paths run',
      failed: distinct.length,
      detail: `${commands.length} commands + ${topics.length} topics, ${new Set(paths.map((p) => `${p.command}|${p.label}`)).size} paths (success and failure) × ${SCALE === 'full' ? `${MODES.length} modes` : 'one mode each, turning'} (plain, --json, DEBUG=weclick, DEBUG=* with CLOUDFLARE_LOG=debug); ${secrets.size} secret values × ${Math.round(needles.length / secrets.size)} forms (raw, JSON, URL, base64 at 3 offsets, hex, first/last 10 chars) in stdout, stderr, audit logs and lock details on ${world.fleetHosts.length} hosts, Telegram messages, captions and documents, Cloudflare records and requests, Marzban and Outline requests, local files; failed = leaks found`,
    });
    expect({
      uncovered,
      // A path that ended otherwise did not test what it claims.
      unexpected,
      leaks: distinct.map((l) => `${l.secret} (${l.encoding}) in ${l.sink} after ${l.run}: …${l.context}…`),
    }).toEqual({ uncovered: [], unexpected: [], leaks: [] });
  }, sized(600_000, 3_600_000));
});
