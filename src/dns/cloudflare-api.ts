// The Cloudflare SDK behind the few calls weclick makes. The SDK takes ~0.5 s to import, so it is loaded
// here, lazily, the first time a dns command connects; nothing else in the CLI pays for it.
import type Cloudflare from 'cloudflare';
import { setting, type EnvFile } from '../secrets/env-file.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import type { BatchBody } from './batch.js';
import { inZone, normalName, type ZoneRecord } from './records.js';
import { ApiCallError, withRetry, type ApiFailure, type RetryHooks } from './retry.js';

export const DEFAULT_API_BASE_URL = 'https://api.cloudflare.com/client/v4';
/** Records per list page: 1000 is inside every documented limit (the real maximum is unclear). */
export const PAGE_SIZE = 1000;
const MAX_PAGES = 10_000;

export interface CloudflareSettings {
  token: string;
  baseURL: string;
  /** CLOUDFLARE_ZONE_ID: skips the zone lookup (one request fewer per run). */
  zoneId?: string;
  /** Where the settings come from, for messages. */
  envPath: string;
}

export interface ZoneRef {
  id: string;
  name: string;
  /** True when the id came from CLOUDFLARE_ZONE_ID rather than a lookup. */
  fromSetting: boolean;
}

export interface ConnectOptions extends RetryHooks {
  /** Milliseconds per HTTP attempt. */
  timeoutMs?: number;
}

/** CLOUDFLARE_API_TOKEN, CLOUDFLARE_API_BASE_URL and CLOUDFLARE_ZONE_ID from the environment or the .env. */
export function cloudflareSettings(env: EnvFile, processEnv: NodeJS.ProcessEnv = process.env): CloudflareSettings {
  const token = setting(env, 'CLOUDFLARE_API_TOKEN', processEnv);
  if (!token) {
    throw new WeclickError(`CLOUDFLARE_API_TOKEN is not set: add a Cloudflare API token with Zone · DNS · Edit on the zone to ${env.path}`, { exitCode: EXIT.badInput });
  }
  const baseURL = (setting(env, 'CLOUDFLARE_API_BASE_URL', processEnv) ?? DEFAULT_API_BASE_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s]+$/.test(baseURL)) throw new WeclickError(`CLOUDFLARE_API_BASE_URL must be an http(s) URL, got '${baseURL}'`, { exitCode: EXIT.badInput });
  const zoneId = setting(env, 'CLOUDFLARE_ZONE_ID', processEnv);
  if (zoneId !== undefined && !/^[0-9a-f]{32}$/.test(zoneId)) throw new WeclickError(`CLOUDFLARE_ZONE_ID must be 32 hex digits, got '${zoneId}'`, { exitCode: EXIT.badInput });
  return { token, baseURL, zoneId, envPath: env.path };
}

export class CloudflareDns {
  /** HTTP calls made, retries included (for the summary and the benchmark). */
  requests = 0;

  private constructor(
    private readonly client: Cloudflare,
    readonly settings: CloudflareSettings,
    private readonly hooks: RetryHooks,
  ) {}

  static async connect(settings: CloudflareSettings, options: ConnectOptions = {}): Promise<CloudflareDns> {
    const { default: CloudflareClient } = await import('cloudflare');
    const client = new CloudflareClient({
      apiToken: settings.token,
      // Never pick up a global API key from the environment: the token is the one credential.
      apiKey: null,
      apiEmail: null,
      userServiceKey: null,
      baseURL: settings.baseURL,
      // Our own bounded retries (retry.ts): the SDK's would obey any Retry-After, however long.
      maxRetries: 0,
      timeout: options.timeoutMs ?? 30_000,
    });
    return new CloudflareDns(client, settings, options);
  }

  /** The zone's id: from CLOUDFLARE_ZONE_ID, or looked up by name (which also proves the token works). */
  async findZone(name: string): Promise<ZoneRef> {
    if (this.settings.zoneId) return { id: this.settings.zoneId, name, fromSetting: true };
    return this.lookupZone(name);
  }

  /** Always asks the API (doctor uses this even when CLOUDFLARE_ZONE_ID is set, to check it). */
  async lookupZone(name: string): Promise<ZoneRef> {
    const page = await this.call(`looking up zone ${name}`, () => this.client.zones.list({ name, per_page: 5 }));
    const zone = page.result.find((z) => normalName(z.name) === name);
    if (!zone) {
      throw new WeclickError(`zone ${name} not found in Cloudflare (or the token cannot see it): check fleet.cloudflare.zone and the token's zone resources`, {
        exitCode: EXIT.failed,
        data: { zoneNotFound: name },
      });
    }
    return { id: zone.id, name, fromSetting: false };
  }

  /** Every record of the zone, page by page; stops on the last page rather than asking for an empty one. */
  async listRecords(zone: ZoneRef): Promise<ZoneRecord[]> {
    const records: ZoneRecord[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const res = await this.call(`listing the records of ${zone.name}`, () => this.client.dns.records.list({ zone_id: zone.id, per_page: PAGE_SIZE, page }));
      for (const r of res.result) records.push({ id: r.id, name: normalName(r.name), type: r.type, content: String(r.content ?? ''), ttl: r.ttl, proxied: r.proxied ?? false, comment: r.comment ?? null });
      const info = res.result_info as { per_page?: number; total_pages?: number } | undefined; // the typings omit total_pages
      const perPage = info?.per_page ?? PAGE_SIZE;
      const lastPage = res.result.length === 0 || res.result.length < perPage || (info?.total_pages !== undefined && page >= info.total_pages);
      if (lastPage) {
        if (zone.fromSetting) checkZoneIdMatches(zone, records);
        return records;
      }
    }
    throw new WeclickError(`zone ${zone.name} has more than ${MAX_PAGES * PAGE_SIZE} records; refusing to read further`, { exitCode: EXIT.failed });
  }

  /** One all-or-nothing batch. */
  async batch(zone: ZoneRef, body: BatchBody): Promise<void> {
    const params: Record<string, unknown> = { zone_id: zone.id };
    if (body.deletes.length) params.deletes = body.deletes;
    if (body.patches.length) params.patches = body.patches;
    if (body.posts.length) params.posts = body.posts;
    await this.call(`applying a batch of ${body.changes.length} change(s)`, () => this.client.dns.records.batch(params as unknown as Cloudflare.DNS.RecordBatchParams));
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(() => {
        this.requests += 1;
        return request();
      }, this.hooks);
    } catch (error) {
      if (error instanceof ApiCallError) throw new WeclickError(describeFailure(error, what, this.settings), { exitCode: EXIT.failed, data: { cloudflare: failureData(error.failure) } });
      throw error;
    }
  }
}

/** One line an operator can act on; never the token (the SDK's messages do not carry it either). */
export function describeFailure(error: ApiCallError, what: string, settings: Pick<CloudflareSettings, 'baseURL' | 'envPath'>): string {
  const { failure, attempts, why } = error;
  const codes = 'errors' in failure && failure.errors.length > 0 ? ` (${failure.errors.map((e) => `${e.code}: ${e.message}`).join('; ')})` : '';
  switch (failure.kind) {
    case 'auth':
      return `Cloudflare refused the API token while ${what}${codes}: check CLOUDFLARE_API_TOKEN in ${settings.envPath} and its permissions (Zone · DNS · Edit)`;
    case 'rate-limited':
      return `Cloudflare rate limit (HTTP 429) while ${what}: ${why}; nothing more was sent, try again in a few minutes${codes}`;
    case 'server':
      return `Cloudflare answered HTTP ${failure.status} while ${what}${codes}; ${why}`;
    case 'network':
      return `cannot reach Cloudflare at ${settings.baseURL} while ${what}: ${failure.message}${attempts > 1 ? `; ${why}` : ''}`;
    case 'rejected':
      return `Cloudflare rejected the request (HTTP ${failure.status}) while ${what}${codes}`;
  }
}

function failureData(failure: ApiFailure): Record<string, unknown> {
  return { ...failure };
}

/** A wrong CLOUDFLARE_ZONE_ID would point weclick at another zone: its records give it away. */
function checkZoneIdMatches(zone: ZoneRef, records: ZoneRecord[]): void {
  const stranger = records.find((r) => !inZone(r.name, zone.name));
  if (stranger) {
    throw new WeclickError(`CLOUDFLARE_ZONE_ID is not the id of ${zone.name}: that zone holds ${stranger.name}; fix or remove CLOUDFLARE_ZONE_ID`, { exitCode: EXIT.badInput });
  }
}
