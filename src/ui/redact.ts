const secrets = new Set<string>();
const MIN_SECRET_LENGTH = 4;

/** Remembers a secret value so that nothing weclick prints can contain it. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

/** Replaces every known secret (and URL credentials) in text with [REDACTED]. */
export function redact(text: string): string {
  let out = text;
  // Longest first, so a secret containing another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join('[REDACTED]');
  // The user may be empty, as in redis://:password@host.
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]*:)[^@\s/]+@/gi, '$1[REDACTED]@');
}

/**
 * Deep-redacts strings (and keys) inside a JSON-able value. Works string by string: redacting the JSON text
 * would miss a secret JSON escapes (a " or \ in a password) and could break the JSON around one that looks
 * like a number.
 */
export function redactValue<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [redact(k), walk(x)]));
    return v;
  };
  return walk(JSON.parse(JSON.stringify(value) ?? 'null')) as T;
}
