/** Which secrets (names, never values) each capability reads from .env or the environment. */
export const CAPABILITIES = [
  { name: 'dns', purpose: 'weclick dns … (Cloudflare)', keys: ['CLOUDFLARE_API_TOKEN'] },
  { name: 'telegram', purpose: 'backups and alerts to Telegram', keys: ['TELEGRAM_BOT_TOKEN'] },
  { name: 'restore', purpose: 'weclick backup restore|verify (age identity)', keys: ['BACKUP_AGE_IDENTITY_FILE'] },
  { name: 'users', purpose: 'weclick users … and db … (central MySQL)', keys: ['MYSQL_ADMIN_USER', 'MYSQL_ADMIN_PASSWORD'] },
] as const;

/** Keys whose values are secret: redacted from every output. */
export const SECRET_KEY_PATTERN = /TOKEN|PASSWORD|SECRET|IDENTITY|PRIVATE|_KEY$/;

/**
 * Whether a setting's value is a secret. `*_FILE` settings (BACKUP_AGE_IDENTITY_FILE) hold a path to a secret,
 * not the secret: redacting the path would hide it from the very messages that name the file to fix.
 */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key) && !key.endsWith('_FILE');
}
