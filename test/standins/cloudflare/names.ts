// DNS name handling: the API stores full, lower-case Punycode names.
import { domainToASCII } from 'node:url';

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Lower-case ASCII form of a host name, or null when it is not a valid DNS name. */
export function toAsciiHost(raw: string): string | null {
  const trimmed = raw.trim().replace(/\.$/, '');
  if (trimmed === '' || trimmed.length > 253) return null;
  const ascii = domainToASCII(trimmed);
  if (ascii === '' || ascii.length > 253) return null;
  const labels = ascii.split('.');
  const ok = labels.every((label, i) => (label === '*' && i === 0) || LABEL.test(label));
  return ok ? ascii : null;
}

/**
 * Full record name inside `zone`. Like the real API, `@` is the apex and a name that does not end in the zone
 * is taken as relative to it (`www` → `www.example.com`).
 */
export function recordName(raw: string, zone: string): string | null {
  const trimmed = raw.trim();
  if (trimmed === '@') return zone;
  const ascii = toAsciiHost(trimmed);
  if (ascii === null) return null;
  const full = ascii === zone || ascii.endsWith(`.${zone}`) ? ascii : `${ascii}.${zone}`;
  return full.length <= 253 ? full : null;
}
