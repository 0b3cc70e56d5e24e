import { diffArrays } from 'diff';

/**
 * The yaml package keeps comments and key order but re-spaces some lines as it prints them
 * (the gap before a trailing comment, padding inside [flow, lists]). So that an edit's diff shows
 * only the edit, lines the edit did not touch are taken back verbatim from the original text.
 * `normalized` is the original as the yaml package prints it; it must line up 1:1 with `original`.
 */
export function keepOriginalLines(original: string, normalized: string, updated: string): string {
  const originalLines = original.split('\n');
  const normalizedLines = normalized.split('\n');
  if (originalLines.length !== normalizedLines.length) return updated;
  const out: string[] = [];
  let index = 0;
  for (const change of diffArrays(normalizedLines, updated.split('\n'))) {
    if (change.added) out.push(...change.value);
    else if (change.removed) index += change.value.length;
    else {
      out.push(...originalLines.slice(index, index + change.value.length));
      index += change.value.length;
    }
  }
  return out.join('\n');
}
