// Turning request bodies into validated record fields, and stored records into response objects.
import { isIPv4, isIPv6 } from 'node:net';
import { cfErrors } from './errors.js';
import { recordName, toAsciiHost } from './names.js';
import { RECORD_TYPES, type RecordResponse, type RecordType, type StoredRecord } from './types.js';

/** The user-settable part of a record, validated and normalised. */
export type RecordFields = Pick<
  StoredRecord,
  'name' | 'type' | 'content' | 'proxied' | 'ttl' | 'comment' | 'tags' | 'settings' | 'priority'
>;

const PROXIABLE = new Set<RecordType>(['A', 'AAAA', 'CNAME']);
const HOST_CONTENT = new Set<RecordType>(['CNAME', 'MX', 'NS', 'PTR']);
const SETTING_KEYS = ['ipv4_only', 'ipv6_only', 'flatten_cname'];
const COMMENT_MAX = 100; // Free plan

const DEFAULTS = { proxied: false, ttl: 1, comment: null, tags: [], settings: {} };

/**
 * Validates a create (POST), overwrite (PUT, `base` undefined) or partial update (PATCH, `base` = the current
 * record). Fields missing from a POST/PUT body take their defaults, as the real API does.
 */
export function recordFields(body: Record<string, unknown>, zone: string, base?: RecordFields): RecordFields {
  const type = pickType(body.type ?? base?.type);
  const name = body.name === undefined && base ? base.name : pickName(body.name, zone);
  const content = pickContent(type, body.content === undefined && base ? base.content : body.content);
  const ttl = pickTtl(body.ttl ?? base?.ttl ?? DEFAULTS.ttl);
  const proxied = pickBoolean('proxied', body.proxied ?? base?.proxied ?? DEFAULTS.proxied);
  if (proxied && !PROXIABLE.has(type)) throw cfErrors.notProxiable();
  const fields: RecordFields = {
    name,
    type,
    content,
    proxied,
    ttl: proxied ? 1 : ttl, // proxied records are always served with automatic TTL
    comment: pickComment(body.comment === undefined ? (base?.comment ?? DEFAULTS.comment) : body.comment),
    tags: pickTags(body.tags ?? base?.tags ?? DEFAULTS.tags),
    settings: pickSettings(body.settings ?? base?.settings ?? DEFAULTS.settings),
  };
  const priority = body.priority ?? (base?.type === type ? base.priority : undefined);
  if (type === 'MX') fields.priority = pickPriority(priority);
  return fields;
}

export function isProxiable(type: RecordType): boolean {
  return PROXIABLE.has(type);
}

/** Key under which two records count as identical (code 81058). */
export function identityKey(r: Pick<StoredRecord, 'type' | 'name' | 'content' | 'priority'>): string {
  const content = HOST_CONTENT.has(r.type) ? r.content.toLowerCase() : r.content;
  return `${r.type}\u0000${r.name}\u0000${content}\u0000${r.priority ?? ''}`;
}

export function toResponse(r: StoredRecord): RecordResponse {
  const out: RecordResponse = {
    id: r.id,
    name: r.name,
    type: r.type,
    content: r.content,
    proxiable: PROXIABLE.has(r.type),
    proxied: r.proxied,
    ttl: r.ttl,
    settings: { ...r.settings },
    meta: {},
    comment: r.comment, // real answers send null, not "", for records without a comment
    tags: [...r.tags],
    created_on: r.created_on,
    modified_on: r.modified_on,
  };
  if (r.priority !== undefined) out.priority = r.priority;
  if (r.comment_modified_on) out.comment_modified_on = r.comment_modified_on;
  if (r.tags_modified_on) out.tags_modified_on = r.tags_modified_on;
  return out;
}

function pickType(raw: unknown): RecordType {
  const type = typeof raw === 'string' ? raw.toUpperCase() : '';
  if (!(RECORD_TYPES as readonly string[]).includes(type)) {
    throw cfErrors.invalid(`unsupported or missing record type ${JSON.stringify(raw ?? null)}`);
  }
  return type as RecordType;
}

function pickName(raw: unknown, zone: string): string {
  const name = typeof raw === 'string' ? recordName(raw, zone) : null;
  if (name === null) throw cfErrors.invalidName();
  return name;
}

function pickContent(type: RecordType, raw: unknown): string {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (type === 'A') {
    if (!isIPv4(text)) throw cfErrors.invalidIPv4();
    return text;
  }
  if (type === 'AAAA') {
    if (!isIPv6(text)) throw cfErrors.invalidIPv6();
    return new URL(`http://[${text}]`).hostname.slice(1, -1); // canonical compressed form
  }
  if (HOST_CONTENT.has(type)) {
    const host = toAsciiHost(text);
    if (host === null || host.includes('*')) throw cfErrors.invalid(`content for ${type} record is invalid`);
    return host;
  }
  if (typeof raw !== 'string' || raw === '') throw cfErrors.invalid(`content for ${type} record is invalid`);
  return raw;
}

function pickTtl(raw: unknown): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw)) throw cfErrors.invalidTtl();
  if (raw !== 1 && (raw < 60 || raw > 86400)) throw cfErrors.invalidTtl();
  return raw;
}

function pickBoolean(field: string, raw: unknown): boolean {
  if (typeof raw !== 'boolean') throw cfErrors.invalid(`${field} must be a boolean`);
  return raw;
}

function pickComment(raw: unknown): string | null {
  if (raw === null || raw === '') return null;
  if (typeof raw !== 'string') throw cfErrors.invalid('comment must be a string');
  if (raw.length > COMMENT_MAX) throw cfErrors.commentTooLong();
  return raw;
}

function pickTags(raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.some((t) => typeof t !== 'string')) {
    throw cfErrors.invalid('tags must be an array of strings');
  }
  if (raw.length > 0) throw cfErrors.tagQuota(raw.length); // tags need a paid plan
  return [];
}

function pickSettings(raw: unknown): Record<string, boolean> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw cfErrors.invalid('settings must be an object');
  const out: Record<string, boolean> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!SETTING_KEYS.includes(key) || typeof value !== 'boolean') throw cfErrors.invalid(`unknown setting ${key}`);
    out[key] = value;
  }
  return out;
}

function pickPriority(raw: unknown): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > 65535) {
    throw cfErrors.invalid('MX records need a priority between 0 and 65535');
  }
  return raw;
}
