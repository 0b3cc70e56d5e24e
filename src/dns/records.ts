/** The record types weclick manages; everything else in a zone is someone else's unless it carries our marker. */
export type ManagedType = 'A' | 'AAAA';

/** What a record holds besides its name and type: the part a plan shows as before → after. */
export interface RecordValue {
  content: string;
  /** 1 means automatic. */
  ttl: number;
  proxied: boolean;
  comment: string | null;
}

/** A record the inventory asks for. */
export interface DesiredRecord {
  name: string;
  type: ManagedType;
  content: string;
  ttl: number;
  proxied: boolean;
  /** Why it exists, e.g. "server srv1", "entry name (proxy go)". */
  reasons: string[];
}

/** A record as it is in the zone (what the API lists). */
export interface ZoneRecord extends RecordValue {
  id: string;
  name: string;
  type: string;
}

/** Lower-case, without a trailing dot: how the API stores names. */
export function normalName(name: string): string {
  return name.trim().replace(/\.$/, '').toLowerCase();
}

/** IPv6 addresses have many spellings; the API keeps the compressed one, so compare that. */
export function normalContent(type: string, content: string): string {
  if (type !== 'AAAA') return type === 'A' ? content.trim() : content;
  try {
    return new URL(`http://[${content.trim()}]`).hostname.slice(1, -1);
  } catch {
    return content.trim().toLowerCase();
  }
}

export function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}
