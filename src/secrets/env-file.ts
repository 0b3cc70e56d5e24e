import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseEnv } from 'node:util';
import { registerSecret } from '../ui/redact.js';
import { SECRET_KEY_PATTERN } from './capabilities.js';

export interface EnvFile {
  path: string;
  exists: boolean;
  /** Permission bits, when the file exists. */
  mode?: number;
  values: Record<string, string>;
}

/** The .env beside the inventory. Secret values are registered for redaction as they are read. */
export async function loadEnvFile(inventoryFile: string): Promise<EnvFile> {
  const path = join(dirname(inventoryFile), '.env');
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const values = parseEnv(text) as Record<string, string>;
    for (const [key, value] of Object.entries(values)) if (SECRET_KEY_PATTERN.test(key)) registerSecret(value);
    return { path, exists: true, mode: info.mode & 0o777, values };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path, exists: false, values: {} };
    throw error;
  }
}

/** A setting from the environment first, then .env; secret ones are registered for redaction. */
export function setting(env: EnvFile, key: string, processEnv: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = processEnv[key] || env.values[key] || undefined;
  if (value && SECRET_KEY_PATTERN.test(key)) registerSecret(value);
  return value;
}

/** True when group or others may read the file: secrets must be 0600 (or stricter). */
export function tooOpen(mode: number | undefined): boolean {
  return mode !== undefined && (mode & 0o077) !== 0;
}
