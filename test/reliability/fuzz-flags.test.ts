// Issue 9 (4), bad input: every command's flag and argument parser, fed hostile values through the BUILT CLI.
// The commands come from the built oclif manifest, so a new command or flag is fuzzed without touching this file.
// Runs are sealed off (fuzz-cli.ts): the inventory's hosts are 127.0.0.2..8 (no sshd there, 1 s connect
// timeout), and every network setting in .env points at a closed loopback port, so nothing real is contacted or
// changed; every workspace file is put back after each run.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCALE } from './figures.js';
import { crashOf, describeCrash, makeLane, recordFuzzPart, resetLane, runCli, snapshotBuild, type BuiltCli, type Lane } from './fuzz-cli.js';

const SEED = Number(process.env.WECLICK_FUZZ_SEED ?? (SCALE === 'full' ? Date.now() % 2 ** 31 : 20250609));
const PARALLEL = 3;
/** Where a shell-injection attempt among the hostile values would leave its mark. */
const PWNED = '/tmp/weclick-fuzz-pwned';
const USERS_CSV = 'username,data_limit,expire\nfuzzuser,1GB,2031-01-01\n';

// --- hostile values ----------------------------------------------------------------------------------------

const LONG = 'a'.repeat(100_000);
/** Hand-picked: shell metacharacters, control characters, look-alikes, bidi and zero-width tricks, sizes, numbers, -- tricks. */
const HOSTILE: string[] = [
  '; rm -rf ~ ;',
  `$(touch ${PWNED})`,
  '`id`',
  'a|b&c>d<e',
  `'"'"'`,
  '"; DROP TABLE users; --',
  '*?~[]{}!#',
  'srv1\nsrv2',
  'line\r\nbreak',
  '\u001b[31mred\u001b[0m',
  '\u0007\u0008\u007f',
  'srv\u00001',
  '\t',
  'ѕrv1', // Cyrillic dze
  'mngmт', // Cyrillic te
  'gо', // Cyrillic o
  'аlice', // Cyrillic a
  'srv1\u202Egnp.exe',
  'srv\u200D1',
  'srv1\u200B',
  '\uFEFFsrv1',
  'é́́́́',
  '😀'.repeat(50),
  LONG,
  '',
  ' ',
  '-1',
  '0',
  '-0',
  '99999999999999999999999999',
  '1e309',
  'NaN',
  'Infinity',
  '0x10',
  '1.5',
  // Well-formed but absurd sizes, durations and dates (a Date past ±8.64e15 ms throws on toISOString).
  '100000000d',
  '99999999999999999999GB',
  '1e999y',
  '-30d',
  '0s',
  '9999-12-31',
  '0000-00-00',
  '2024-02-30',
  '275760-09-14T00:00:00Z',
  '--',
  '--yes',
  '-i',
  '--json',
  '-',
  '=',
  '%s%n%x',
  '../../../../../../etc/passwd',
  '~/.ssh/id_ed25519',
  '${HOME}',
  'srv1,',
  ',,,',
  'srv1,srv1',
];

// Random extras (full size): every kind of character, some YAML/shell-flavoured units.
const randomValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(';', '|', '&', '$', '(', ')', '`', "'", '"', '<', '>', '*', '?', '~', '\n', '\\', ' ', '-', '--', '=', ',', 'a', '1', 'а', 'е', 'о', '\u202E', '\u200D', '\u0001'), maxLength: 30 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt().map(String),
);

/** Node refuses NUL bytes in argv (execve cannot carry them): they are tried in files, not flags. */
const argvSafe = (v: string) => v.replaceAll('\u0000', '\\0');

/** Keeps a hostile path inside the workspace: no absolute paths, no climbing out with ../ */
const contained = (v: string) => v.replace(/^\/+/, '').replaceAll('../', '..,');

function valuesFor(index: number, count: number): string[] {
  const picked: string[] = [];
  for (let i = 0; i < count; i++) picked.push(HOSTILE[(index * count + i) % HOSTILE.length]!);
  return picked;
}

// --- the commands, from the manifest ----------------------------------------------------------------------

interface ManifestFlag {
  name: string;
  type: 'boolean' | 'option';
  char?: string;
  options?: string[];
  multiple?: boolean;
}

interface ManifestCommand {
  id: string;
  args: Record<string, { name: string; required?: boolean }>;
  flags: Record<string, ManifestFlag>;
  strict?: boolean;
}

/** A valid value for each argument name, so that a run fuzzes one thing at a time. */
const ARG_DEFAULTS: Record<string, string> = { name: 'srv1', names: 'srv1', id: '1', file: 'users.csv', size: '1GB' };

function baseline(command: ManifestCommand, lane: Lane): string[] {
  const words = command.id.split(':');
  const args = Object.values(command.args).map((a) => ARG_DEFAULTS[a.name] ?? 'x');
  const tail = command.id === 'run' ? ['--', 'true'] : [];
  return [...words, ...args, '-i', lane.inventory, ...tail];
}

interface Case {
  label: string;
  argv: (lane: Lane) => string[];
}

/**
 * The runs for one command. Each hostile value goes to one flag or argument while the rest of the line stays
 * valid. At CI size every option flag and argument gets one value, and one structural trick per command
 * (rotating: hostile --inventory, a value on a boolean, an unknown flag, an extra argument, -- tricks, no
 * arguments); at full size every value form and trick, several values each, plus random ones.
 */
function casesFor(command: ManifestCommand, commandIndex: number, full: boolean): Case[] {
  const cases: Case[] = [];
  const words = command.id.split(':');
  const perValue = full ? 4 : 1;
  const randoms = (n: number) => (full ? fc.sample(randomValue, { numRuns: n, seed: SEED + commandIndex * 1000 + cases.length }) : []);
  const add = (label: string, build: (lane: Lane, value: string) => string[], values: string[]) => {
    values.forEach((raw, i) => {
      const value = contained(argvSafe(raw));
      cases.push({ label: `${command.id} ${label} #${i}`, argv: (lane) => build(lane, value) });
    });
  };
  const line = (lane: Lane) => baseline(command, lane);
  const flags = Object.values(command.flags).filter((f) => f.name !== 'json' && f.name !== 'inventory');
  const booleans = flags.filter((f) => f.type === 'boolean');
  let slot = commandIndex * 7;
  flags
    .filter((f) => f.type !== 'boolean')
    .forEach((flag) => {
      const values = [...valuesFor(slot++, perValue), ...randoms(3)];
      const options = flag.options ?? [];
      // Look-alikes of a valid choice: Cyrillic letters, a zero-width space, another case.
      const lookalikes = options.slice(0, 1).flatMap((o) => [o.replace(/a/, 'а').replace(/o/, 'о').replace(/e/, 'е'), `${o}\u200B`, o.toUpperCase()]);
      add(`--${flag.name} <hostile>`, (lane, v) => [...line(lane), `--${flag.name}`, v], [...values, ...(full ? lookalikes : lookalikes.slice(0, 1))]);
      if (full) {
        add(`--${flag.name}=<hostile>`, (lane, v) => [...line(lane), `--${flag.name}=${v}`], values.slice(0, 2));
        if (flag.char) add(`-${flag.char} <hostile>`, (lane, v) => [...line(lane), `-${flag.char}`, v], values.slice(-1));
        cases.push({ label: `${command.id} --${flag.name} (no value)`, argv: (lane) => [...line(lane), `--${flag.name}`] });
      }
    });
  Object.values(command.args).forEach((arg, position) => {
    add(
      `<${arg.name}> hostile`,
      (lane, v) => {
        const argv = line(lane);
        argv[words.length + position] = v;
        return argv;
      },
      [...valuesFor(slot++, perValue + 1), ...randoms(3)],
    );
  });
  const withoutTail = (lane: Lane) => line(lane).filter((w) => w !== '--' && w !== 'true');
  const tricks: Case[] = [
    ...valuesFor(slot++, perValue).map((raw, i) => {
      const v = contained(argvSafe(raw));
      return { label: `${command.id} -i <hostile> #${i}`, argv: (lane: Lane) => [...line(lane).filter((w, j, all) => w !== '-i' && all[j - 1] !== '-i'), '-i', v] };
    }),
    ...valuesFor(slot++, full ? 2 : 1).map((raw, i) => {
      const v = contained(argvSafe(raw));
      return { label: `${command.id} --json=<hostile> #${i}`, argv: (lane: Lane) => [...line(lane), `--json=${v}`] };
    }),
    ...booleans.flatMap((flag) => [
      { label: `${command.id} --${flag.name}=<hostile>`, argv: (lane: Lane) => [...line(lane), `--${flag.name}=${contained(argvSafe(valuesFor(slot, 1)[0]!))}`] },
      { label: `${command.id} --no-${flag.name}`, argv: (lane: Lane) => [...line(lane), `--no-${flag.name}`] },
    ]),
    { label: `${command.id} unknown flag`, argv: (lane) => [...line(lane), '--no-such-flag-\u202Eevil'] },
    { label: `${command.id} extra argument`, argv: (lane) => [...withoutTail(lane), 'extra; rm -rf ~'] },
    { label: `${command.id} -- then flags`, argv: (lane) => [...withoutTail(lane), '--', '--yes', '$(id)'] },
    ...(Object.keys(command.args).length > 0 ? [{ label: `${command.id} (no arguments)`, argv: (lane: Lane) => [...words, '-i', lane.inventory] }] : []),
  ];
  if (full) cases.push(...tricks);
  else cases.push(tricks[commandIndex % tricks.length]!);
  return cases;
}

// --- the test ----------------------------------------------------------------------------------------------

let cli: BuiltCli;
let lanes: Lane[] = [];
let manifest: Record<string, ManifestCommand> = {};

beforeAll(() => {
  rmSync(PWNED, { force: true });
  cli = snapshotBuild();
  manifest = (JSON.parse(readFileSync(cli.manifestFile, 'utf8')) as { commands: Record<string, ManifestCommand> }).commands;
  lanes = Array.from({ length: PARALLEL }, (_, i) => makeLane(cli.base, `lane${i}`, { 'users.csv': USERS_CSV }));
}, 180_000);
afterAll(() => cli?.remove());

describe('every flag and argument parser, through the built CLI', () => {
  it('rejects hostile values with a documented exit code and one clean line, never a crash', async () => {
    const ids = Object.keys(manifest).sort();
    expect(ids.length, 'the manifest lists the commands').toBeGreaterThan(40);
    const cases = ids.flatMap((id, index) => casesFor(manifest[id]!, index, SCALE === 'full'));
    const crashes: string[] = [];
    const fuzzed = new Set<string>();
    let next = 0;
    await Promise.all(
      lanes.map(async (lane) => {
        while (next < cases.length) {
          const c = cases[next++]!;
          const outcome = await runCli(cli.bin, lane, c.argv(lane));
          resetLane(lane);
          const id = c.label.split(' ')[0]!;
          fuzzed.add(id);
          const crash = crashOf(outcome, id);
          if (crash) crashes.push(describeCrash(c.label, crash, outcome));
        }
      }),
    );
    if (existsSync(PWNED)) crashes.push(`a hostile value ran as a shell command: ${PWNED} exists`);
    expect([...fuzzed].sort(), 'every command was fuzzed').toEqual(ids);
    recordFuzzPart('flags', { tried: cases.length, failed: crashes.length, what: `CLI runs over ${ids.length} commands (seed ${SEED})` });
    expect(crashes, `${crashes.length} crash(es) out of ${cases.length} runs:\n${crashes.join('\n')}`).toEqual([]);
  }, 1_800_000);
});
