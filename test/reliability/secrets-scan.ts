// The secrets-leak scanner (issue 9, item 1): for each known secret value, the forms a leak could take (as is,
// JSON-escaped, URL-encoded, base64 at any alignment, hex, and its first and last characters), and a search of
// any text for them. Pure, so test/unit-style checks below the harness can trust it.

export interface KnownSecret {
  /** Where the value comes from, e.g. `.env MYSQL_ADMIN_PASSWORD`. */
  name: string;
  value: string;
  /** The secret part when the value has a public prefix (a Telegram bot id, `AGE-SECRET-KEY-1`). */
  core?: string;
}

export interface Needle {
  secret: string;
  encoding: string;
  text: string;
  /** Compare case-insensitively (percent-encoding and hex may be either case). */
  caseless?: boolean;
}

export interface Leak {
  secret: string;
  encoding: string;
  sink: string;
  /** A little context around the find, with the secret itself masked so the report leaks nothing either. */
  context: string;
}

/** Long enough that a random match is out of the question, short enough to catch a truncated or partial leak. */
export const PARTIAL_CHARS = 10;

/** The middle of base64(secret) as it appears when the secret sits at any byte offset inside a larger blob. */
function base64Middles(value: string, alphabet: 'base64' | 'base64url'): string[] {
  const out: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset, 0x41), Buffer.from(value)]).toString(alphabet).replace(/=+$/, '');
    // Drop the first group (mixed with whatever precedes) and the last one (mixed with whatever follows).
    const middle = encoded.slice(offset === 0 ? 0 : 4, encoded.length - 4);
    if (middle.length >= 8) out.push(middle);
  }
  return out;
}

export function needlesFor(secret: KnownSecret): Needle[] {
  const { value, name } = secret;
  const core = secret.core ?? value;
  const needles: Needle[] = [{ secret: name, encoding: 'raw', text: value }];
  const add = (encoding: string, text: string, caseless = false) => {
    if (text.length >= 8 && !needles.some((n) => n.text === text)) needles.push({ secret: name, encoding, text, ...(caseless ? { caseless } : {}) });
  };
  add('json', JSON.stringify(value).slice(1, -1));
  add('url', encodeURIComponent(value), true);
  add('url-form', new URLSearchParams({ x: value }).toString().slice(2), true);
  for (const m of base64Middles(value, 'base64')) add('base64', m);
  for (const m of base64Middles(value, 'base64url')) add('base64url', m);
  add('hex', Buffer.from(value).toString('hex'), true);
  if (core.length >= PARTIAL_CHARS * 2) {
    add(`first ${PARTIAL_CHARS} chars`, core.slice(0, PARTIAL_CHARS));
    add(`last ${PARTIAL_CHARS} chars`, core.slice(-PARTIAL_CHARS));
  }
  return needles;
}

export function scan(sink: string, text: string, needles: Needle[]): Leak[] {
  if (!text) return [];
  const lower = text.toLowerCase();
  const leaks: Leak[] = [];
  for (const needle of needles) {
    const at = needle.caseless ? lower.indexOf(needle.text.toLowerCase()) : text.indexOf(needle.text);
    if (at < 0) continue;
    const context = `${text.slice(Math.max(0, at - 60), at)}<${needle.encoding} of ${needle.secret}>${text.slice(at + needle.text.length, at + needle.text.length + 60)}`;
    leaks.push({ secret: needle.secret, encoding: needle.encoding, sink, context: context.replace(/\s+/g, ' ') });
  }
  return leaks;
}
