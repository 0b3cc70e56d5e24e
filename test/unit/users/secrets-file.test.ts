import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSecrets, secretsFilePath, updateSecrets, writeSecrets } from '../../../src/secrets/secrets-file.js';
import { redact } from '../../../src/ui/redact.js';

const dir = () => mkdtempSync(join(tmpdir(), 'weclick-secrets-'));

describe('weclick.secrets.yaml', () => {
  it('lives beside the inventory; absent means empty', async () => {
    const file = secretsFilePath(join(dir(), 'weclick.yaml'));
    expect(file.endsWith('/weclick.secrets.yaml')).toBe(true);
    expect(await readSecrets(file)).toEqual({});
  });

  it('is written atomically with mode 0600 and read back, passwords registered for redaction', async () => {
    const file = join(dir(), 'weclick.secrets.yaml');
    await updateSecrets(file, (s) => void (s.mysql = { accounts: { srv1: { user: 'mz_srv1', host: '192.0.2.11', password: 'Pw-unit-test-0123456789', setAt: '2026-01-01T00:00:00Z' } } }));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^# weclick secrets/);
    expect((await readSecrets(file)).mysql!.accounts!.srv1!.password).toBe('Pw-unit-test-0123456789');
    expect(redact('x Pw-unit-test-0123456789 y')).toBe('x [REDACTED] y');
    // A file made with a looser mode is tightened on the next write.
    chmodSync(file, 0o600);
    await writeSecrets(file, {});
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it.each([0o644, 0o640, 0o604])('refuses a file with mode %o, naming the chmod that fixes it', async (mode) => {
    const file = join(dir(), 'weclick.secrets.yaml');
    writeFileSync(file, 'mysql: {}\n');
    chmodSync(file, mode);
    await expect(readSecrets(file)).rejects.toThrow(`run chmod 600 ${file}`);
  });

  it('refuses YAML that is not a mapping', async () => {
    const file = join(dir(), 'weclick.secrets.yaml');
    writeFileSync(file, '- a\n- b\n', { mode: 0o600 });
    await expect(readSecrets(file)).rejects.toThrow(/mapping/);
  });
});
