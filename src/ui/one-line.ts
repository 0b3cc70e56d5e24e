// Error text is printed on a terminal and kept in logs, and it often echoes what the operator (or a file) gave us.
// Every rejection is one line: oclif's multi-line parse errors are folded, and any newline, control or bidi
// character that came in with a value is shown as an escape, so a hostile value can neither add lines, move
// the cursor, colour the screen nor reverse the text around it.

// C0 and C1 controls, DEL, and the invisible format characters that hide or reorder text: bidi embeddings,
// overrides and isolates, LRM/RLM/ALM, zero-width space/joiners, word joiner, BOM.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex
const ANSI_SGR = /\u001b\[[0-9;]*m/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The text with every unsafe character written as an escape (\n, \t, \u202e ...). */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** What oclif's parser errors carry besides the message (see @oclif/core lib/parser/errors.js). */
export interface ParseErrorShape {
  message: string;
  parse?: unknown;
  oclif?: unknown;
  args?: Array<{ name?: string; description?: string }>;
}

/**
 * An error's message as one line. oclif writes its parser errors over several lines ("Parsing --x \n\t...",
 * "Missing 1 required arg:\nname  description", "The following error occurred:\n  ..."); those line breaks are
 * layout, not data, so they become separators. Every other line break came with a value and is escaped.
 */
export function oneLineMessage(error: ParseErrorShape): string {
  let text = error.message.replace(/\n\s*See more help with --help\s*$/, '');
  if (error.parse !== undefined || error.oclif !== undefined) text = foldParseError(text, error);
  return escapeUnsafe(text);
}

function foldParseError(text: string, error: ParseErrorShape): string {
  const parsing = /^Parsing (--\S+) \n\t/.exec(text);
  if (parsing) return `${parsing[1]}: ${text.slice(parsing[0].length)}`;
  const missing = /^Missing \d+ required args?/.exec(text);
  if (missing && Array.isArray(error.args)) {
    const names = error.args.map((a) => (a.description ? `${a.name} (${a.description})` : a.name)).join(', ');
    const multiple = /Note: (.+?) allows? multiple values/.exec(text);
    const hint = multiple ? `; ${multiple[1]} take${multiple[1]!.includes(',') ? '' : 's'} several values: give the arguments before ${multiple[1]!.includes(',') ? 'them' : 'it'}, or put -- before the arguments` : '';
    return `${missing[0]}: ${names}${hint}`;
  }
  const following = /^The following errors? occurred:\n/.exec(text);
  if (following) {
    return text
      .slice(following[0].length)
      .replace(ANSI_SGR, '')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .join('; ');
  }
  return text;
}
