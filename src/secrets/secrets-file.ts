import { lstat, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { writeFileAtomically } from '../fs/atomic-write.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { registerSecret } from '../ui/redact.js';
import { tooOpen, tooOpenMessage } from './file-mode.js';

/** A generated MySQL account; the password exists nowhere else. */
export interface StoredAccount {
  user: string;
  host: string;
  password: string;
  /** When the password was set (ISO time). */
  setAt: string;
}

/** weclick.secrets.yaml: credentials weclick generated. Never committed; mode 0600. */
export interface Secrets {
  mysql?: { accounts?: Record<string, StoredAccount> };
}

export const SECRETS_FILE_NAME = 'weclick.secrets.yaml';

const HEADER = `# weclick secrets: credentials weclick generated (per-worker MySQL accounts).
# Keep this file beside the inventory, mode 0600, out of version control. weclick rewrites it whole.
`;

export function secretsFilePath(inventoryFile: string): string {
  return join(dirname(inventoryFile), SECRETS_FILE_NAME);
}

/**
 * Reads the secrets file (an absent file is empty). Refuses a file that group or others may read, naming the
 * chmod that fixes it, and registers every password for redaction.
 */
export async function readSecrets(file: string): Promise<Secrets> {
  let info;
  try {
    info = await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  if (!info.isFile()) throw new WeclickError(`${file} is not a regular file (a symlink?); refusing to read secrets from it`, { exitCode: EXIT.badInput });
  if (tooOpen(info.mode)) throw new WeclickError(tooOpenMessage(file, info.mode), { exitCode: EXIT.badInput });
  let data: unknown;
  try {
    data = parse(await readFile(file, 'utf8')) ?? {};
  } catch (error) {
    throw new WeclickError(`${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, { exitCode: EXIT.badInput });
  }
  if (typeof data !== 'object' || Array.isArray(data)) throw new WeclickError(`${file} must hold a YAML mapping`, { exitCode: EXIT.badInput });
  const secrets = data as Secrets;
  for (const account of Object.values(secrets.mysql?.accounts ?? {})) registerSecret(account?.password);
  return secrets;
}

/** Replaces the file atomically (temp file, fsync, rename), always with mode 0600. */
export async function writeSecrets(file: string, secrets: Secrets): Promise<void> {
  await writeFileAtomically(file, HEADER + stringify(secrets), 0o600);
}

/** Read, change, write back: the one way commands edit the file. */
export async function updateSecrets(file: string, change: (secrets: Secrets) => void): Promise<Secrets> {
  const secrets = await readSecrets(file);
  change(secrets);
  await writeSecrets(file, secrets);
  return secrets;
}
