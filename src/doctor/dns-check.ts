import { CloudflareDns, cloudflareSettings, type ConnectOptions } from '../dns/cloudflare-api.js';
import { zoneOf } from '../dns/desired.js';
import type { LoadResult } from '../inventory/load.js';
import { setting, type EnvFile } from '../secrets/env-file.js';
import { WeclickError } from '../ui/errors.js';
import type { Check } from './checks.js';

/** Doctor waits less than a sync would: it is a quick look. */
const DOCTOR_RETRY = { maxAttempts: 3, maxRetryAfterSeconds: 10, baseDelayMs: 500, maxDelayMs: 2000 };

/**
 * Cloudflare: the token is accepted and the zone exists (one request, GET /zones?name=…). Loads the SDK only
 * when there is a token to check.
 */
export async function dnsChecks(loaded: LoadResult, env: EnvFile, processEnv: NodeJS.ProcessEnv = process.env, options: ConnectOptions = {}): Promise<Check[]> {
  if (!loaded.ok) return [{ area: 'cloudflare', status: 'warn', detail: 'not checked: the inventory is invalid' }];
  if (!setting(env, 'CLOUDFLARE_API_TOKEN', processEnv)) {
    return [{ area: 'cloudflare', status: 'warn', detail: 'not checked: CLOUDFLARE_API_TOKEN is not set', fix: `add CLOUDFLARE_API_TOKEN to ${env.path}` }];
  }
  const zoneName = zoneOf(loaded.inventory);
  try {
    const settings = cloudflareSettings(env, processEnv);
    const api = await CloudflareDns.connect(settings, { policy: DOCTOR_RETRY, timeoutMs: 10_000, ...options });
    const zone = await api.lookupZone(zoneName);
    const checks: Check[] = [
      { area: 'cloudflare token', status: 'ok', detail: `accepted by ${settings.baseURL}` },
      { area: 'cloudflare zone', status: 'ok', detail: `${zoneName} found (id ${zone.id})` },
    ];
    if (settings.zoneId && settings.zoneId !== zone.id) {
      checks.push({ area: 'cloudflare zone', status: 'fail', detail: `CLOUDFLARE_ZONE_ID ${settings.zoneId} is not the id of ${zoneName}`, fix: `set CLOUDFLARE_ZONE_ID=${zone.id} or remove it from ${env.path}` });
    }
    return checks;
  } catch (error) {
    if (!(error instanceof WeclickError)) throw error;
    const data = (error.data ?? {}) as { zoneNotFound?: string; cloudflare?: { kind?: string } };
    if (data.zoneNotFound) {
      return [
        { area: 'cloudflare token', status: 'ok', detail: 'accepted' },
        { area: 'cloudflare zone', status: 'fail', detail: error.message, fix: 'check fleet.cloudflare.zone, and that the token covers that zone' },
      ];
    }
    if (data.cloudflare?.kind === 'auth') {
      return [{ area: 'cloudflare token', status: 'fail', detail: error.message, fix: `create a token with Zone · DNS · Edit and put it in ${env.path} as CLOUDFLARE_API_TOKEN` }];
    }
    return [{ area: 'cloudflare', status: 'fail', detail: error.message }];
  }
}
