// Every weclick command on a success path and at least one failure path, for the secrets-leak harness. Paths in a
// group run in order (a later one may rely on an earlier one: users add → show → delete); groups run side by side.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { host } from '../fleet/harness.js';
import { PROVISIONED, type SecretsWorld } from './secrets-world.js';

export type Group = 'local' | 'dns' | 'fleet' | 'users' | 'backup' | 'outline';

/** One pass over the matrix: a number that keeps names unique from pass to pass. */
export interface Pass {
  n: number;
  state: Record<string, string>;
}

export interface CommandPath {
  /** The command as typed (`users add`), `topic backup`, `--help`, `--version`. */
  command: string;
  kind: 'success' | 'failure';
  /** What makes it this path: `wrong MySQL password`, `Cloudflare 429`. */
  label: string;
  group: Group;
  /** Arguments after the command words; -i is added unless `inventory` is 'none'. */
  args?: (p: Pass, w: SecretsWorld) => string[];
  inventory?: 'main' | 'ghost' | 'broken' | 'none';
  env?: (w: SecretsWorld) => NodeJS.ProcessEnv;
  before?: (w: SecretsWorld, p: Pass) => void | Promise<void>;
  after?: (w: SecretsWorld, p: Pass) => void | Promise<void>;
  /** Exit codes that show the path went where it says (any other code: the path did not test what it claims). */
  expect: number[];
  /** Files the command writes, scanned too. */
  outputs?: (p: Pass, w: SecretsWorld) => string[];
  /** Part of the reduced (CI) matrix: every command at least once, success and failure paths mixed. */
  ci?: boolean;
  /** False for help and version output, which has no --json form. */
  json?: boolean;
}

const ok = [0];
const wrongMysql = (w: SecretsWorld) => ({ MYSQL_ADMIN_PASSWORD: w.wrong.mysqlPassword });
const mysqlDown = () => ({ MYSQL_HOST: '127.0.0.9' });
const out = (w: SecretsWorld, name: string) => join(w.outputDir, name);
const user = (p: Pass, tag = 'a') => `lu${p.n}${tag}`;
/** The provisioned worker's /opt/marzban, seen from outside (the host's /opt is a bind mount of this folder). */
const optMarzban = () => join(host(PROVISIONED.fleetHost).dir, 'opt', 'marzban');

const TOPICS = ['backup', 'db', 'dns', 'haproxy', 'hosts', 'inventory', 'lock', 'outline', 'outline keys', 'servers', 'users'];

const local: CommandPath[] = [
  { command: '--version', kind: 'success', label: 'version', group: 'local', inventory: 'none', json: false, expect: ok },
  { command: '--help', kind: 'success', label: 'root help', ci: true, group: 'local', inventory: 'none', json: false, expect: ok },
  ...TOPICS.map((t): CommandPath => ({ command: `topic ${t}`, kind: 'success', label: 'topic help', group: 'local', inventory: 'none', json: false, expect: ok })),
  { command: 'topic backup', kind: 'failure', label: 'unknown command in a topic', ci: true, group: 'local', inventory: 'none', json: false, args: () => ['bogus'], expect: [2, 127] },
  { command: 'inventory check', kind: 'success', label: 'valid', group: 'local', expect: ok },
  { command: 'inventory check', kind: 'failure', label: 'invalid inventory', ci: true, group: 'local', inventory: 'broken', expect: [3] },
  { command: 'servers list', kind: 'success', label: 'all', ci: true, group: 'local', expect: ok },
  { command: 'servers list', kind: 'failure', label: 'bad flag value', group: 'local', args: () => ['--state', 'bogus'], expect: [2] },
  { command: 'servers show', kind: 'success', label: 'a server', group: 'local', args: () => ['lkw1'], expect: ok },
  { command: 'servers show', kind: 'failure', label: 'no such server', ci: true, group: 'local', args: () => ['nope'], expect: [3] },
  { command: 'servers add', kind: 'success', label: 'dry run', ci: true, group: 'local', args: (p) => [`lkn${p.n}`, '--ip', `192.0.2.${10 + p.n}`, '--roles', 'marzban', '--provider', 'p', '--expires', '2031-01-31', '--dry-run'], expect: ok },
  { command: 'servers add', kind: 'failure', label: 'bad address', group: 'local', args: (p) => [`lkn${p.n}`, '--ip', '203.0.113.999', '--roles', 'marzban', '--provider', 'p', '--expires', '2031-01-31', '--yes'], expect: [2, 3] },
  { command: 'servers set', kind: 'success', label: 'write notes', ci: true, group: 'local', args: (p) => ['lkb9', '--notes', `pass ${p.n}`, '--yes'], expect: ok },
  { command: 'servers set', kind: 'failure', label: 'no such server', group: 'local', args: () => ['nope', '--notes', 'x', '--yes'], expect: [3] },
  { command: 'servers remove', kind: 'success', label: 'dry run', group: 'local', args: () => ['lkb9', '--dry-run'], expect: ok },
  { command: 'servers remove', kind: 'failure', label: 'not confirmed (no terminal)', ci: true, group: 'local', args: () => ['lkb9'], expect: [4] },
  { command: 'renew', kind: 'success', label: 'dry run', ci: true, group: 'local', args: () => ['lkw1', '--months', '1', '--dry-run'], expect: ok },
  { command: 'renew', kind: 'failure', label: 'no period', group: 'local', args: () => ['lkw1'], expect: [2] },
  { command: 'costs', kind: 'success', label: 'report', group: 'local', expect: ok },
  { command: 'costs', kind: 'failure', label: 'bad flag', ci: true, group: 'local', args: () => ['--window', 'soon'], expect: [2] },
  { command: 'diagram', kind: 'success', label: 'to a file', ci: true, group: 'local', args: (p, w) => ['--out', out(w, `diagram${p.n}.mmd`)], outputs: (p, w) => [out(w, `diagram${p.n}.mmd`)], expect: ok },
  { command: 'diagram', kind: 'failure', label: 'unwritable output', group: 'local', args: () => ['--out', '/nonexistent-dir/x.mmd'], expect: [1, 3] },
  { command: 'expiring', kind: 'success', label: 'nothing due', group: 'local', args: () => ['--days', '14'], expect: ok },
  { command: 'expiring', kind: 'failure', label: 'bad flag', ci: true, group: 'local', args: () => ['--days', 'x'], expect: [3] },
  { command: 'init', kind: 'success', label: 'fresh folder', ci: true, group: 'local', inventory: 'none', before: (w, p) => void mkdirSync(out(w, `init${p.n}`), { recursive: true }), args: (p, w) => ['--yes', '--domain', 'example.net', '-i', join(out(w, `init${p.n}`), 'weclick.yaml')], expect: ok },
  { command: 'init', kind: 'failure', label: 'files exist', group: 'local', args: () => ['--yes', '--domain', 'example.net'], expect: [4] },
  { command: 'doctor', kind: 'success', label: 'security checks', ci: true, group: 'local', args: () => ['--security'], expect: ok },
  { command: 'doctor', kind: 'failure', label: 'security: an unpinned host', ci: true, group: 'local', inventory: 'ghost', args: () => ['--security'], expect: [1] },
  { command: 'backup keygen', kind: 'success', label: 'new identity', ci: true, group: 'local', args: (p, w) => ['--out', out(w, `key${p.n}.txt`)], expect: ok },
  { command: 'backup keygen', kind: 'failure', label: 'file exists', group: 'local', args: (_p, w) => ['--out', w.identityFile], expect: [3] },
  { command: 'backup list', kind: 'success', label: 'catalog', group: 'local', expect: ok },
  { command: 'backup list', kind: 'failure', label: 'bad flag', ci: true, group: 'local', args: () => ['--status', 'bogus'], expect: [2] },
];

const dns: CommandPath[] = [
  { command: 'doctor', kind: 'success', label: 'token and zone accepted', ci: true, group: 'dns', expect: ok },
  { command: 'doctor', kind: 'failure', label: 'Cloudflare refuses the token', ci: true, group: 'dns', env: (w) => ({ CLOUDFLARE_API_TOKEN: w.wrong.cloudflareToken }), expect: [1] },
  { command: 'dns sync', kind: 'failure', label: 'Cloudflare 429 on the batch', ci: true, group: 'dns', inventory: 'ghost', args: () => ['--yes'], before: (w) => w.cf.fail({ status: 429, retryAfter: 600 }, 1, { method: 'POST', pathIncludes: '/batch' }), expect: [1] },
  { command: 'dns sync', kind: 'success', label: 'creates records', ci: true, group: 'dns', inventory: 'ghost', args: () => ['--yes'], expect: ok },
  { command: 'dns plan', kind: 'success', label: 'shows deletes', ci: true, group: 'dns', expect: ok },
  { command: 'dns plan', kind: 'failure', label: 'Cloudflare 500, retried, then 429 too long', group: 'dns', before: (w) => (w.cf.fail({ status: 500 }, 1), w.cf.fail({ status: 429, retryAfter: 600 }, 1)), expect: [1] },
  { command: 'dns sync', kind: 'success', label: 'dry run', group: 'dns', args: () => ['--dry-run'], expect: ok },
  { command: 'dns sync', kind: 'success', label: 'deletes records', group: 'dns', args: () => ['--yes'], expect: ok },
  { command: 'dns sync', kind: 'failure', label: 'Cloudflare refuses the token', group: 'dns', args: () => ['--yes'], env: (w) => ({ CLOUDFLARE_API_TOKEN: w.wrong.cloudflareToken }), expect: [1] },
  { command: 'dns list', kind: 'success', label: 'after one 500 (retried)', ci: true, group: 'dns', before: (w) => w.cf.fail({ status: 500 }, 1), expect: ok },
  { command: 'dns list', kind: 'failure', label: 'Cloudflare refuses the token', ci: true, group: 'dns', env: (w) => ({ CLOUDFLARE_API_TOKEN: w.wrong.cloudflareToken }), expect: [1] },
];

const hostsOfWorld = 'lkdb,lkgo,lkw1,lkw2,lkb9,lkb8,lkol';
const fleetPaths: CommandPath[] = [
  { command: 'status', kind: 'success', label: 'every host', ci: true, group: 'fleet', args: () => ['--hosts', hostsOfWorld], expect: [0, 1] },
  { command: 'status', kind: 'failure', label: 'unreachable host', ci: true, group: 'fleet', inventory: 'ghost', args: () => ['--hosts', 'lkghost'], expect: [1] },
  { command: 'status', kind: 'failure', label: 'MySQL refuses the password', group: 'fleet', args: () => ['--hosts', 'lkw1'], env: wrongMysql, expect: [0, 1] },
  { command: 'run', kind: 'success', label: 'a command', ci: true, group: 'fleet', args: () => ['--hosts', 'lkb9,lkw1', '--', 'uname', '-s'], expect: ok },
  { command: 'run', kind: 'failure', label: 'the command fails', ci: true, group: 'fleet', args: () => ['--hosts', 'lkb9', '--shell', '--', 'echo failing >&2; exit 3'], expect: [1] },
  { command: 'run', kind: 'failure', label: 'unreachable host', group: 'fleet', inventory: 'ghost', args: () => ['--hosts', 'lkghost', '--', 'true'], expect: [1] },
  { command: 'hosts trust', kind: 'success', label: 'already trusted', group: 'fleet', args: () => ['lkw1', '--yes'], expect: ok },
  { command: 'hosts trust', kind: 'failure', label: 'unreachable host', ci: true, group: 'fleet', inventory: 'ghost', args: () => ['lkghost', '--yes'], expect: [1] },
  { command: 'lock status', kind: 'success', label: 'one host', ci: true, group: 'fleet', args: () => ['--hosts', 'lkb9'], expect: ok },
  { command: 'lock acquire', kind: 'success', label: 'one host', ci: true, group: 'fleet', args: (p) => ['--hosts', 'lkb9', '-m', `leak harness pass ${p.n}`], expect: ok },
  { command: 'lock release', kind: 'failure', label: 'not confirmed (no terminal)', group: 'fleet', args: () => ['--hosts', 'lkb9'], expect: [4] },
  { command: 'lock release', kind: 'success', label: 'one host', ci: true, group: 'fleet', args: () => ['--hosts', 'lkb9', '--yes'], expect: ok },
  { command: 'lock acquire', kind: 'failure', label: 'unreachable host', group: 'fleet', inventory: 'ghost', args: () => ['--hosts', 'lkghost'], expect: [1] },
  { command: 'lock status', kind: 'failure', label: 'unreachable host', group: 'fleet', inventory: 'ghost', args: () => ['--hosts', 'lkghost'], expect: [1] },
  { command: 'provision', kind: 'success', label: 'dry run, verbose', ci: true, group: 'fleet', args: () => ['lkdb', 'lkw1', 'lkw2', 'lkgo', 'lkol', '--dry-run', '--verbose'], expect: ok },
  // lkb8 is provisioned for real: first with /opt/marzban blocked by a plain file (a step fails on the host,
  // after others applied), then for real (every file, the worker's DB password and REALITY key among them).
  {
    command: 'provision', kind: 'failure', label: 'a step fails on the host', ci: true, group: 'fleet', args: () => ['lkb8', '--yes'], expect: [1],
    before: () => {
      rmSync(optMarzban(), { recursive: true, force: true });
      writeFileSync(optMarzban(), 'in the way\n');
    },
    after: () => rmSync(optMarzban(), { recursive: true, force: true }),
  },
  { command: 'provision', kind: 'success', label: 'a worker, applied', ci: true, group: 'fleet', args: () => ['lkb8', '--yes'], expect: ok },
  { command: 'provision', kind: 'failure', label: 'a worker without its MySQL account', group: 'fleet', inventory: 'ghost', args: () => ['lkgw', '--dry-run'], expect: [3] },
  { command: 'provision', kind: 'failure', label: 'unreachable host', ci: true, group: 'fleet', inventory: 'ghost', args: () => ['lkghost', '--dry-run'], expect: [1] },
  { command: 'haproxy status', kind: 'success', label: 'runtime API', ci: true, group: 'fleet', expect: [0, 1] },
  { command: 'haproxy status', kind: 'failure', label: 'bad flag', group: 'fleet', args: () => ['--connect-timeout', 'x'], expect: [2] },
  { command: 'haproxy sync', kind: 'success', label: 'dry run', group: 'fleet', args: () => ['--dry-run'], expect: ok },
  { command: 'haproxy sync', kind: 'failure', label: 'not confirmed (no terminal)', ci: true, group: 'fleet', expect: [4] },
  { command: 'haproxy drain', kind: 'success', label: 'dry run', ci: true, group: 'fleet', args: () => ['lkw1', '--dry-run'], expect: [0, 1] },
  { command: 'haproxy drain', kind: 'failure', label: 'no such server', group: 'fleet', args: () => ['nope', '--yes'], expect: [3] },
  { command: 'haproxy ready', kind: 'success', label: 'dry run', group: 'fleet', args: () => ['lkw1', '--dry-run'], expect: [0, 1] },
  { command: 'haproxy ready', kind: 'failure', label: 'no such server', ci: true, group: 'fleet', args: () => ['nope', '--yes'], expect: [3] },
  { command: 'decommission', kind: 'success', label: 'dry run', ci: true, group: 'fleet', args: () => ['lkw2', '--dry-run'], expect: [0, 1] },
  { command: 'decommission', kind: 'failure', label: 'no such server', group: 'fleet', args: () => ['nope', '--yes'], expect: [3] },
  { command: 'replace', kind: 'success', label: 'a worker, plan only', ci: true, group: 'fleet', args: () => ['lkw2', '--with', 'lkb9', '--dry-run'], expect: ok },
  { command: 'replace', kind: 'failure', label: 'no such server', ci: true, group: 'fleet', args: () => ['nope', '--with', 'lkb9', '--dry-run'], expect: [3] },
];

const userVerbs: Array<[string, string[]]> = [
  ['users disable', []],
  ['users enable', []],
  ['users extend', ['--days', '3']],
  ['users set', ['--note', 'harness']],
  ['users reset-usage', []],
  ['users revoke-sub', []],
];

const users: CommandPath[] = [
  { command: 'db migrate', kind: 'success', label: 'already migrated', group: 'users', expect: ok },
  { command: 'db migrate', kind: 'failure', label: 'MySQL refuses the password', ci: true, group: 'users', env: wrongMysql, expect: [1] },
  { command: 'db grant', kind: 'success', label: 'repair an account', group: 'users', args: () => ['lkw1'], expect: ok },
  { command: 'db grant', kind: 'success', label: 'new account', ci: true, group: 'users', args: () => ['lkb9'], expect: ok },
  { command: 'db accounts', kind: 'success', label: 'every account in order', ci: true, group: 'users', expect: ok },
  { command: 'db accounts', kind: 'failure', label: 'MySQL unreachable', group: 'users', env: mysqlDown, expect: [1] },
  { command: 'db grant', kind: 'failure', label: 'no such server', group: 'users', args: () => ['nope'], expect: [3] },
  { command: 'db rotate', kind: 'success', label: 'new password', ci: true, group: 'users', args: () => ['lkb9'], expect: ok },
  { command: 'db rotate', kind: 'failure', label: 'MySQL refuses the password', group: 'users', args: () => ['lkb9'], env: wrongMysql, expect: [1] },
  { command: 'db revoke', kind: 'failure', label: 'not confirmed (no terminal)', group: 'users', args: () => ['lkb9'], expect: [4] },
  { command: 'db revoke', kind: 'success', label: 'drop the account', ci: true, group: 'users', args: () => ['lkb9', '--yes'], expect: ok },
  { command: 'users add', kind: 'success', label: 'new user, propagated', ci: true, group: 'users', args: (p) => [user(p), '--data-limit', '10GB', '--expire', '30d'], expect: ok },
  { command: 'users add', kind: 'failure', label: 'duplicate', group: 'users', args: (p) => [user(p)], expect: [3] },
  { command: 'users add', kind: 'failure', label: 'MySQL refuses the password', ci: true, group: 'users', args: (p) => [user(p, 'x')], env: wrongMysql, expect: [1] },
  { command: 'users list', kind: 'success', label: 'first page', group: 'users', expect: ok },
  { command: 'users list', kind: 'failure', label: 'MySQL unreachable', ci: true, group: 'users', env: mysqlDown, expect: [1] },
  { command: 'users show', kind: 'success', label: 'a user', ci: true, group: 'users', args: (p) => [user(p)], expect: ok },
  { command: 'users show', kind: 'failure', label: 'no such user', group: 'users', args: () => ['nobody_here'], expect: [3] },
  ...userVerbs.flatMap(([command, extra], i): CommandPath[] => [
    { command, kind: 'success', label: 'a user', ci: i % 2 === 0, group: 'users', args: (p) => [user(p), ...extra], expect: ok },
    { command, kind: 'failure', label: 'no such user', ci: i % 2 === 1, group: 'users', args: () => ['nobody_here', ...extra], expect: [3] },
  ]),
  { command: 'users usage', kind: 'success', label: 'top users', ci: true, group: 'users', args: () => ['--limit', '5'], expect: ok },
  { command: 'users usage', kind: 'failure', label: 'bad flag', group: 'users', args: () => ['--since', 'bogus'], expect: [2, 3] },
  {
    command: 'users import', kind: 'success', label: 'a CSV file', ci: true, group: 'users',
    before: (w, p) => writeFileSync(out(w, `import${p.n}.csv`), `username,data_limit,note\n${user(p, 'i')},1GB,imported\n${user(p, 'j')},,\n`),
    args: (p, w) => [out(w, `import${p.n}.csv`)], expect: ok,
  },
  {
    command: 'users import', kind: 'failure', label: 'bad rows', group: 'users',
    before: (w, p) => writeFileSync(out(w, `bad${p.n}.csv`), 'username,data_limit\nBad Name,1GB\nok_name,lots\n'),
    args: (p, w) => [out(w, `bad${p.n}.csv`)], expect: [3],
  },
  { command: 'users export', kind: 'success', label: 'CSV to stdout', group: 'users', expect: ok },
  { command: 'users export', kind: 'success', label: 'JSON to a file', ci: true, group: 'users', args: (p, w) => ['--format', 'json', '-o', out(w, `export${p.n}.json`)], outputs: (p, w) => [out(w, `export${p.n}.json`)], expect: ok },
  { command: 'users export', kind: 'failure', label: 'bad flag', group: 'users', args: () => ['--format', 'xml'], expect: [2] },
  { command: 'users sync', kind: 'success', label: 'nothing queued', ci: true, group: 'users', expect: ok },
  { command: 'users add', kind: 'failure', label: 'a worker unreachable (queued)', ci: true, group: 'users', inventory: 'ghost', args: (p) => [user(p, 'q')], expect: [0] },
  // The queue for lkgw (only in ghost.yaml) is emptied after, so the next pass starts clean.
  { command: 'users sync', kind: 'failure', label: 'a worker unreachable', ci: true, group: 'users', inventory: 'ghost', expect: [1], after: async (w) => void (await w.pool.query("DELETE FROM weclick_pending WHERE worker = 'lkgw'")) },
  { command: 'users delete', kind: 'failure', label: 'not confirmed (no terminal)', group: 'users', args: (p) => [user(p)], expect: [4] },
  { command: 'users delete', kind: 'success', label: 'a user', ci: true, group: 'users', args: (p) => [user(p), '--yes'], expect: ok },
];

const tgRefuses = (w: SecretsWorld) => ({ TELEGRAM_BOT_TOKEN: w.wrong.telegramToken });
const backup: CommandPath[] = [
  { command: 'backup now', kind: 'success', label: 'dump, encrypt, send', ci: true, group: 'backup', expect: ok },
  { command: 'backup now', kind: 'failure', label: 'Telegram refuses the token', ci: true, group: 'backup', env: tgRefuses, expect: [1, 3] },
  { command: 'backup now', kind: 'failure', label: 'Telegram 429 until weclick gives up', group: 'backup', before: (w) => w.tg.fail({ kind: 'rate-limit', retryAfter: 0 }, { method: 'sendDocument', times: 6 }), expect: [1] },
  { command: 'backup now', kind: 'failure', label: 'mysqldump refused (wrong password)', ci: true, group: 'backup', env: wrongMysql, expect: [1] },
  { command: 'backup list', kind: 'success', label: 'with failed ones', ci: true, group: 'backup', expect: ok },
  { command: 'backup verify', kind: 'success', label: 'latest', ci: true, group: 'backup', args: () => ['latest'], expect: ok },
  { command: 'backup verify', kind: 'failure', label: 'wrong identity', group: 'backup', args: (_p, w) => ['latest', '--identity', w.otherIdentityFile], expect: [3] },
  { command: 'backup restore', kind: 'success', label: 'into a new database', ci: true, group: 'backup', args: (p, w) => ['latest', '--database', `${w.database}_r${p.n}`, '--extract-files', out(w, `files${p.n}`)], outputs: (p, w) => [out(w, `files${p.n}`)], expect: ok },
  { command: 'backup restore', kind: 'success', label: 'dry run', group: 'backup', args: (p, w) => ['latest', '--database', `${w.database}_d${p.n}`, '--dry-run'], expect: ok },
  { command: 'backup restore', kind: 'failure', label: 'over the live database', ci: true, group: 'backup', args: () => ['latest'], expect: [4] },
  { command: 'backup restore', kind: 'failure', label: 'unknown backup', group: 'backup', args: () => ['20000101-000000-nope'], expect: [3] },
  { command: 'backup now', kind: 'success', label: 'with --verify', group: 'backup', args: () => ['--verify'], expect: ok },
  { command: 'backup prune', kind: 'success', label: 'dry run', group: 'backup', args: () => ['--dry-run'], expect: ok },
  { command: 'backup prune', kind: 'success', label: 'deletes old ones', ci: true, group: 'backup', args: () => ['--yes'], expect: ok },
  { command: 'backup prune', kind: 'failure', label: 'Telegram refuses the token', group: 'backup', args: () => ['--yes', '--keep-last', '1'], env: tgRefuses, expect: [1, 3] },
  { command: 'backup schedule', kind: 'success', label: 'dry run', ci: true, group: 'backup', args: () => ['--every', '6h', '--dry-run'], expect: ok },
  { command: 'backup schedule', kind: 'failure', label: 'bad interval', group: 'backup', args: () => ['--every', '1m'], expect: [2, 3] },
  { command: 'expiring', kind: 'success', label: '--notify to Telegram', ci: true, group: 'backup', args: () => ['--days', '3650', '--notify'], expect: [1] },
  { command: 'expiring', kind: 'failure', label: '--notify, Telegram refuses the token', ci: true, group: 'backup', args: () => ['--days', '3650', '--notify'], env: tgRefuses, expect: [1, 3] },
];

const keyId = (p: Pass) => p.state.outlineKey ?? 'missing';
const outline: CommandPath[] = [
  { command: 'outline keys list', kind: 'success', label: 'keys', group: 'outline', expect: ok },
  { command: 'outline keys add', kind: 'success', label: 'a key', ci: true, group: 'outline', args: (p) => [`leak${p.n}`, '--limit', '1GB'], after: (w, p) => void (p.state.outlineKey = [...w.outline.keys.values()].find((k) => k.name === `leak${p.n}`)?.id ?? 'missing'), expect: ok },
  { command: 'outline keys list', kind: 'success', label: 'with access URLs', group: 'outline', args: () => ['--urls'], expect: ok },
  { command: 'outline keys rename', kind: 'success', label: 'a key', ci: true, group: 'outline', args: (p) => [keyId(p), `leak${p.n}b`], expect: ok },
  { command: 'outline keys limit', kind: 'success', label: 'a key', group: 'outline', args: (p) => [keyId(p), '2GB'], expect: ok },
  { command: 'outline keys remove', kind: 'success', label: 'a key', ci: true, group: 'outline', args: (p) => [keyId(p), '--yes'], expect: ok },
  { command: 'outline keys list', kind: 'failure', label: 'certificate pin mismatch', ci: true, group: 'outline', inventory: 'ghost', args: () => ['--server', 'lkol2'], expect: [1] },
  { command: 'outline keys add', kind: 'failure', label: 'Outline unreachable', group: 'outline', inventory: 'ghost', args: () => ['x', '--server', 'lkol3'], expect: [1] },
  { command: 'outline keys rename', kind: 'failure', label: 'no such key', group: 'outline', args: () => ['99999', 'x'], expect: [3] },
  { command: 'outline keys limit', kind: 'failure', label: 'bad size', ci: true, group: 'outline', args: () => ['0', 'lots'], expect: [3] },
  { command: 'outline keys remove', kind: 'failure', label: 'no such key', group: 'outline', args: () => ['99999', '--yes'], expect: [3] },
];

export const COMMAND_PATHS: CommandPath[] = [...local, ...dns, ...fleetPaths, ...users, ...backup, ...outline];

/** The argv for a path: command words, its arguments, and -i unless it runs without an inventory. */
export function argvOf(path: CommandPath, p: Pass, w: SecretsWorld): string[] {
  const words = path.command.startsWith('topic ') ? path.command.slice(6).split(' ') : path.command.startsWith('--') ? [path.command] : path.command.split(' ');
  const args = path.args?.(p, w) ?? [];
  const inventory = path.inventory ?? 'main';
  const file = inventory === 'ghost' ? w.ghost : inventory === 'broken' ? w.broken : w.inventory;
  const separator = args.indexOf('--');
  // Flags of weclick go before a `--`, everything after it is the remote command.
  const withInventory = inventory === 'none' ? args : separator >= 0 ? [...args.slice(0, separator), '-i', file, ...args.slice(separator)] : [...args, '-i', file];
  return [...words, ...withInventory];
}
