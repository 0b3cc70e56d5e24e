// Our own bounded retries for Cloudflare calls. The SDK runs with maxRetries: 0 because it obeys Retry-After
// without a cap (Retry-After: 300 would freeze a sync for five minutes).

export interface RetryPolicy {
  /** Tries per call, the first included. */
  maxAttempts: number;
  /** A 429 asking for a longer wait than this fails at once, with a clear error, instead of hanging. */
  maxRetryAfterSeconds: number;
  /** Backoff for 5xx, network errors and a 429 without Retry-After: base · 2ⁿ, capped, minus up to 25 % jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, maxRetryAfterSeconds: 60, baseDelayMs: 500, maxDelayMs: 8000 };

export interface ApiErrorItem {
  code: number;
  message: string;
}

/** What went wrong with one HTTP call, in the terms the retry decision and the error message need. */
export type ApiFailure =
  | { kind: 'rate-limited'; status: number; retryAfterSeconds?: number; errors: ApiErrorItem[] }
  | { kind: 'server'; status: number; errors: ApiErrorItem[] }
  | { kind: 'network'; message: string }
  | { kind: 'auth'; status: number; errors: ApiErrorItem[] }
  | { kind: 'rejected'; status: number; errors: ApiErrorItem[] };

// Authentication codes seen from Cloudflare: 9106/6003 missing or malformed header, 9109 invalid token,
// 1000 invalid token (/user/tokens/verify), 10000 authentication error (e.g. a token without access).
const AUTH_CODES = new Set([1000, 6003, 6111, 9103, 9106, 9109, 10000]);

/**
 * Reads an error thrown by the SDK (APIError and its subclasses, duck-typed so this module does not load the
 * SDK). Returns undefined for anything that is not an API or connection error: a bug, to be rethrown.
 */
export function classifyFailure(error: unknown): ApiFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as Error & { status?: unknown; headers?: { get(name: string): string | null }; errors?: unknown };
  if (typeof e.status !== 'number') {
    return /Connection|Timeout/i.test(e.constructor.name) || /connection|timed? ?out|fetch failed/i.test(e.message) ? { kind: 'network', message: e.message } : undefined;
  }
  const status = e.status;
  const errors = errorItems(e.errors);
  if (status === 429) return { kind: 'rate-limited', status, retryAfterSeconds: retryAfterSeconds(e.headers), errors };
  if (status >= 500) return { kind: 'server', status, errors };
  if (status === 401 || errors.some((item) => AUTH_CODES.has(item.code)) || (status === 403 && errors.length === 0)) return { kind: 'auth', status, errors };
  return { kind: 'rejected', status, errors };
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; why: string };

/** Whether to try again after `attempts` tries ended in `failure`, and after how long. */
export function retryDecision(failure: ApiFailure, attempts: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY, random: () => number = Math.random): RetryDecision {
  if (failure.kind === 'auth' || failure.kind === 'rejected') return { retry: false, why: 'not retryable' };
  const wait = failure.kind === 'rate-limited' ? failure.retryAfterSeconds : undefined;
  if (wait !== undefined && wait > policy.maxRetryAfterSeconds) {
    return { retry: false, why: `Cloudflare asked to wait ${wait} s (Retry-After), longer than weclick waits (${policy.maxRetryAfterSeconds} s)` };
  }
  if (attempts >= policy.maxAttempts) return { retry: false, why: `gave up after ${attempts} attempts` };
  if (wait !== undefined) return { retry: true, delayMs: Math.ceil(wait * 1000) };
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1));
  return { retry: true, delayMs: Math.round(backoff * (1 - 0.25 * random())) };
}

/** An API call that failed for good: the last failure, the number of tries and why weclick stopped. */
export class ApiCallError extends Error {
  constructor(
    readonly failure: ApiFailure,
    readonly attempts: number,
    readonly why: string,
  ) {
    super(`${failure.kind} after ${attempts} attempt(s): ${why}`);
    this.name = 'ApiCallError';
  }
}

export interface RetryHooks {
  policy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /** Told before each wait, e.g. to print "rate limited, retrying in 2 s". */
  onRetry?: (failure: ApiFailure, delayMs: number, attempt: number) => void;
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `call` until it succeeds or the policy says stop; then throws ApiCallError (or the original bug). */
export async function withRetry<T>(call: () => Promise<T>, hooks: RetryHooks = {}): Promise<T> {
  const policy = hooks.policy ?? DEFAULT_RETRY_POLICY;
  const sleep = hooks.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const failure = classifyFailure(error);
      if (!failure) throw error;
      const decision = retryDecision(failure, attempt, policy);
      if (!decision.retry) throw new ApiCallError(failure, attempt, decision.why);
      hooks.onRetry?.(failure, decision.delayMs, attempt);
      await sleep(decision.delayMs);
    }
  }
}

/** Retry-After in seconds: a number of seconds or an HTTP date; retry-after-ms wins when present. */
export function retryAfterSeconds(headers: { get(name: string): string | null } | undefined, now: number = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms / 1000;
  const raw = headers?.get('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number.parseFloat(raw);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function errorItems(raw: unknown): ApiErrorItem[] {
  if (!Array.isArray(raw)) return [];
  const items: ApiErrorItem[] = [];
  const walk = (item: unknown) => {
    if (typeof item !== 'object' || item === null) return;
    const { code, message, error_chain: chain } = item as { code?: unknown; message?: unknown; error_chain?: unknown };
    if (typeof code === 'number' || typeof message === 'string') items.push({ code: typeof code === 'number' ? code : 0, message: typeof message === 'string' ? message : '' });
    if (Array.isArray(chain)) chain.forEach(walk);
  };
  raw.forEach(walk);
  return items;
}
