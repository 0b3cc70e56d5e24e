// Shapes shared by the Cloudflare DNS stand-in modules.

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'PTR'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** A DNS record as the stand-in keeps it. Objects are replaced, never mutated, so snapshots stay valid. */
export interface StoredRecord {
  id: string;
  name: string;
  type: RecordType;
  content: string;
  proxied: boolean;
  ttl: number;
  comment: string | null;
  tags: string[];
  settings: Record<string, boolean>;
  priority?: number;
  created_on: string;
  modified_on: string;
  comment_modified_on?: string;
  tags_modified_on?: string;
}

/** A record as the API returns it. */
export interface RecordResponse extends StoredRecord {
  proxiable: boolean;
  meta: Record<string, unknown>;
}

/** What tests may pass to `seed()`: the request fields, plus an optional fixed id. */
export interface SeedRecord {
  id?: string;
  name: string;
  type: string;
  content: string;
  ttl?: number;
  proxied?: boolean;
  comment?: string | null;
  tags?: string[];
  priority?: number;
  settings?: Record<string, boolean>;
}

export interface ZoneInfo {
  id: string;
  name: string;
  created_on: string;
}

export interface RequestLogEntry {
  method: string;
  /** Path below the base URL, e.g. `/zones/<id>/dns_records` (the full path if it is outside `/client/v4`). */
  path: string;
  /** Query parameters; a repeated key keeps its last value. */
  query: Record<string, string>;
  status: number;
  /** Parsed JSON request body, when there was one. */
  body?: unknown;
}

export type Fault =
  | { status: 429; retryAfter?: number }
  | { status: 500 | 502 | 503 }
  | { delayMs: number };

export interface FaultMatch {
  method?: string;
  pathIncludes?: string;
}

export interface StandinOptions {
  token: string;
  zones: Array<{ id?: string; name: string }>;
  /** Largest accepted batch (sum of deletes, patches, puts and posts). Free plan: 200. */
  maxBatch?: number;
}

export interface CloudflareStandin {
  /** Base URL, `http://127.0.0.1:<port>/client/v4`. */
  url: string;
  close(): Promise<void>;
  /** Id of a configured zone (generated at start unless given in the options). */
  zoneId(zoneName: string): string;
  /** Current records of a zone, in API response shape (copies). */
  records(zoneName: string): RecordResponse[];
  /** Inserts records directly, with the same validation as the API; returns them in response shape. */
  seed(zoneName: string, records: SeedRecord[]): RecordResponse[];
  /** Every request received, in order. */
  readonly requests: RequestLogEntry[];
  resetLog(): void;
  /** Makes the next `times` matching requests fail or stall. */
  fail(next: Fault, times?: number, match?: FaultMatch): void;
}
