import writeFileAtomic from 'write-file-atomic';

/**
 * Replaces a file so that a crash at any moment leaves either the old or the new content:
 * a temp file in the same folder, fsync, rename (write-file-atomic). Keeps the old file's mode
 * unless one is given.
 */
export async function writeFileAtomically(file: string, content: string, mode?: number): Promise<void> {
  await writeFileAtomic(file, content, { encoding: 'utf8', fsync: true, ...(mode === undefined ? {} : { mode }) });
}
