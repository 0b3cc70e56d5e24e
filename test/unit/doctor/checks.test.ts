import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandHome, runDoctorChecks, type Check } from '../../../src/doctor/checks.js';
import { loadInventory } from '../../../src/inventory/load.js';
import { CAPABILITIES } from '../../../src/secrets/capabilities.js';
import { loadEnvFile } from '../../../src/secrets/env-file.js';

const EXAMPLE = readFileSync(new URL('../../../inventory.example.yaml', import.meta.url), 'utf8');
const base = mkdtempSync(join(tmpdir(), 'weclick-doctor-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let count = 0;
/** A fresh folder with weclick.yaml (the example unless given) and, when `env` is given, a .env with that mode. */
function setup(options: { inventory?: string; env?: string; mode?: number } = {}): { dir: string; inventory: string } {
  const dir = join(base, `case-${++count}`);
  mkdirSync(dir);
  const inventory = join(dir, 'weclick.yaml');
  writeFileSync(inventory, options.inventory ?? EXAMPLE);
  if (options.env !== undefined) {
    writeFileSync(join(dir, '.env'), options.env);
    chmodSync(join(dir, '.env'), options.mode ?? 0o600);
  }
  return { dir, inventory };
}

async function doctor(inventory: string, processEnv: NodeJS.ProcessEnv = {}): Promise<Check[]> {
  const [loaded, env] = await Promise.all([loadInventory(inventory), loadEnvFile(inventory, { allowOpen: true })]);
  return runDoctorChecks(loaded, env, processEnv);
}

const byArea = (checks: Check[], area: string) => checks.filter((c) => c.area === area);
const allText = (checks: Check[]) => checks.map((c) => `${c.area} ${c.status} ${c.detail} ${c.fix ?? ''}`).join('\n');

// Values long and odd enough that finding one in the output cannot be a coincidence.
const SECRETS = {
  CLOUDFLARE_API_TOKEN: 'cf-tok-8f3kq2m1z9x7w4v6',
  TELEGRAM_BOT_TOKEN: '123456:AAE-tg-secret-value-xyz',
  BACKUP_AGE_IDENTITY_FILE: '/secret/place/age-identity.key',
  MYSQL_ADMIN_USER: 'weclick_admin_user_name',
  MYSQL_ADMIN_PASSWORD: 'p@ss"w\\rd-with-odd-chars',
};
const envText = (values: Record<string, string>) => Object.entries(values).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n';

describe('the .env file', () => {
  it('mode 0644 fails, with `chmod 600` as the fix', async () => {
    const { dir, inventory } = setup({ env: envText(SECRETS), mode: 0o644 });
    const [secrets] = byArea(await doctor(inventory), 'secrets');
    expect(secrets).toMatchObject({ status: 'fail', fix: `chmod 600 ${join(dir, '.env')}` });
    expect(secrets!.detail).toContain('644');
  });

  it('any group or other bit fails; 0600 and 0400 pass', async () => {
    for (const mode of [0o640, 0o604, 0o660, 0o700 | 0o004]) {
      const { inventory } = setup({ env: envText(SECRETS), mode });
      expect(byArea(await doctor(inventory), 'secrets')[0]!.status, mode.toString(8)).toBe('fail');
    }
    for (const mode of [0o600, 0o400]) {
      const { inventory } = setup({ env: envText(SECRETS), mode });
      const [secrets] = byArea(await doctor(inventory), 'secrets');
      expect(secrets, mode.toString(8)).toMatchObject({ status: 'ok', detail: expect.stringContaining(mode.toString(8)) });
    }
  });

  it('a missing .env only warns: secrets may come from the environment', async () => {
    const { inventory } = setup();
    const [secrets] = byArea(await doctor(inventory), 'secrets');
    expect(secrets!.status).toBe('warn');
    expect(secrets!.fix).toMatch(/chmod 600/);
  });
});

describe('capabilities', () => {
  it('with every secret set, every capability is ok', async () => {
    const { inventory } = setup({ env: envText(SECRETS) });
    const checks = await doctor(inventory);
    for (const capability of CAPABILITIES) {
      expect(byArea(checks, `capability ${capability.name}`)).toEqual([expect.objectContaining({ status: 'ok' })]);
    }
  });

  it('missing keys warn, naming only the missing key names', async () => {
    const { dir, inventory } = setup({ env: envText({ CLOUDFLARE_API_TOKEN: SECRETS.CLOUDFLARE_API_TOKEN, MYSQL_ADMIN_USER: SECRETS.MYSQL_ADMIN_USER, TELEGRAM_BOT_TOKEN: '' }) });
    const checks = await doctor(inventory);
    expect(byArea(checks, 'capability dns')[0]!.status).toBe('ok');
    const telegram = byArea(checks, 'capability telegram')[0]!;
    expect(telegram).toMatchObject({ status: 'warn', fix: `add TELEGRAM_BOT_TOKEN to ${join(dir, '.env')}` });
    expect(telegram.detail).toMatch(/^TELEGRAM_BOT_TOKEN not set/);
    const users = byArea(checks, 'capability users')[0]!;
    expect(users.status).toBe('warn');
    expect(users.detail).toMatch(/^MYSQL_ADMIN_PASSWORD not set/);
    expect(users.detail).not.toContain('MYSQL_ADMIN_USER');
    expect(users.fix).toBe(`add MYSQL_ADMIN_PASSWORD to ${join(dir, '.env')}`);
  });

  it('a key set in the environment counts, and the environment wins over .env', async () => {
    const { inventory } = setup({ env: envText({}) });
    const checks = await doctor(inventory, { TELEGRAM_BOT_TOKEN: SECRETS.TELEGRAM_BOT_TOKEN });
    expect(byArea(checks, 'capability telegram')[0]!.status).toBe('ok');
    expect(byArea(checks, 'capability dns')[0]!.status).toBe('warn');
  });

  it('no secret value appears in any check, from .env or the environment', async () => {
    const { inventory } = setup({ env: envText(SECRETS), mode: 0o644 });
    const fromFile = await doctor(inventory);
    const fromEnv = await doctor(setup({ env: envText({}) }).inventory, { ...SECRETS });
    for (const checks of [fromFile, fromEnv]) {
      const text = `${allText(checks)}\n${JSON.stringify(checks)}`;
      for (const [key, value] of Object.entries(SECRETS)) {
        expect(text, key).not.toContain(value);
        expect(text, key).not.toContain(JSON.stringify(value).slice(1, -1));
      }
    }
  });
});

describe('the inventory and SSH keys', () => {
  it('an invalid inventory fails, pointing at `inventory check`', async () => {
    const { inventory } = setup({ inventory: EXAMPLE.replace('roles: [outline]', 'roles: [nope]'), env: envText(SECRETS) });
    const [check] = byArea(await doctor(inventory), 'inventory');
    expect(check).toMatchObject({ status: 'fail', detail: `${inventory}: 1 problem(s)`, fix: `weclick inventory check -i ${inventory}` });
  });

  it('a valid inventory is ok and counts its servers', async () => {
    const { inventory } = setup({ env: envText(SECRETS) });
    const [check] = byArea(await doctor(inventory), 'inventory');
    expect(check).toMatchObject({ status: 'ok', detail: `${inventory}: valid, 7 server(s)` });
  });

  it('no key file: ok with an ssh-agent, a warning without', async () => {
    const { inventory } = setup({ env: envText(SECRETS) });
    expect(byArea(await doctor(inventory, { SSH_AUTH_SOCK: '/tmp/agent.sock' }), 'ssh')).toEqual([expect.objectContaining({ status: 'ok' })]);
    expect(byArea(await doctor(inventory, {}), 'ssh')).toEqual([expect.objectContaining({ status: 'warn' })]);
  });

  it('a key file readable by others fails with `chmod 600`; a missing one fails; relative paths are beside the inventory', async () => {
    const withKeys = EXAMPLE.replace('    user: root\n', '    user: root\n    key: keys/fleet_ed25519\n').replace('    roles: [outline]\n', '    roles: [outline]\n    ssh: { key: keys/missing }\n');
    const { dir, inventory } = setup({ inventory: withKeys, env: envText(SECRETS) });
    mkdirSync(join(dir, 'keys'));
    const key = join(dir, 'keys', 'fleet_ed25519');
    writeFileSync(key, 'not really a key\n');
    chmodSync(key, 0o644);
    const ssh = byArea(await doctor(inventory), 'ssh');
    expect(ssh).toEqual(
      expect.arrayContaining([
        { area: 'ssh', status: 'fail', detail: `${key} is readable by group or others (mode 644)`, fix: `chmod 600 ${key}` },
        expect.objectContaining({ status: 'fail', detail: `${join(dir, 'keys', 'missing')} not found` }),
      ]),
    );
    expect(ssh).toHaveLength(2);
    chmodSync(key, 0o600);
    expect(byArea(await doctor(inventory), 'ssh').find((c) => c.detail.startsWith(key))).toMatchObject({ status: 'ok' });
  });

  it('expandHome expands ~ and ~/ only', () => {
    expect(expandHome('~')).toBe(homedir());
    expect(expandHome('~/.ssh/id')).toBe(join(homedir(), '.ssh/id'));
    expect(expandHome('~other/x')).toBe('~other/x');
    expect(expandHome('/abs/~/x')).toBe('/abs/~/x');
  });
});
