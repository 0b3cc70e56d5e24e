import { createTwoFilesPatch } from 'diff';

/** A unified diff of one file's old and new text, empty when nothing changes. */
export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  return createTwoFilesPatch(path, path, before, after, 'now', 'after', { context: 3 })
    .split('\n')
    .filter((line) => !/^=+$/.test(line)) // the "====" banner adds nothing
    .join('\n')
    .trimEnd();
}
