// Issue 9 (4), bad input: the hand-made corpus (test/reliability/corpus/, see its README) plus a few inputs too
// big to keep in git, through the BUILT CLI. Inventories go through `inventory check` (human and --json) and an
// edit (`servers set --yes`) that must refuse without touching the file; CSV/JSON files go through `users import`
// against a database of our own on the test fleet's MariaDB, which must stay empty. Files named ok-* are awkward
// but valid (CRLF, a BOM, Unicode notes) and must be accepted. At CI size --json and the edit each run on a
// rotating third of the files; at full size on all of them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usersTestSetup, type UsersTestSetup } from '../standins/marzban-api/test-database.js';
import { SCALE, sized } from './figures.js';
import { crashOf, describeCrash, jsonError, makeLane, recordFuzzPart, resetLane, runCli, snapshotBuild, type BuiltCli, type Lane, type Outcome } from './fuzz-cli.js';

const CORPUS = fileURLToPath(new URL('./corpus', import.meta.url));
const INVENTORY_CAP = 5 * 1024 * 1024;
const IMPORT_CAP = 100 * 1024 * 1024;
const PARALLEL = 3;

let cli: BuiltCli;
let users: UsersTestSetup;
let generated: string;
const crashes: string[] = [];
let tried = 0;

/** Inputs too big for git, made at test time: over the size caps, one huge line, tens of thousands of keys. */
function generateInputs(dir: string): void {
  const example = readFileSync(join(CORPUS, 'inventory', 'ok-crlf.yaml'), 'utf8').replace(/\r\n/g, '\n');
  mkdirSync(join(dir, 'inventory'), { recursive: true });
  mkdirSync(join(dir, 'users'), { recursive: true });
  const comment = `# ${'x'.repeat(1022)}\n`;
  writeFileSync(join(dir, 'inventory', 'huge-6mb.yaml'), example + comment.repeat(Math.ceil((6 * 1024 * 1024) / comment.length)));
  writeFileSync(join(dir, 'inventory', 'long-line-1mb.yaml'), example.replace('provider: IP Hoster', `provider: ${'y'.repeat(1024 * 1024)}`));
  const keys = sized(20_000, 150_000);
  writeFileSync(join(dir, 'inventory', 'many-unknown-keys.yaml'), example.replace('fleet:\n', `fleet:\n${Array.from({ length: keys }, (_, i) => `  k${i}: ${i}`).join('\n')}\n`));
  writeFileSync(join(dir, 'inventory', 'deep-sequence.yaml'), `fleet:\n  labels:\n    ${'- '.repeat(sized(20_000, 200_000))}x\nservers: []\n`);
  // 6 MB of good rows, then one bad one: the whole file is refused.
  const rows = sized(20_000, 150_000);
  const csv = ['username,data_limit,expire,note', ...Array.from({ length: rows }, (_, i) => `bulk_${i},1GB,2031-01-01,${'n'.repeat(SCALE === 'full' ? 20 : 1)}`), 'Bad Name!,1GB,2031-01-01,x'].join('\n');
  writeFileSync(join(dir, 'users', 'many-rows-one-bad.csv'), csv);
  // Over the import cap without using the disk: a sparse file.
  execFileSync('truncate', ['-s', String(IMPORT_CAP + 1), join(dir, 'users', 'over-the-cap.csv')]);
}

function files(kind: 'inventory' | 'users'): string[] {
  return [...readdirSync(join(CORPUS, kind)).map((f) => join(CORPUS, kind, f)), ...readdirSync(join(generated, kind)).map((f) => join(generated, kind, f))].sort();
}

const isOk = (file: string) => /\/ok-[^/]+$/.test(file);
const name = (file: string) => file.split('/').pop()!;

/** Records a run: a crash, or a wrong outcome the caller found. */
function judge(label: string, o: Outcome, commandId: string, wrong?: string): void {
  tried++;
  const crash = crashOf(o, commandId) ?? wrong;
  if (crash) crashes.push(describeCrash(label, crash, o));
}

const FILE_PROBLEM = /^ {2}\S.*:\d+:\d+: \S/;
/** Files in a wrong encoding: the refusal must say so (UTF-8), not list garbled columns. */
const WRONG_ENCODING = /utf16|latin1|binary-garbage|nul-byte|invalid-utf8/;

beforeAll(async () => {
  cli = snapshotBuild();
  generated = join(cli.base, 'generated');
  generateInputs(generated);
  users = await usersTestSetup(['mngmt']);
}, 300_000);

afterAll(async () => {
  await users?.drop();
  cli?.remove();
});

describe('the bad-input corpus, through the built CLI', () => {
  it('every inventory in the corpus: ok-* load; the rest are refused in one line or file:line:column lines, exit 3, file untouched', async () => {
    const inventories = files('inventory');
    expect(inventories.length).toBeGreaterThan(50);
    let next = 0;
    const lanes = Array.from({ length: PARALLEL }, (_, i) => makeLane(cli.base, `inv${i}`));
    await Promise.all(
      lanes.map(async (lane: Lane) => {
        while (next < inventories.length) {
          const file = inventories[next++]!;
          const bytes = readFileSync(file);
          lane.files.set(lane.inventory, bytes);
          resetLane(lane);
          const label = `inventory ${name(file)}`;

          const check = await runCli(cli.bin, lane, ['inventory', 'check', '-i', lane.inventory]);
          judge(`${label}: inventory check`, check, 'inventory:check', checkVerdict(file, check));

          // --json on every file at full size, on every third one at CI size.
          if (SCALE === 'full' || inventories.indexOf(file) % 3 === 0) {
            const json = await runCli(cli.bin, lane, ['inventory', 'check', '--json', '-i', lane.inventory]);
            const doc = jsonError(json.stdout);
            judge(`${label}: inventory check --json`, json, 'inventory:check', isOk(file) ? (json.code === 0 ? undefined : `exit ${json.code}, expected 0`) : json.code !== 3 || !doc ? `exit ${json.code} without an {error} document, expected 3` : undefined);
          }

          // The edit on every bad file at full size, on another third of them at CI size.
          if (!isOk(file) && (SCALE === 'full' || inventories.indexOf(file) % 3 === 1)) {
            const edit = await runCli(cli.bin, lane, ['servers', 'set', 'srv1', '--notes', 'fuzz', '--yes', '-i', lane.inventory]);
            const after = readFileSync(lane.inventory);
            judge(`${label}: servers set --yes`, edit, 'servers:set', edit.code !== 3 ? `exit ${edit.code}, expected 3` : !after.equals(bytes) ? 'the inventory was changed' : undefined);
          }
        }
      }),
    );
  }, 600_000);

  it('every CSV/JSON in the corpus: ok-* pass a dry run; the rest are refused whole (exit 3, one line per bad row), nothing inserted', async () => {
    const imports = files('users');
    expect(imports.length).toBeGreaterThan(35);
    const lane: Lane = { dir: users.dir, cwd: users.dir, home: join(cli.base, 'users-home'), inventory: users.file, files: new Map() };
    mkdirSync(lane.home, { recursive: true });
    const inventoryBefore = readFileSync(users.file);
    for (const file of imports) {
      const label = `users import ${name(file)}`;
      const argv = ['users', 'import', file, '-i', users.file, ...(isOk(file) ? ['--dry-run'] : [])];
      const human = await runCli(cli.bin, lane, argv);
      judge(label, human, 'users:import', importVerdict(file, human));
      if (SCALE === 'full' || imports.indexOf(file) % 3 === 0) {
        const json = await runCli(cli.bin, lane, [...argv, '--json']);
        judge(`${label} --json`, json, 'users:import', isOk(file) ? (json.code === 0 ? undefined : `exit ${json.code}, expected 0`) : json.code !== 3 || !jsonError(json.stdout) ? `exit ${json.code} without an {error} document, expected 3` : undefined);
      }
      const written = await rowCounts();
      if (written !== '0/0/0') crashes.push(`${label}: rows were written (users/proxies/pending = ${written}); nothing may be imported`);
    }
    if (!readFileSync(users.file).equals(inventoryBefore)) crashes.push('users import changed the inventory');
  }, 600_000);

  it('records the figure: no crash, no wrong exit code, nothing written', () => {
    recordFuzzPart('corpus', { tried, failed: crashes.length, what: 'CLI runs over the corpus' });
    expect(crashes, `${crashes.length} failure(s) out of ${tried} runs:\n${crashes.join('\n')}`).toEqual([]);
  });
});

/** What is wrong with an `inventory check` of this corpus file, if anything. */
function checkVerdict(file: string, o: Outcome): string | undefined {
  if (isOk(file)) return o.code === 0 ? undefined : `exit ${o.code}, expected 0 (this awkward file is valid)`;
  if (o.code !== 3) return `exit ${o.code}, expected 3`;
  const lines = o.stderr.replace(/\n$/, '').split('\n');
  if (!lines[0]!.startsWith('error: ')) return 'no "error: " line first';
  const bad = lines.slice(1).find((l) => !FILE_PROBLEM.test(l));
  if (bad !== undefined) return `a detail line is not file:line:column: ${JSON.stringify(bad.slice(0, 120))}`;
  if (name(file) === 'huge-6mb.yaml' && !o.stderr.includes(`at most ${INVENTORY_CAP}`)) return 'the size cap is not named';
  if (WRONG_ENCODING.test(name(file)) && !/UTF-8/.test(o.stderr)) return 'the refusal does not say the file must be UTF-8';
  return undefined;
}

function importVerdict(file: string, o: Outcome): string | undefined {
  if (isOk(file)) return o.code === 0 && /would be imported/.test(o.stdout) ? undefined : `exit ${o.code}, expected 0 and a dry-run line`;
  if (o.code !== 3) return `exit ${o.code}, expected 3`;
  const lines = o.stderr.replace(/\n$/, '').split('\n');
  if (!lines[0]!.startsWith('error: ')) return 'no "error: " line first';
  const bad = lines.slice(1).find((l) => !/^ {2}line \d+: \S/.test(l));
  if (bad !== undefined) return `a detail line is not "line N: ...": ${JSON.stringify(bad.slice(0, 120))}`;
  if (WRONG_ENCODING.test(name(file)) && !/save it as UTF-8/.test(o.stderr)) return 'the refusal does not say the file must be UTF-8';
  if (name(file) === 'over-the-cap.csv' && !o.stderr.includes(`limit is ${IMPORT_CAP}`)) return 'the size cap is not named';
  return undefined;
}

async function rowCounts(): Promise<string> {
  const counts = await Promise.all(['users', 'proxies', 'weclick_pending'].map(async (t) => Number((await users.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${t}`))[0][0]!.n)));
  return counts.join('/');
}
