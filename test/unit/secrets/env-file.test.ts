import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSecretKey } from '../../../src/secrets/capabilities.js';
import { loadEnvFile, setting } from '../../../src/secrets/env-file.js';
import { redact } from '../../../src/ui/redact.js';

const dir = mkdtempSync(join(tmpdir(), 'weclick-env-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('which settings are secret', () => {
  it('tokens, passwords, identities and keys are; *_FILE paths and plain settings are not', () => {
    for (const key of ['CLOUDFLARE_API_TOKEN', 'TELEGRAM_BOT_TOKEN', 'MYSQL_ADMIN_PASSWORD', 'BACKUP_AGE_IDENTITY', 'SOME_PRIVATE_THING', 'JWT_SECRET', 'AN_API_KEY']) expect(isSecretKey(key), key).toBe(true);
    for (const key of ['BACKUP_AGE_IDENTITY_FILE', 'MYSQL_TLS_CA', 'MYSQL_HOST', 'MYSQL_ADMIN_USER', 'TELEGRAM_API_ROOT', 'CLOUDFLARE_ZONE_ID']) expect(isSecretKey(key), key).toBe(false);
  });

  it('the path in BACKUP_AGE_IDENTITY_FILE stays readable in messages (it names the file to fix); the secrets are redacted', async () => {
    writeFileSync(join(dir, '.env'), 'BACKUP_AGE_IDENTITY_FILE=/keys/backup-identity.key\nMYSQL_ADMIN_PASSWORD=Pw-redact-me-0192\n', { mode: 0o600 });
    const env = await loadEnvFile(join(dir, 'weclick.yaml'));
    expect(setting(env, 'BACKUP_AGE_IDENTITY_FILE', {})).toBe('/keys/backup-identity.key');
    expect(redact('run chmod 600 /keys/backup-identity.key; password Pw-redact-me-0192')).toBe('run chmod 600 /keys/backup-identity.key; password [REDACTED]');
  });
});
