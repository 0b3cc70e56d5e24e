// What to do when a Bot API call fails. telegraf never retries, so weclick does: 429 waits exactly what
// Telegram asked (parameters.retry_after — the server sends no Retry-After header), 5xx and dropped connections
// back off exponentially, everything else (4xx) is final. Pure, so the policy is unit-tested without a network.

export type TelegramProblem =
  | { kind: 'rate-limited'; retryAfterSeconds: number; description: string }
  | { kind: 'server'; status: number; description: string }
  | { kind: 'network'; description: string }
  | { kind: 'refused'; status: number; description: string };

export interface RetryPolicy {
  /** Attempts per call, the first included. */
  attempts: number;
  /** A 429 asking for a longer wait than this fails the call instead of sleeping. */
  maxRetryAfterSeconds: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, maxRetryAfterSeconds: 120, baseBackoffMs: 1_000, maxBackoffMs: 30_000 };

export type RetryStep = { retry: true; waitMs: number } | { retry: false; reason: string };

/** Classifies what telegraf (TelegramError) or node-fetch (FetchError) threw. */
export function describeProblem(error: unknown): TelegramProblem {
  const e = error as { response?: { error_code?: number; description?: string; parameters?: { retry_after?: number } }; code?: string | number; type?: string; message?: string; name?: string; cause?: { code?: string } };
  if (e?.response && typeof e.response.error_code === 'number') {
    const status = e.response.error_code;
    const description = e.response.description ?? '';
    if (status === 429) return { kind: 'rate-limited', retryAfterSeconds: Math.max(0, Number(e.response.parameters?.retry_after ?? 1)), description };
    if (status >= 500) return { kind: 'server', status, description };
    return { kind: 'refused', status, description };
  }
  if (e?.name === 'HttpStatusError' && typeof e.code === 'number') {
    return e.code >= 500 ? { kind: 'server', status: e.code, description: e.message ?? '' } : { kind: 'refused', status: e.code, description: e.message ?? '' };
  }
  // node-fetch: type 'system' (ECONNRESET, EPIPE, ECONNREFUSED…), 'request-timeout', 'body-timeout';
  // 'invalid-json' is a front end answering HTML (e.g. nginx's 413 page): not worth retrying.
  if (e?.type === 'invalid-json') return { kind: 'refused', status: 0, description: 'Telegram answered something that is not JSON' };
  return { kind: 'network', description: networkText(e) };
}

export function nextStep(problem: TelegramProblem, attemptsMade: number, policy: RetryPolicy = DEFAULT_RETRY): RetryStep {
  if (problem.kind === 'refused') return { retry: false, reason: describe(problem) };
  if (attemptsMade >= policy.attempts) return { retry: false, reason: `${describe(problem)} (gave up after ${attemptsMade} attempts)` };
  if (problem.kind === 'rate-limited') {
    if (problem.retryAfterSeconds > policy.maxRetryAfterSeconds) {
      return { retry: false, reason: `${describe(problem)}: Telegram asks to wait ${problem.retryAfterSeconds} s, more than the ${policy.maxRetryAfterSeconds} s weclick waits` };
    }
    return { retry: true, waitMs: problem.retryAfterSeconds * 1000 };
  }
  return { retry: true, waitMs: Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** (attemptsMade - 1)) };
}

export function describe(problem: TelegramProblem): string {
  if (problem.kind === 'network') return `connection to Telegram failed: ${problem.description}`;
  if (problem.kind === 'rate-limited') return `429 ${problem.description || 'Too Many Requests'}`;
  return `${problem.status || ''} ${problem.description}`.trim();
}

function networkText(e: { code?: string | number; type?: string; message?: string; cause?: { code?: string } } | undefined): string {
  // undici (global fetch) puts the system error in `cause`.
  const code = typeof e?.code === 'string' ? e.code : e?.cause?.code;
  if (code) return code;
  if (e?.type === 'request-timeout' || e?.type === 'body-timeout') return 'timed out';
  // Messages from fetch name the URL, and the URL holds the bot token: keep only what follows "reason:".
  const reason = /reason: (.*)$/.exec(e?.message ?? '')?.[1];
  return reason ?? 'no answer';
}
