import { describe, expect, it } from 'vitest';
import { ApiCallError, classifyFailure, DEFAULT_RETRY_POLICY, retryAfterSeconds, retryDecision, withRetry, type ApiFailure } from '../../../src/dns/retry.js';

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name.toLowerCase()] ?? null });

/** Shaped like the SDK's APIError: status, headers, errors. */
function apiError(status: number, errors: unknown[] = [], hdrs: Record<string, string> = {}) {
  return Object.assign(new Error(`${status}`), { status, headers: headers(hdrs), errors });
}

describe('classifyFailure', () => {
  it('sorts API errors into rate limits, server errors, auth failures and rejections', () => {
    expect(classifyFailure(apiError(429, [{ code: 971, message: 'Please wait' }], { 'retry-after': '7' }))).toEqual({
      kind: 'rate-limited',
      status: 429,
      retryAfterSeconds: 7,
      errors: [{ code: 971, message: 'Please wait' }],
    });
    expect(classifyFailure(apiError(503))).toMatchObject({ kind: 'server', status: 503 });
    expect(classifyFailure(apiError(403, [{ code: 9109, message: 'Invalid access token' }]))).toMatchObject({ kind: 'auth' });
    expect(classifyFailure(apiError(400, [{ code: 9106, message: 'Missing X-Auth-Key' }]))).toMatchObject({ kind: 'auth' });
    expect(classifyFailure(apiError(400, [{ code: 1004, message: 'DNS Validation Error', error_chain: [{ code: 9021, message: 'TTL' }] }]))).toEqual({
      kind: 'rejected',
      status: 400,
      errors: [
        { code: 1004, message: 'DNS Validation Error' },
        { code: 9021, message: 'TTL' },
      ],
    });
  });

  it('recognises connection errors and leaves bugs alone', () => {
    class APIConnectionError extends Error {}
    expect(classifyFailure(new APIConnectionError('Connection error.'))).toEqual({ kind: 'network', message: 'Connection error.' });
    expect(classifyFailure(new TypeError('x is not a function'))).toBeUndefined();
    expect(classifyFailure('text')).toBeUndefined();
  });
});

describe('retryDecision', () => {
  const limited = (retryAfterSeconds?: number): ApiFailure => ({ kind: 'rate-limited', status: 429, retryAfterSeconds, errors: [] });
  const server: ApiFailure = { kind: 'server', status: 502, errors: [] };

  it('honours Retry-After up to the bound', () => {
    expect(retryDecision(limited(3), 1)).toEqual({ retry: true, delayMs: 3000 });
    expect(retryDecision(limited(60), 1)).toEqual({ retry: true, delayMs: 60_000 });
  });

  it('refuses at once a Retry-After longer than the bound, saying how long was asked', () => {
    expect(retryDecision(limited(300), 1)).toEqual({ retry: false, why: 'Cloudflare asked to wait 300 s (Retry-After), longer than weclick waits (60 s)' });
  });

  it('backs off exponentially (with at most 25% jitter, capped) for 5xx and a 429 without Retry-After', () => {
    const noJitter = () => 0;
    const fullJitter = () => 1;
    expect([1, 2, 3, 4].map((n) => retryDecision(server, n, DEFAULT_RETRY_POLICY, noJitter))).toEqual([500, 1000, 2000, 4000].map((delayMs) => ({ retry: true, delayMs })));
    expect(retryDecision(server, 1, DEFAULT_RETRY_POLICY, fullJitter)).toEqual({ retry: true, delayMs: 375 });
    expect(retryDecision(limited(undefined), 2, DEFAULT_RETRY_POLICY, noJitter)).toEqual({ retry: true, delayMs: 1000 });
    expect(retryDecision(server, 4, { ...DEFAULT_RETRY_POLICY, maxAttempts: 10, maxDelayMs: 3000 }, noJitter)).toEqual({ retry: true, delayMs: 3000 });
  });

  it('stops after the last attempt, and never retries auth failures or rejections', () => {
    expect(retryDecision(server, 5)).toEqual({ retry: false, why: 'gave up after 5 attempts' });
    expect(retryDecision(limited(1), 5)).toEqual({ retry: false, why: 'gave up after 5 attempts' });
    expect(retryDecision({ kind: 'auth', status: 403, errors: [] }, 1).retry).toBe(false);
    expect(retryDecision({ kind: 'rejected', status: 400, errors: [] }, 1).retry).toBe(false);
  });
});

describe('retryAfterSeconds', () => {
  it('reads seconds, an HTTP date, and retry-after-ms', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterSeconds(headers({ 'retry-after': '5' }), now)).toBe(5);
    expect(retryAfterSeconds(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), now)).toBe(30);
    expect(retryAfterSeconds(headers({ 'retry-after-ms': '250', 'retry-after': '5' }), now)).toBe(0.25);
    expect(retryAfterSeconds(headers({}), now)).toBeUndefined();
    expect(retryAfterSeconds(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
  });
});

describe('withRetry', () => {
  it('retries until success, sleeping as decided and telling onRetry', async () => {
    const sleeps: number[] = [];
    const told: string[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls === 1) throw apiError(429, [], { 'retry-after': '2' });
        if (calls === 2) throw apiError(500);
        return 'ok';
      },
      { sleep: async (ms) => void sleeps.push(ms), onRetry: (f, ms, attempt) => told.push(`${f.kind} ${attempt}`) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(sleeps[0]).toBe(2000);
    expect(sleeps[1]).toBeGreaterThanOrEqual(750);
    expect(sleeps[1]).toBeLessThanOrEqual(1000);
    expect(told).toEqual(['rate-limited 1', 'server 2']);
  });

  it('throws ApiCallError with the attempts made, and rethrows bugs untouched', async () => {
    let calls = 0;
    const failing = withRetry(async () => {
      calls += 1;
      throw apiError(502);
    }, { sleep: async () => {} });
    await expect(failing).rejects.toBeInstanceOf(ApiCallError);
    await expect(failing).rejects.toMatchObject({ attempts: 5, why: 'gave up after 5 attempts' });
    expect(calls).toBe(5);
    const bug = new TypeError('bug');
    await expect(withRetry(async () => { throw bug; })).rejects.toBe(bug);
  });
});
