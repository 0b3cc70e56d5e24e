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
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:)[^@\s/]+@/gi, '$1[REDACTED]@');
}

/** Deep-redacts strings inside a JSON-able value. */
export function redactValue<T>(value: T): T {
  return JSON.parse(redact(JSON.stringify(value) ?? 'null')) as T;
}
