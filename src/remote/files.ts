import { createHash, randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { unifiedDiff } from '../plan/file-diff.js';
import type { HostSession } from './session.js';
import { andThen, commandLine } from './shell.js';

export interface DesiredFile {
  path: string;
  content: string | Buffer;
  /** Octal mode, e.g. 0o600. */
  mode: number;
  owner?: string;
  group?: string;
  /** Content that must never be shown in a diff (secrets): the diff says only that it changes. */
  sensitive?: boolean;
}

export interface FileChange {
  path: string;
  changed: boolean;
  /** Unified diff of the content (dry runs and plans), or a note for sensitive files. */
  diff: string;
  reason: 'unchanged' | 'created' | 'content' | 'mode' | 'owner';
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const modeString = (mode: number) => mode.toString(8).padStart(4, '0');

/** One command that prints the remote file's sha256, mode and owner:group, or MISSING. */
export function statCommand(path: string): string {
  return `if [ -e ${commandLine([path])} ]; then ${commandLine(['sha256sum', path])} | cut -d' ' -f1; ${commandLine(['stat', '-c', '%a %U:%G', path])}; else echo MISSING; fi`;
}

/** Upload to a temp file in the same folder, set mode and owner, then rename over the target. */
export function installCommand(file: DesiredFile, tmp: string): string {
  const owner = file.owner ? `${file.owner}:${file.group ?? file.owner}` : undefined;
  return andThen(
    ['mkdir', '-p', dirname(file.path)],
    ['sh', '-c', 'umask 077 && cat > "$1"', 'sh', tmp],
    ['chmod', modeString(file.mode), tmp],
    ...(owner ? [['chown', owner, tmp]] : []),
    ['mv', '-f', tmp, file.path],
  );
}

/**
 * Makes a remote file hold `content` with `mode` (and owner), idempotently and atomically: the
 * remote sha256 is compared first, so an unchanged file is not rewritten; a changed one is written
 * to a temp file beside it and renamed, so readers see the old or the new file, never half of one.
 * With dryRun, nothing is written and the change is returned as a unified diff.
 */
export async function putFile(session: HostSession, file: DesiredFile, options: { dryRun?: boolean } = {}): Promise<FileChange> {
  const stat = await session.shell(statCommand(file.path), { sudo: true, timeoutMs: 30_000 });
  if (stat.code !== 0) throw new Error(`cannot read ${file.path}: ${stat.stderr.trim()}`);
  const [hash, modeOwner] = stat.stdout.trim().split('\n');
  const missing = hash === 'MISSING';
  const wantOwner = file.owner ? `${file.owner}:${file.group ?? file.owner}` : undefined;
  const [mode, owner] = (modeOwner ?? '').split(' ');
  const reason: FileChange['reason'] = missing
    ? 'created'
    : hash !== sha256(file.content)
      ? 'content'
      : Number.parseInt(mode ?? '', 8) !== file.mode
        ? 'mode'
        : wantOwner && owner !== wantOwner
          ? 'owner'
          : 'unchanged';
  if (reason === 'unchanged') return { path: file.path, changed: false, diff: '', reason };

  let diff = reason === 'mode' || reason === 'owner' ? `${file.path}: ${reason} → ${reason === 'mode' ? modeString(file.mode) : wantOwner}` : '';
  if (reason === 'created' || reason === 'content') {
    if (file.sensitive) diff = `${file.path}: ${reason === 'created' ? 'created' : 'content changes'} (sensitive, not shown)`;
    else {
      const before = missing ? '' : (await session.run(['cat', file.path], { sudo: true, timeoutMs: 30_000 })).stdout;
      diff = unifiedDiff(file.path, before, file.content.toString());
    }
  }
  if (options.dryRun) return { path: file.path, changed: true, diff, reason };

  const tmp = `${file.path}.weclick-${randomBytes(4).toString('hex')}`;
  const written = await session.shell(installCommand(file, tmp), { sudo: true, stdin: file.content, timeoutMs: 60_000 });
  if (written.code !== 0) {
    await session.run(['rm', '-f', tmp], { sudo: true, timeoutMs: 10_000 }).catch(() => undefined);
    throw new Error(`writing ${file.path} failed: ${written.stderr.trim() || `exit ${written.code}`}`);
  }
  return { path: file.path, changed: true, diff, reason };
}
