import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseEnv } from 'node:util';
import { registerSecret } from '../ui/redact.js';
import { isSecretKey } from './capabilities.js';
import { assertPrivateFile, tooOpen } from './file-mode.js';

export { tooOpen };

export interface EnvFile {
  path: string;
  exists: boolean;
  /** Permission bits, when the file exists. */
  mode?: number;
  values: Record<string, string>;
}

/**
 * The .env beside the inventory. Refuses (exit 3, naming `chmod 600`) a file that group or others may read,
 * unless `allowOpen` (doctor reads it to report exactly that). Secret values are registered for redaction as
 * they are read.
 */
export async function loadEnvFile(inventoryFile: string, options: { allowOpen?: boolean } = {}): Promise<EnvFile> {
  const path = join(dirname(inventoryFile), '.env');
  try {
    const { exists, mode } = options.allowOpen ? await modeOf(path) : await assertPrivateFile(path);
    if (!exists) return { path, exists: false, values: {} };
    const values = parseEnv(await readFile(path, 'utf8')) as Record<string, string>;
    for (const [key, value] of Object.entries(values)) if (isSecretKey(key)) registerSecret(value);
    return { path, exists: true, ...(mode !== undefined ? { mode } : {}), values };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path, exists: false, values: {} };
    throw error;
  }
}

async function modeOf(path: string): Promise<{ exists: boolean; mode?: number }> {
  try {
    return { exists: true, mode: (await stat(path)).mode & 0o777 };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false };
    throw error;
  }
}

/** A setting from the environment first, then .env; secret ones are registered for redaction. */
export function setting(env: EnvFile, key: string, processEnv: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = processEnv[key] || env.values[key] || undefined;
  if (value && isSecretKey(key)) registerSecret(value);
  return value;
}
