import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { chown, open, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { processAlive as alive } from './process-alive.js';

/**
 * Replaces a file so that a crash at any moment leaves either the old or the new content: a temp file in the same
 * folder, fsync, rename, fsync of the folder. Keeps the old file's mode (and, as root, its owner) unless a mode is
 * given. A symlink is followed: its target is replaced.
 *
 * The temp file is `.NAME.weclick-HOST-PID-RANDOM.tmp`. A process killed mid-write (SIGKILL, power loss) cannot
 * remove its own; the next write of the same file does, once that process is gone, so nothing piles up beside the
 * inventory (and no stale copy of a secrets file lingers).
 */
export async function writeFileAtomically(file: string, content: string, mode?: number): Promise<void> {
  const target = await realpath(file).catch(() => file);
  const dir = dirname(target);
  const base = basename(target);
  const old = await stat(target).catch(() => undefined);
  const tmp = join(dir, tempName(base, hostname(), process.pid, randomBytes(4).toString('hex')));
  const handle = await open(tmp, 'wx', mode ?? (old ? old.mode & 0o7777 : 0o666));
  try {
    try {
      // open() applies the umask; an explicit or inherited mode is what the caller asked for.
      if (mode !== undefined || old) await handle.chmod(mode ?? old!.mode & 0o7777);
      if (old && process.getuid?.() === 0) await chown(tmp, old.uid, old.gid);
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await syncDir(dir);
  await removeDeadTemps(dir, base);
}

export function tempName(base: string, host: string, pid: number, random: string): string {
  return `.${base}.weclick-${host}-${pid}-${random}.tmp`;
}

/** Host and pid of the writer of a temp file of `base`, or undefined when the name is not one. */
export function parseTempName(name: string, base: string): { host: string; pid: number } | undefined {
  const prefix = `.${base}.weclick-`;
  if (!name.startsWith(prefix)) return undefined;
  const m = /^(.+)-(\d+)-[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length));
  return m ? { host: m[1]!, pid: Number(m[2]) } : undefined;
}

/** Temp files of `base` left by writers on this machine that no longer run. */
async function removeDeadTemps(dir: string, base: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const me = hostname();
  for (const name of names) {
    const writer = parseTempName(name, base);
    if (writer && writer.host === me && writer.pid !== process.pid && !alive(writer.pid)) await rm(join(dir, name), { force: true }).catch(() => undefined);
  }
}

/** So that the rename itself survives a power cut; not every file system lets a folder be opened for it. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}
