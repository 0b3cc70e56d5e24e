import { isCalendarDate } from '../inventory/schema.js';

/** A bad value from the operator: the message says what was wrong and what is accepted. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

// Binary units, as Marzban's dashboard counts them (1 GB = 1024³ bytes), so "50GB" reads back as 50 GB there.
const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(b|[kmgtp](?:i?b)?)?$/i;
/** BIGINT holds more, but nobody means a limit past 1 EiB: it is a typo. */
const MAX_SIZE = 1024 ** 6;

/** "50GB", "1.5g", "500MiB", "1024" (bytes); "0", "unlimited", "none" → null (no limit). */
export function parseSize(text: string): number | null {
  const value = text.trim();
  if (/^(0|unlimited|none)$/i.test(value)) return null;
  const match = SIZE_PATTERN.exec(value);
  if (!match) throw new InputError(`'${text}' is not a size: write a number with a unit, e.g. 50GB, 1.5TB, 500MB (or 0 / unlimited)`);
  const unit = (match[2] ?? 'b').charAt(0).toLowerCase();
  const bytes = Math.round(Number(match[1]) * SIZE_UNITS[unit]!);
  if (bytes < 1) throw new InputError(`'${text}' is less than one byte`);
  if (bytes > MAX_SIZE) throw new InputError(`'${text}' is larger than 1 EiB`);
  return bytes;
}

/** 53687091200 → "50.0 GB"; null → "unlimited". */
export function formatSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || bytes === 0) return bytes === 0 ? '0 B' : 'unlimited';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return i === 0 ? `${value} B` : `${value.toFixed(1)} ${units[i]}`;
}

const DURATION_UNITS: Record<string, number> = { s: 1, min: 60, h: 3600, d: 86400, w: 7 * 86400, y: 365 * 86400 };
const DURATION_PART = /(\d+)\s*(s|min|h|d|w|y)/gy;

/** "30d", "12h", "2w", "1y", "1w3d", "90min" → seconds. A bare "m" is refused: minutes or months? */
export function parseDuration(text: string): number {
  const value = text.trim().toLowerCase();
  let total = 0;
  let end = 0;
  DURATION_PART.lastIndex = 0;
  for (let m = DURATION_PART.exec(value); m; m = DURATION_PART.exec(value)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    end = DURATION_PART.lastIndex;
  }
  if (value === '' || end !== value.length) throw new InputError(`'${text}' is not a duration: write e.g. 30d, 12h, 2w, 1y, 1w3d or 90min`);
  if (total <= 0) throw new InputError(`'${text}' is not a positive duration`);
  return total;
}

/** Marzban's users.expire is a signed 32-bit INT of unix seconds. */
export const MAX_EXPIRE = 2 ** 31 - 1;

/**
 * --expire: a duration from now ("30d"), a day ("2026-12-31", valid through 23:59:59 UTC that day), or an ISO
 * time; "never" / "0" → null. Never in the past, never past what users.expire can hold.
 */
export function parseExpire(text: string, nowSeconds: number): number | null {
  const value = text.trim();
  if (/^(0|never|none)$/i.test(value)) return null;
  let at: number;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    if (!isCalendarDate(value)) throw new InputError(`'${text}' is not a real calendar date`);
    const [y, m, d] = value.split('-').map(Number) as [number, number, number];
    at = Date.UTC(y, m - 1, d, 23, 59, 59) / 1000;
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const ms = Date.parse(value);
    if (Number.isNaN(ms) || !/(Z|[+-]\d{2}:?\d{2})$/.test(value)) throw new InputError(`'${text}' is not an ISO time with a zone, e.g. 2026-12-31T12:00:00Z`);
    at = Math.floor(ms / 1000);
  } else {
    try {
      at = nowSeconds + parseDuration(value);
    } catch {
      throw new InputError(`'${text}' is not an expiry: write a duration (30d, 12h, 1y), a day (2026-12-31) or never`);
    }
  }
  if (at <= nowSeconds) throw new InputError(`expiry ${moment(at, text)} is in the past`);
  if (at > MAX_EXPIRE) throw new InputError(`expiry ${moment(at, text)} is after 2038-01-19T03:14:07Z, the last moment Marzban's users.expire (INT) can hold`);
  return at;
}

/** Unix seconds as ISO text; beyond what a Date holds (100000000d from now), the operator's own words. */
function moment(seconds: number, text: string): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? `'${text}'` : date.toISOString();
}

/** Unix seconds → "2026-12-31 23:59 UTC"; null → "never". */
export function formatExpire(seconds: number | null | undefined): string {
  if (!seconds) return 'never';
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
