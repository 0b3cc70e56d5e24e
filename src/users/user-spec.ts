import { randomBytes, randomUUID } from 'node:crypto';
import { PROXY_TYPES, RESET_STRATEGIES, type ProxyType, type ResetStrategy } from './schema.js';
import { InputError, parseDuration, parseExpire, parseSize } from './units.js';

/**
 * Stricter than Marzban on purpose. Marzban's validator also lets '-', '@' and '.' through, and its lookahead
 * bounds only the first run of word characters (so a 60-character name passes into a VARCHAR(34)). On MySQL the
 * column is utf8mb4_bin, so 'Alice' and 'alice' would be two users there and one on SQLite. And the name travels:
 * into Xray's client email "<id>.<username>" (Marzban splits on the first dot), subscription URLs, CSV files
 * and remote command lines. Lowercase letters, digits and '_' are safe in every one of those places.
 */
export const USERNAME_PATTERN = /^[a-z0-9_]{3,32}$/;

export function checkUsername(name: string): string {
  if (!USERNAME_PATTERN.test(name)) {
    throw new InputError(`username '${printable(name)}' must be 3-32 characters of a-z, 0-9 and _ (^[a-z0-9_]{3,32}$)`);
  }
  return name;
}

export const PROTOCOL_NAMES: Record<string, ProxyType> = { vmess: 'VMess', vless: 'VLESS', trojan: 'Trojan', shadowsocks: 'Shadowsocks' };
export const DEFAULT_PROTOCOLS: ProxyType[] = [...PROXY_TYPES];

/** "vless,vmess" → ['VLESS', 'VMess'] (the enum names Marzban stores). */
export function parseProtocols(text: string): ProxyType[] {
  const names = text.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  if (names.length === 0) throw new InputError('--protocols needs at least one of vless, vmess, trojan, shadowsocks');
  const out: ProxyType[] = [];
  for (const name of names) {
    const type = PROTOCOL_NAMES[name];
    if (!type) throw new InputError(`unknown protocol '${printable(name)}': use vless, vmess, trojan or shadowsocks`);
    if (!out.includes(type)) out.push(type);
  }
  return out;
}

export function parseReset(text: string): ResetStrategy {
  const value = text.trim().toLowerCase();
  if (!(RESET_STRATEGIES as readonly string[]).includes(value)) throw new InputError(`reset '${printable(text)}' must be one of ${RESET_STRATEGIES.join(', ')}`);
  return value as ResetStrategy;
}

export function checkNote(note: string): string {
  if (note.length > 500) throw new InputError(`note is ${note.length} characters; Marzban keeps at most 500`);
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(note)) throw new InputError('note must not contain control characters');
  return note;
}

/** A new user as the operator asked for it, checked and converted to what Marzban stores. */
export interface UserSpec {
  username: string;
  dataLimit: number | null;
  /** Unix seconds; null = never. */
  expire: number | null;
  protocols: ProxyType[];
  reset: ResetStrategy;
  /** Seconds the account stays on hold before its clock starts (status on_hold). */
  onHold: number | null;
  note: string | null;
  admin: string | null;
}

/** The raw text fields of one user, from flags or one import row. */
export interface UserFields {
  username?: string;
  dataLimit?: string;
  expire?: string;
  protocols?: string;
  reset?: string;
  onHold?: string;
  note?: string;
  admin?: string;
}

/** Checks every field and returns the spec, or throws one InputError naming every problem found. */
export function userSpec(fields: UserFields, nowSeconds: number): UserSpec {
  const problems: string[] = [];
  const attempt = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(error.message);
      return fallback;
    }
  };
  const blank = (v: string | undefined) => v === undefined || v.trim() === '';
  const username = attempt(() => checkUsername(fields.username ?? ''), '');
  const dataLimit = blank(fields.dataLimit) ? null : attempt(() => parseSize(fields.dataLimit!), null);
  const expire = blank(fields.expire) ? null : attempt(() => parseExpire(fields.expire!, nowSeconds), null);
  const protocols = blank(fields.protocols) ? DEFAULT_PROTOCOLS : attempt(() => parseProtocols(fields.protocols!), DEFAULT_PROTOCOLS);
  const reset = blank(fields.reset) ? 'no_reset' : attempt(() => parseReset(fields.reset!), 'no_reset' as ResetStrategy);
  const onHold = blank(fields.onHold) ? null : attempt(() => parseDuration(fields.onHold!), null);
  const note = blank(fields.note) ? null : attempt(() => checkNote(fields.note!), null);
  const admin = blank(fields.admin) ? null : attempt(() => checkAdminName(fields.admin!.trim()), null);
  if (!blank(fields.onHold) && !blank(fields.expire)) problems.push('on-hold and expire exclude each other: an on-hold user gets its expiry when it first connects');
  if (problems.length > 0) throw new InputError(problems.join('; '));
  return { username, dataLimit, expire, protocols, reset, onHold, note, admin };
}

function checkAdminName(name: string): string {
  if (!/^[A-Za-z0-9_.@-]{1,34}$/.test(name)) throw new InputError(`admin '${printable(name)}' is not a Marzban admin name`);
  return name;
}

/** Fresh credentials per protocol, shaped as Marzban's ProxySettings.dict(no_obj=True) stores them. */
export function newProxySettings(type: ProxyType): Record<string, string> {
  switch (type) {
    case 'VMess':
      return { id: randomUUID() };
    case 'VLESS':
      return { id: randomUUID(), flow: '' };
    case 'Trojan':
      return { password: randomSecret(), flow: '' };
    case 'Shadowsocks':
      return { password: randomSecret(), method: 'chacha20-ietf-poly1305' };
  }
}

/** 128 random bits, URL-safe (a share link carries it). */
export function randomSecret(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

/** Shows a bad value safely in a message: control characters escaped, long values cut. */
export function printable(value: string): string {
  const shown = JSON.stringify(value).slice(1, -1);
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}
