import { Readable } from 'node:stream';
import type { Telegram } from 'telegraf';
import { DEFAULT_RETRY, describe, describeProblem, nextStep, type RetryPolicy, type TelegramProblem } from './retry.js';

/** Where messages go and how to reach the Bot API. The token is a secret: never put it in a message. */
export interface TelegramSettings {
  token: string;
  /** Always ends with '/': telegraf resolves './bot<token>/…' against it, and drops a path without one. */
  apiRoot: string;
  chat: string | number;
  /** Forum topic (message_thread_id); 1 (General) is left out, as Telegram refuses it by number. */
  topic?: number;
}

export const DEFAULT_API_ROOT = 'https://api.telegram.org/';

/** The trailing-slash gotcha: `http://h/prefix` would lose `/prefix` in telegraf's `new URL('./bot…', root)`. */
export function normalizeApiRoot(root: string | undefined): string {
  const value = (root ?? '').trim() || DEFAULT_API_ROOT;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`TELEGRAM_API_ROOT is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`TELEGRAM_API_ROOT must be http(s): ${value}`);
  if (url.search || url.hash) throw new Error('TELEGRAM_API_ROOT must not have a query or fragment');
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

export interface RetryNotice {
  what: string;
  attempt: number;
  waitMs: number;
  problem: TelegramProblem;
}

export class TelegramFailure extends Error {
  constructor(
    readonly what: string,
    readonly problem: TelegramProblem,
    reason: string,
  ) {
    super(`Telegram ${what}: ${reason}`);
    this.name = 'TelegramFailure';
  }
}

export interface SentDocument {
  messageId: number;
  date: number;
  fileId: string;
  fileUniqueId: string;
  fileSize: number;
}

export interface ClientOptions {
  policy?: RetryPolicy;
  onRetry?: (notice: RetryNotice) => void;
  sleep?: (ms: number) => Promise<void>;
}

const MAX_DOWNLOAD = 20 * 1024 * 1024;

/** The few Bot API calls weclick makes, through telegraf's Telegram client (no polling), each with retries. */
export class BotClient {
  private constructor(
    private readonly tg: Telegram,
    readonly settings: TelegramSettings,
    private readonly options: ClientOptions,
  ) {}

  static async create(settings: TelegramSettings, options: ClientOptions = {}): Promise<BotClient> {
    const { Telegram } = await import('telegraf');
    return new BotClient(new Telegram(settings.token, { apiRoot: settings.apiRoot }), settings, options);
  }

  private get thread(): { message_thread_id?: number } {
    const topic = this.settings.topic;
    return topic !== undefined && topic !== 1 ? { message_thread_id: topic } : {};
  }

  async sendDocument(bytes: Buffer, filename: string, caption: string, what = `sendDocument ${filename}`): Promise<SentDocument> {
    // Handed over as a stream of views of the buffer (a fresh one per attempt): given the Buffer itself, telegraf's
    // multipart stream ends up holding a second full copy of every part.
    const message = await this.call(what, () => this.tg.sendDocument(this.settings.chat, { source: Readable.from(slices(bytes)), filename }, { caption, disable_notification: true, ...this.thread }));
    const doc = message.document;
    if (!doc?.file_id) throw new TelegramFailure(what, { kind: 'refused', status: 0, description: 'no document in the answer' }, 'the answer holds no document');
    // Telegram confirms the size it stored: a short upload must not pass as sent.
    if (doc.file_size !== bytes.length) throw new TelegramFailure(what, { kind: 'refused', status: 0, description: 'size mismatch' }, `Telegram stored ${doc.file_size} bytes of ${bytes.length}`);
    return { messageId: message.message_id, date: message.date, fileId: doc.file_id, fileUniqueId: doc.file_unique_id, fileSize: doc.file_size };
  }

  async sendMessage(text: string, what = 'sendMessage'): Promise<{ messageId: number; date: number }> {
    const message = await this.call(what, () => this.tg.sendMessage(this.settings.chat, text, { ...this.thread }));
    return { messageId: message.message_id, date: message.date };
  }

  async editCaption(messageId: number, caption: string): Promise<void> {
    try {
      await this.call(`editMessageCaption ${messageId}`, () => this.tg.editMessageCaption(this.settings.chat, messageId, undefined, caption));
    } catch (error) {
      if (error instanceof TelegramFailure && /message is not modified/.test(error.problem.kind === 'refused' ? error.problem.description : '')) return;
      throw error;
    }
  }

  /** deleted, or why not: Telegram lets bots delete only messages younger than 48 hours. */
  async deleteMessage(messageId: number): Promise<'deleted' | 'too-old' | 'missing'> {
    try {
      await this.call(`deleteMessage ${messageId}`, () => this.tg.deleteMessage(this.settings.chat, messageId));
      return 'deleted';
    } catch (error) {
      const description = error instanceof TelegramFailure && error.problem.kind === 'refused' ? error.problem.description : '';
      if (/can't be deleted/.test(description)) return 'too-old';
      if (/not found/.test(description)) return 'missing';
      throw error;
    }
  }

  async pin(messageId: number): Promise<void> {
    await this.call(`pinChatMessage ${messageId}`, () => this.tg.pinChatMessage(this.settings.chat, messageId, { disable_notification: true }));
  }

  /** getFile, then the file's bytes (at most 20 MB, the Bot API's download limit). */
  async download(fileId: string, what = `download ${fileId}`): Promise<Buffer> {
    return this.call(what, async () => {
      const link = await this.tg.getFileLink(fileId);
      const response = await fetch(link);
      if (!response.ok || !response.body) throw Object.assign(new Error(`HTTP ${response.status} ${response.statusText}`), { name: 'HttpStatusError', code: response.status });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.length;
        if (size > MAX_DOWNLOAD) throw Object.assign(new Error('file is larger than 20 MB'), { name: 'HttpStatusError', code: 413 });
        chunks.push(Buffer.from(chunk));
      }
      return Buffer.concat(chunks, size);
    });
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    const policy = this.options.policy ?? DEFAULT_RETRY;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (error instanceof TelegramFailure) throw error;
        const problem = describeProblem(error);
        const step = nextStep(problem, attempt, policy);
        if (!step.retry) throw new TelegramFailure(what, problem, step.reason);
        this.options.onRetry?.({ what, attempt, waitMs: step.waitMs, problem });
        await sleep(step.waitMs);
      }
    }
  }
}

function* slices(bytes: Buffer, size = 256 * 1024): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

export { describe as describeTelegramProblem };
