// weclick's Telegram client (telegraf underneath) against the stand-in: retries on 429 after retry_after, on 5xx
// and on a cut connection; no retry on a refusal; the apiRoot trailing-slash gotcha handled.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotClient, normalizeApiRoot, TelegramFailure, type RetryNotice } from '../../../src/backup/telegram/client.js';
import { describeProblem, nextStep, DEFAULT_RETRY } from '../../../src/backup/telegram/retry.js';
import { startTelegramStandin, type TelegramStandin } from '../../standins/telegram/index.js';

const TOKEN = '123456:TEST-token_abc';
const CHAT = '-1001234567890';
let tg: TelegramStandin;
let notices: RetryNotice[];
const fast = { attempts: 4, maxRetryAfterSeconds: 5, baseBackoffMs: 20, maxBackoffMs: 100 };

beforeEach(async () => {
  tg = await startTelegramStandin({ token: TOKEN, chats: [{ id: CHAT, topics: [7] }], prefix: '/deep/prefix' });
  notices = [];
});
afterEach(async () => tg.close());

const client = (options: Partial<Parameters<typeof BotClient.create>[1]> = {}, topic?: number) =>
  BotClient.create({ token: TOKEN, apiRoot: normalizeApiRoot(tg.url), chat: CHAT, ...(topic ? { topic } : {}) }, { policy: fast, onRetry: (n) => notices.push(n), ...options });

describe('apiRoot', () => {
  it('adds the trailing slash telegraf needs to keep a path (without it, /deep/prefix would be dropped)', async () => {
    expect(tg.url).toMatch(/\/deep\/prefix$/);
    expect(normalizeApiRoot(tg.url)).toBe(`${tg.url}/`);
    expect(normalizeApiRoot(undefined)).toBe('https://api.telegram.org/');
    expect(normalizeApiRoot('https://tg.example.net/x/')).toBe('https://tg.example.net/x/');
    expect(() => normalizeApiRoot('ftp://x')).toThrow(/http/);
    const c = await client();
    expect((await c.sendMessage('hello')).messageId).toBe(1);
    expect(tg.messages(CHAT)[0]!.text).toBe('hello');
  });

  it('posts into the topic, and leaves General (1) out because Telegram refuses it by number', async () => {
    await (await client({}, 7)).sendMessage('in topic');
    await (await client({}, 1)).sendMessage('in general');
    expect(tg.messages(CHAT).map((m) => [m.text, m.message_thread_id])).toEqual([['in topic', 7], ['in general', undefined]]);
  });
});

describe('retries', () => {
  it('waits what parameters.retry_after says on 429, then succeeds', async () => {
    tg.fail({ kind: 'rate-limit', retryAfter: 1 }, { method: 'sendDocument' });
    const started = Date.now();
    const sent = await (await client()).sendDocument(Buffer.from('abc'), 'p.age', 'cap');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(sent.fileSize).toBe(3);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ waitMs: 1000, problem: { kind: 'rate-limited', retryAfterSeconds: 1 } });
    expect(tg.messages(CHAT)).toHaveLength(1);
  });

  it('backs off on 5xx and on a connection cut mid-upload, sending the part again (stored once)', async () => {
    tg.fail({ kind: 'server-error', status: 503 }, { method: 'sendDocument' });
    tg.fail({ kind: 'cut', afterBytes: 5000 }, { method: 'sendDocument' });
    const sent = await (await client()).sendDocument(Buffer.alloc(100_000, 1), 'p.age', 'cap');
    expect(notices.map((n) => n.problem.kind)).toEqual(['server', 'network']);
    expect(notices.map((n) => n.waitMs)).toEqual([20, 40]);
    expect(tg.requests.map((r) => r.status)).toEqual([503, 0, 200]);
    expect(tg.messages(CHAT)).toHaveLength(1);
    expect(sent.fileSize).toBe(100_000);
  });

  it('does not retry a refusal (4xx), and gives up after the attempts, saying why', async () => {
    const c = await client();
    await expect(c.sendMessage('x'.repeat(5000))).rejects.toThrow('Telegram sendMessage: 400 Bad Request: message is too long');
    expect(tg.requests).toHaveLength(1);
    tg.fail({ kind: 'server-error', status: 502 }, { times: 4 });
    await expect(c.sendMessage('y')).rejects.toThrow(/502 Bad Gateway \(gave up after 4 attempts\)/);
  });

  it('refuses to sleep longer than the bound when retry_after is huge', async () => {
    tg.fail({ kind: 'rate-limit', retryAfter: 3600 });
    const error = await (await client()).sendMessage('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TelegramFailure);
    expect((error as Error).message).toMatch(/asks to wait 3600 s, more than the 5 s weclick waits/);
  });

  it('never puts the bot token in an error message', async () => {
    await tg.close();
    const error = (await (await client({ policy: { ...fast, attempts: 1 } })).sendMessage('x').catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/connection to Telegram failed: ECONNREFUSED/);
    expect(error.message).not.toContain(TOKEN.split(':')[1]);
    tg = await startTelegramStandin({ token: TOKEN, chats: [] });
  });

  it('downloads a stored file by file id, and reports a missing one', async () => {
    const c = await client();
    const sent = await c.sendDocument(Buffer.from('part bytes'), 'p.age', '');
    expect((await c.download(sent.fileId)).toString()).toBe('part bytes');
    tg.removeFile(sent.fileId);
    await expect(c.download(sent.fileId)).rejects.toThrow(/400 Bad Request: wrong file_id/);
  });

  it('deleteMessage reports deleted, too-old (48 h) and missing without throwing', async () => {
    const c = await client();
    const a = await c.sendMessage('a');
    const b = await c.sendMessage('b');
    expect(await c.deleteMessage(a.messageId)).toBe('deleted');
    expect(await c.deleteMessage(a.messageId)).toBe('missing');
    tg.clock.advance(49 * 3600_000);
    expect(await c.deleteMessage(b.messageId)).toBe('too-old');
  });
});

describe('retry policy (pure)', () => {
  it('classifies telegraf and fetch errors', () => {
    expect(describeProblem({ response: { error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } } })).toEqual({ kind: 'rate-limited', retryAfterSeconds: 7, description: 'Too Many Requests: retry after 7' });
    expect(describeProblem({ response: { error_code: 502, description: 'Bad Gateway' } })).toMatchObject({ kind: 'server', status: 502 });
    expect(describeProblem({ response: { error_code: 400, description: 'Bad Request: chat not found' } })).toMatchObject({ kind: 'refused' });
    expect(describeProblem({ name: 'FetchError', type: 'system', code: 'ECONNRESET', message: 'request to http://x/bot1:SECRET/sendDocument failed, reason: socket hang up' })).toEqual({ kind: 'network', description: 'ECONNRESET' });
    expect(describeProblem({ name: 'FetchError', type: 'system', message: 'request to http://x/bot1:SECRET/m failed, reason: socket hang up' })).toEqual({ kind: 'network', description: 'socket hang up' });
    expect(describeProblem({ name: 'FetchError', type: 'invalid-json', message: '<html>413' })).toMatchObject({ kind: 'refused' });
  });

  it('backs off exponentially up to the cap, honours retry_after, stops after the attempts', () => {
    const server = { kind: 'server' as const, status: 500, description: '' };
    expect([1, 2, 3, 4, 5, 6].map((a) => nextStep(server, a))).toEqual([
      { retry: true, waitMs: 1000 }, { retry: true, waitMs: 2000 }, { retry: true, waitMs: 4000 }, { retry: true, waitMs: 8000 }, { retry: true, waitMs: 16000 },
      { retry: false, reason: '500 (gave up after 6 attempts)' },
    ]);
    expect(nextStep({ kind: 'rate-limited', retryAfterSeconds: 42, description: '' }, 1)).toEqual({ retry: true, waitMs: 42_000 });
    expect(nextStep({ kind: 'rate-limited', retryAfterSeconds: DEFAULT_RETRY.maxRetryAfterSeconds + 1, description: '' }, 1).retry).toBe(false);
  });
});
