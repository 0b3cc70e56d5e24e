import { stat } from 'node:fs/promises';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';

/** True when group or others have any permission on the file: secrets must be 0600 (or stricter). */
export function tooOpen(mode: number | undefined): boolean {
  return mode !== undefined && (mode & 0o077) !== 0;
}

export const modeString = (mode: number): string => (mode & 0o777).toString(8).padStart(4, '0');

/** The one line weclick says when it will not read a secret file, with the command that fixes it. */
export function tooOpenMessage(file: string, mode: number): string {
  return `${file} is readable by group or others (mode ${modeString(mode)}): run chmod 600 ${file}`;
}

/**
 * Refuses (exit 3) a secret file that group or others may read, as OpenSSH refuses such a private key.
 * A symlink is judged by the file it points to. An absent file passes: callers decide whether that matters.
 */
export async function assertPrivateFile(file: string): Promise<{ exists: boolean; mode?: number }> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false };
    throw error;
  }
  const mode = info.mode & 0o777;
  if (info.isFile() && tooOpen(mode)) throw new WeclickError(tooOpenMessage(file, mode), { exitCode: EXIT.badInput });
  return { exists: true, mode };
}
