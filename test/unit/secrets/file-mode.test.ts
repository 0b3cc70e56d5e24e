import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadIdentities } from '../../../src/backup/settings.js';
import { loadEnvFile } from '../../../src/secrets/env-file.js';
import { assertPrivateFile, tooOpen, tooOpenMessage } from '../../../src/secrets/file-mode.js';
import { readSecrets } from '../../../src/secrets/secrets-file.js';
import { WeclickError } from '../../../src/ui/errors.js';

const base = mkdtempSync(join(tmpdir(), 'weclick-file-mode-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let count = 0;
function file(name: string, content: string, mode: number): string {
  const dir = join(base, `case-${++count}`);
  mkdirSync(dir);
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

const OPEN_MODES = [0o644, 0o640, 0o604, 0o660, 0o620, 0o602, 0o666, 0o700 | 0o040];
const PRIVATE_MODES = [0o600, 0o400, 0o700];

/** The refusal: exit 3, one line, naming the file, its mode and `chmod 600 FILE`. */
async function expectRefusal(promise: Promise<unknown>, path: string, mode: number): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(WeclickError);
  expect((error as WeclickError).exitCode).toBe(3);
  expect((error as WeclickError).message).toBe(`${path} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}): run chmod 600 ${path}`);
  expect((error as WeclickError).message).not.toContain('\n');
}

describe('tooOpen and the message', () => {
  it('any group or other bit is too open; owner-only modes are not', () => {
    for (const mode of OPEN_MODES) expect(tooOpen(mode), mode.toString(8)).toBe(true);
    for (const mode of PRIVATE_MODES) expect(tooOpen(mode), mode.toString(8)).toBe(false);
    expect(tooOpen(undefined)).toBe(false);
    expect(tooOpen(0o100644)).toBe(true); // st_mode with the file-type bits
  });

  it('names the file, the mode as four octal digits and the chmod that fixes it', () => {
    expect(tooOpenMessage('/srv/fleet/.env', 0o100640)).toBe('/srv/fleet/.env is readable by group or others (mode 0640): run chmod 600 /srv/fleet/.env');
  });
});

describe('assertPrivateFile', () => {
  it('passes 0600 (and an absent file), refuses anything group or others may read', async () => {
    for (const mode of PRIVATE_MODES) expect(await assertPrivateFile(file('s', 'x', mode))).toEqual({ exists: true, mode });
    expect(await assertPrivateFile(join(base, 'absent'))).toEqual({ exists: false });
    for (const mode of OPEN_MODES) {
      const path = file('s', 'x', mode);
      await expectRefusal(assertPrivateFile(path), path, mode);
    }
  });

  it('judges a symlink by the file it points to', async () => {
    const target = file('real', 'x', 0o644);
    const link = join(base, `link-${++count}`);
    symlinkSync(target, link);
    await expectRefusal(assertPrivateFile(link), link, 0o644);
  });
});

describe('every secret file weclick reads refuses to be read when too open', () => {
  it('.env: refused (exit 3, chmod 600 named) unless doctor asks to look at it anyway', async () => {
    const env = file('.env', 'MYSQL_ADMIN_PASSWORD=hunter2-but-longer\n', 0o644);
    const inventory = join(env, '..', 'weclick.yaml');
    await expectRefusal(loadEnvFile(inventory), env, 0o644);
    const seen = await loadEnvFile(inventory, { allowOpen: true });
    expect(seen).toMatchObject({ exists: true, mode: 0o644, values: { MYSQL_ADMIN_PASSWORD: 'hunter2-but-longer' } });
    chmodSync(env, 0o600);
    expect(await loadEnvFile(inventory)).toMatchObject({ exists: true, mode: 0o600 });
    expect(await loadEnvFile(join(base, 'nowhere', 'weclick.yaml'))).toMatchObject({ exists: false, values: {} });
  });

  it('weclick.secrets.yaml: refused when group- or world-readable', async () => {
    const secrets = file('weclick.secrets.yaml', 'mysql: {}\n', 0o640);
    await expectRefusal(readSecrets(secrets), secrets, 0o640);
  });

  it('the age identity (BACKUP_AGE_IDENTITY_FILE or --identity): refused when group- or world-readable', async () => {
    const identity = file('backup.key', 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQ\n', 0o644);
    const env = { path: join(base, '.env'), exists: false, values: {} };
    await expectRefusal(loadIdentities(env, identity, {}), identity, 0o644);
    await expectRefusal(loadIdentities({ ...env, values: { BACKUP_AGE_IDENTITY_FILE: identity } }, undefined, {}), identity, 0o644);
    chmodSync(identity, 0o600);
    expect((await loadIdentities(env, identity, {})).identities).toEqual(['AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQ']);
  });
});
