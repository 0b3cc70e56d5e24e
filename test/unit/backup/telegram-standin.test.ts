// The Telegram stand-in answers like the Bot API for what weclick uses (reference §7.2), driven by the real
// telegraf client where possible and by raw HTTP where the exact bytes matter.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Telegram } from 'telegraf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTelegramStandin, type TelegramStandin } from '../../standins/telegram/index.js';

const TOKEN = '123456:TEST-token_abc';
const CHAT = '-1001234567890';
let tg: TelegramStandin;
let client: Telegram;

beforeEach(async () => {
  tg = await startTelegramStandin({ token: TOKEN, chats: [{ id: CHAT, topics: [7] }], prefix: '/tgapi', maxUploadBytes: 2 * 1024 * 1024, maxDownloadBytes: 1024 * 1024 });
  client = new Telegram(TOKEN, { apiRoot: `${tg.url}/` });
});
afterEach(async () => tg.close());

async function raw(method: string, path: string, options: { body?: Buffer | string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
  const res = await fetch(`${tg.url}${path}`, { method, headers: options.headers, body: options.body as never });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* HTML */
  }
  return { status: res.status, headers: Object.fromEntries(res.headers), body };
}

/** What telegraf really puts on the wire for sendDocument, captured by a plain HTTP server. */
async function captureTelegrafUpload(bytes: Buffer): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer; path: string }> {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, result: { message_id: 1, date: 0, chat: { id: 1, type: 'private' } } }));
        server.close();
        resolve({ headers: req.headers, body: Buffer.concat(chunks), path: req.url ?? '' });
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      void new Telegram(TOKEN, { apiRoot: `http://127.0.0.1:${port}/` }).sendDocument(CHAT, { source: bytes, filename: 'part.age' }, { caption: 'c' });
    });
  });
}

describe('sendDocument exactly as telegraf sends it', () => {
  it('telegraf streams a chunked body with no Content-Length and part headers without a space after the colon', async () => {
    const wire = await captureTelegrafUpload(Buffer.from('payload bytes'));
    expect(wire.headers['transfer-encoding']).toBe('chunked');
    expect(wire.headers['content-length']).toBeUndefined();
    const text = wire.body.toString('latin1');
    expect(text).toContain('content-disposition:form-data; name="document"; filename="part.age"');
    expect(text).toContain('content-disposition:form-data; name="method"');
    expect(text).not.toMatch(/content-type:/i); // no per-part Content-Type
    expect(text.endsWith('--')).toBe(true); // no CRLF after the closing boundary
  });

  it('the stand-in stores those exact bytes, replayed raw, and serves them back through getFile and /file/bot…', async () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
    const wire = await captureTelegrafUpload(bytes);
    const replay = await new Promise<any>((resolve, reject) => {
      const req = request(`${tg.url}${wire.path}`, { method: 'POST', headers: { 'content-type': wire.headers['content-type'] as string, 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(JSON.parse(text)));
      });
      req.on('error', reject);
      // Chunks of odd sizes, as a stream would deliver them.
      for (let i = 0; i < wire.body.length; i += 4099) req.write(wire.body.subarray(i, i + 4099));
      req.end();
    });
    expect(replay.ok).toBe(true);
    expect(replay.result.document).toMatchObject({ file_name: 'part.age', file_size: bytes.length });
    expect(replay.result.caption).toBe('c');
    const file = await client.getFile(replay.result.document.file_id);
    expect(file.file_size).toBe(bytes.length);
    const download = await fetch(await client.getFileLink(file.file_id));
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    expect(tg.file(replay.result.document.file_id)!.bytes.equals(bytes)).toBe(true);
  });

  it('returns a Message with document {file_id, file_unique_id, file_name, file_size}, message_id, date and the topic', async () => {
    const before = Math.floor(tg.clock.now() / 1000);
    const m = await client.sendDocument(CHAT, { source: Buffer.from('x'), filename: 'a.age' }, { caption: 'hello', message_thread_id: 7 });
    expect(m.message_id).toBe(1);
    expect(m.date).toBeGreaterThanOrEqual(before);
    expect(m.message_thread_id).toBe(7);
    expect(m.document).toMatchObject({ file_name: 'a.age', file_size: 1 });
    expect(m.document!.file_id).toMatch(/^[A-Za-z0-9_-]{30,}$/);
    expect(m.document!.file_unique_id).not.toBe(m.document!.file_id);
    expect(tg.messages(CHAT)).toHaveLength(1);
  });
});

describe('limits and the real error shapes', () => {
  it('a caption over 1024 characters: 400 "Bad Request: message caption is too long"', async () => {
    await expect(client.sendDocument(CHAT, { source: Buffer.from('x') }, { caption: 'c'.repeat(1025) })).rejects.toMatchObject({ code: 400, description: 'Bad Request: message caption is too long' });
    await client.sendDocument(CHAT, { source: Buffer.from('x') }, { caption: 'c'.repeat(1024) });
  });

  it('a text over 4096 characters: 400 "Bad Request: message is too long"; empty text refused too', async () => {
    await expect(client.sendMessage(CHAT, 'm'.repeat(4097))).rejects.toMatchObject({ code: 400, description: 'Bad Request: message is too long' });
    await expect(client.sendMessage(CHAT, '')).rejects.toMatchObject({ code: 400, description: 'Bad Request: message text is empty' });
    expect((await client.sendMessage(CHAT, 'm'.repeat(4096))).text).toHaveLength(4096);
  });

  it('an upload over the limit (50 MB by default; 2 MB here): HTTP 413 Request Entity Too Large', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024 + 1, 1);
    await expect(client.sendDocument(CHAT, { source: big })).rejects.toMatchObject({ code: 413, description: 'Request Entity Too Large' });
    expect(tg.messages(CHAT)).toHaveLength(0);
  });

  it('getFile over the download limit (20 MB by default; 1 MB here): 400 "Bad Request: file is too big"', async () => {
    const m = await client.sendDocument(CHAT, { source: Buffer.alloc(1024 * 1024 + 1, 2) });
    await expect(client.getFile(m.document!.file_id)).rejects.toMatchObject({ code: 400, description: 'Bad Request: file is too big' });
  });

  it('a wrong token: 401 Unauthorized; an unknown method: 404 "Not Found: method not found"; an unknown chat or topic: 400', async () => {
    await expect(new Telegram('999:wrong', { apiRoot: `${tg.url}/` }).getMe()).rejects.toMatchObject({ code: 401, description: 'Unauthorized' });
    const unknown = await raw('POST', `/bot${TOKEN}/sendCarrierPigeon`);
    expect(unknown).toMatchObject({ status: 404, body: { ok: false, error_code: 404, description: 'Not Found: method not found' } });
    await expect(client.sendMessage('-100999', 'x')).rejects.toMatchObject({ code: 400, description: 'Bad Request: chat not found' });
    await expect(client.sendMessage(CHAT, 'x', { message_thread_id: 1 })).rejects.toMatchObject({ description: 'Bad Request: message thread not found' });
  });

  it('method names are case-insensitive and parameters come as query, urlencoded, JSON or multipart', async () => {
    expect((await raw('GET', `/bot${TOKEN}/GETME`)).body.result.is_bot).toBe(true);
    expect((await raw('GET', `/bot${TOKEN}/sendMessage?chat_id=${CHAT}&text=q`)).body.result.text).toBe('q');
    const form = await raw('POST', `/bot${TOKEN}/sendmessage`, { body: `chat_id=${CHAT}&text=u%20e`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.body.result.text).toBe('u e');
    const json = await raw('POST', `/bot${TOKEN}/sendMessage`, { body: JSON.stringify({ chat_id: Number(CHAT), text: 'j' }), headers: { 'content-type': 'application/json' } });
    expect(json.body.result.text).toBe('j');
  });
});

describe('deleting, pinning and the 48-hour rule on the stand-in clock', () => {
  it('deleteMessage answers true within 48 hours and "message can\'t be deleted" after; unknown ids are "not found"', async () => {
    const a = await client.sendMessage(CHAT, 'a');
    const b = await client.sendMessage(CHAT, 'b');
    expect(await client.deleteMessage(CHAT, a.message_id)).toBe(true);
    await expect(client.deleteMessage(CHAT, a.message_id)).rejects.toMatchObject({ description: 'Bad Request: message to delete not found' });
    tg.clock.advance(48 * 3600 * 1000);
    await expect(client.deleteMessage(CHAT, b.message_id)).rejects.toMatchObject({ code: 400, description: "Bad Request: message can't be deleted" });
    expect(tg.messages(CHAT).map((m) => m.text)).toEqual(['b']);
    expect(tg.messages(CHAT, { includeDeleted: true })).toHaveLength(2);
  });

  it('deleteMessages takes 1–100 ids and skips missing ones; pinChatMessage answers true', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await client.sendMessage(CHAT, `m${i}`)).message_id);
    expect(await client.deleteMessages(CHAT, [ids[0]!, 999])).toBe(true);
    expect(tg.messages(CHAT).map((m) => m.text)).toEqual(['m1', 'm2']);
    await expect(client.deleteMessages(CHAT, [])).rejects.toMatchObject({ code: 400 });
    expect(await client.pinChatMessage(CHAT, ids[2]!)).toBe(true);
    expect(tg.messages(CHAT).find((m) => m.message_id === ids[2])!.pinned).toBe(true);
  });
});

describe('fault injection', () => {
  it('429 carries parameters.retry_after in the body and no Retry-After header', async () => {
    tg.fail({ kind: 'rate-limit', retryAfter: 3 }, { method: 'sendMessage' });
    const answer = await raw('POST', `/bot${TOKEN}/sendMessage`, { body: JSON.stringify({ chat_id: CHAT, text: 'x' }), headers: { 'content-type': 'application/json' } });
    expect(answer.status).toBe(429);
    expect(answer.body).toEqual({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } });
    expect(answer.headers['retry-after']).toBeUndefined();
    await expect((async () => {
      tg.fail({ kind: 'rate-limit', retryAfter: 2 });
      await client.sendMessage(CHAT, 'y');
    })()).rejects.toMatchObject({ code: 429, parameters: { retry_after: 2 } });
  });

  it('5xx comes from the front end as HTML; telegraf reports the status and its text', async () => {
    tg.fail({ kind: 'server-error', status: 502 }, { method: 'getMe', skip: 1 });
    await client.getMe(); // skipped: answered normally
    await expect(client.getMe()).rejects.toMatchObject({ code: 502, description: 'Bad Gateway' });
    expect(tg.requests.map((r) => [r.method, r.status])).toEqual([['getMe', 200], ['getMe', 502]]);
  });

  it('a connection cut mid-upload stores nothing and the client sees a network error', async () => {
    tg.fail({ kind: 'cut', afterBytes: 10_000 }, { method: 'sendDocument' });
    await expect(client.sendDocument(CHAT, { source: Buffer.alloc(200_000, 3) })).rejects.toMatchObject({ name: 'FetchError' });
    expect(tg.messages(CHAT)).toHaveLength(0);
    expect(tg.requests[0]).toMatchObject({ method: 'sendDocument', fault: 'cut' });
    expect(tg.requests[0]!.bytes).toBeGreaterThanOrEqual(10_000);
    expect(tg.requests[0]!.bytes).toBeLessThan(200_000);
    await client.sendDocument(CHAT, { source: Buffer.alloc(200_000, 3) }); // the next one goes through
    expect(tg.messages(CHAT)).toHaveLength(1);
  });

  it('corruptFile and removeFile change what a download returns, for restore tests', async () => {
    const m = await client.sendDocument(CHAT, { source: Buffer.alloc(1000, 5) });
    tg.corruptFile(m.document!.file_id);
    const bytes = Buffer.from(await (await fetch(await client.getFileLink(m.document!.file_id))).arrayBuffer());
    expect(bytes.equals(Buffer.alloc(1000, 5))).toBe(false);
    expect(bytes).toHaveLength(1000);
    tg.removeFile(m.document!.file_id);
    await expect(client.getFile(m.document!.file_id)).rejects.toMatchObject({ description: 'Bad Request: wrong file_id or the file is temporarily unavailable' });
  });

  it('editMessageCaption edits, refuses "not modified" and unknown messages', async () => {
    const m = await client.sendDocument(CHAT, { source: Buffer.from('x') }, { caption: 'part 1/?' });
    const edited = (await client.editMessageCaption(CHAT, m.message_id, undefined, 'part 1/2')) as { caption: string };
    expect(edited.caption).toBe('part 1/2');
    await expect(client.editMessageCaption(CHAT, m.message_id, undefined, 'part 1/2')).rejects.toMatchObject({ description: expect.stringMatching(/^Bad Request: message is not modified/) });
    await expect(client.editMessageCaption(CHAT, 999, undefined, 'x')).rejects.toMatchObject({ description: 'Bad Request: message to edit not found' });
  });
});
