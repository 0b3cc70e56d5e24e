import { diffArrays } from 'diff';

/**
 * The yaml package keeps comments and key order but re-spaces some lines as it prints them
 * (the gap before a trailing comment, padding inside [flow, lists]), and drops or adds some
 * (a second blank line, the last line break). So that an edit's diff shows only the edit, lines the
 * edit did not touch are taken back verbatim from the original text.
 * `normalized` is the original as the yaml package prints it, `updated` the edited document printed
 * the same way. When an edit touches a line that cannot be traced back to the original, `updated`
 * is returned as it is: correct, only less faithful to the original's layout.
 */
export function keepOriginalLines(original: string, normalized: string, updated: string): string {
  // The yaml package prints \n; a file written with \r\n keeps its line endings on the lines an edit adds.
  const crlf = original.includes('\r\n');
  const asPrinted = () => (crlf ? updated.replace(/\r?\n/g, '\r\n') : updated);
  const withEol = (line: string) => (crlf && !line.endsWith('\r') ? `${line}\r` : line);
  const originalLines = original.split('\n');
  const normalizedLines = normalized.split('\n');
  const from = sourceLines(originalLines, normalizedLines);
  // A line the yaml package printed differently (not only re-spaced): its original text is somewhere near.
  const untraced = (index: number) => from[index] === undefined && normalizedLines[index]!.trim() !== '';

  const out: string[] = [];
  let next = 0; // the first original line not yet copied or dropped
  let lastOriginalAt: number | undefined; // where the original's last line, the one with no line break, went
  const copyUpTo = (end: number) => {
    for (let i = next; i < end; i++) {
      if (i === originalLines.length - 1) lastOriginalAt = out.length;
      out.push(originalLines[i]!);
    }
    next = Math.max(next, end);
  };
  let index = 0;
  for (const change of diffArrays(normalizedLines, updated.split('\n'))) {
    if (change.added) {
      if (index > 0 && untraced(index - 1)) return asPrinted();
      out.push(...change.value.map(withEol));
      continue;
    }
    for (let i = 0; i < change.value.length; i++, index++) {
      const source = from[index];
      if (source === undefined) {
        // A blank line the yaml package added has nothing to keep or remove; other untraced lines cannot be edited here.
        if (change.removed && untraced(index)) return asPrinted();
        continue;
      }
      if (!change.removed) copyUpTo(source + 1);
      else {
        // Lines of the original inside a removed block go with it; those before it stay.
        if (i === 0) copyUpTo(source);
        next = source + 1;
      }
    }
  }
  copyUpTo(originalLines.length);
  // Lines added after the original's last line give it a line break.
  if (lastOriginalAt !== undefined && lastOriginalAt < out.length - 1) out[lastOriginalAt] = withEol(out[lastOriginalAt]!);
  const text = out.join('\n');
  // The last line has no line break after it: a \r added to it above does not belong there.
  return crlf && text.endsWith('\r') && !original.endsWith('\r') ? text.slice(0, -1) : text;
}

/** For each normalized line, the index of the original line it was printed from (the same line, maybe re-spaced). */
function sourceLines(original: string[], normalized: string[]): Array<number | undefined> {
  const from = new Array<number | undefined>(normalized.length);
  const sameButSpacing = (a: string, b: string) => a.replace(/\s+/g, '') === b.replace(/\s+/g, '');
  let o = 0;
  let n = 0;
  for (const change of diffArrays(original, normalized, { comparator: sameButSpacing })) {
    if (change.removed) o += change.value.length;
    else if (change.added) n += change.value.length;
    else for (let i = 0; i < change.value.length; i++) from[n++] = o++;
  }
  return from;
}
