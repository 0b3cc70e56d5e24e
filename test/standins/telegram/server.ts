// Local stand-in for the Telegram Bot API (node:http on 127.0.0.1), driven by telegraf's client in tests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BotApiError, tgErrors } from './errors.js';
import { FaultQueue } from './faults.js';
import { methodHandler, type Params } from './methods.js';
import { boundaryOf, MultipartError, parseMultipart, type UploadedFile } from './multipart.js';
import { BotStore, Clock } from './store.js';
import type { Fault, RequestLogEntry, StandinOptions, TelegramStandin } from './types.js';

const MB = 1024 * 1024;
// Room for the multipart framing and the other fields around a maximal file.
const FORM_OVERHEAD = 64 * 1024;

export async function startTelegramStandin(opts: StandinOptions): Promise<TelegramStandin> {
  if (!/^\d+:[A-Za-z0-9_-]+$/.test(opts.token)) throw new Error('startTelegramStandin: token must look like a bot token (123456:ABC-def)');
  const prefix = (opts.prefix ?? '').replace(/\/+$/, '');
  const clock = new Clock(opts.startAt);
  const store = new BotStore(opts.chats, clock);
  const maxUpload = opts.maxUploadBytes ?? 50 * MB;
  const maxDownload = opts.maxDownloadBytes ?? 20 * MB;
  const faults = new FaultQueue();
  const requests: RequestLogEntry[] = [];
  const counts = new Map<string, number>();
  const waiters: Array<{ method: string; count: number; resolve: () => void }> = [];
  const timers = new Set<NodeJS.Timeout>();

  const countRequest = (method: string) => {
    const key = method.toLowerCase();
    counts.set(key, (counts.get(key) ?? 0) + 1);
    for (const w of [...waiters]) if (w.method === key && (counts.get(key) ?? 0) >= w.count) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
  };
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(() => (timers.delete(timer), resolve()), ms);
    timers.add(timer);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = prefix && url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : prefix ? '' : url.pathname;
    const api = /^\/bot([^/]+)\/([A-Za-z]+)\/?$/.exec(path);
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(path);
    const entry: RequestLogEntry = { method: api?.[2] ?? (download ? 'file' : path || url.pathname), status: 0, bytes: 0 };
    requests.push(entry);
    countRequest(entry.method);

    const fault = api ? faults.take(api[2]!) : download ? faults.take('file') : undefined;
    if (fault) entry.fault = fault.kind;
    if (fault?.kind === 'cut') {
      entry.bytes = await readSome(req, fault.afterBytes);
      req.socket.destroy();
      return;
    }
    let reply: { status: number; body: unknown; html?: boolean; bytes?: Buffer };
    try {
      const body = await readBody(req, maxUpload + FORM_OVERHEAD, entry);
      if (fault?.kind === 'delay') await sleep(fault.ms);
      if (fault?.kind === 'rate-limit') throw tgErrors.tooManyRequests(fault.retryAfter);
      if (fault?.kind === 'server-error') reply = serverError(fault);
      else if (download) reply = serveFile(download[1]!, download[2]!);
      else if (api) reply = callMethod(api[1]!, api[2]!, req, url, body, entry);
      else throw tgErrors.fileNotFound();
    } catch (error) {
      if (!(error instanceof BotApiError)) throw error;
      reply = { status: error.status, body: error.body() };
    }
    entry.status = reply.status;
    if (res.destroyed) return;
    if (reply.bytes) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': reply.bytes.length });
      res.end(reply.bytes);
    } else if (reply.html) {
      res.writeHead(reply.status, { 'content-type': 'text/html' });
      res.end(reply.body as string);
    } else {
      // No Retry-After header on 429, as tdlib's server answers: the wait is only in parameters.retry_after.
      const text = JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    }
  }

  function callMethod(token: string, method: string, req: IncomingMessage, url: URL, body: Buffer, entry: RequestLogEntry) {
    if (token !== opts.token) throw tgErrors.unauthorized();
    const handler = methodHandler(method);
    if (!handler) throw tgErrors.methodNotFound();
    const { params, files } = parseParams(req, url, body);
    entry.params = { ...params, ...Object.fromEntries(Object.entries(files).map(([k, f]) => [k, { filename: f.filename, size: f.bytes.length }])) };
    for (const file of Object.values(files)) if (file.bytes.length > maxUpload) throw tgErrors.tooLarge();
    const result = handler({ store, maxDownloadBytes: maxDownload }, params, files);
    return { status: 200, body: { ok: true, result } };
  }

  function serveFile(token: string, filePath: string) {
    if (token !== opts.token) throw tgErrors.unauthorized();
    const file = store.fileByPath(filePath);
    if (!file) throw tgErrors.fileNotFound();
    return { status: 200, body: null, bytes: file.bytes };
  }

  const server = createServer((req, res) => {
    res.on('error', () => {});
    req.on('error', () => {});
    handle(req, res).catch((error: unknown) => {
      console.error('Telegram stand-in crashed on a request:', error);
      if (!res.headersSent && !res.destroyed) (res.writeHead(500), res.end());
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  const fileOf = (id: string) => {
    const file = store.files.get(id);
    if (!file) throw new Error(`Telegram stand-in: no file ${id}`);
    return file;
  };

  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    token: opts.token,
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
    messages(chatId, options = {}) {
      return store.messages.filter((m) => (chatId === undefined || m.chat_id === String(chatId)) && (options.includeDeleted || !m.deleted));
    },
    file: (id) => store.files.get(id),
    corruptFile(id) {
      const file = fileOf(id);
      const copy = Buffer.from(file.bytes);
      const at = Math.floor(copy.length / 2);
      copy[at] = copy[at]! ^ 0xff;
      file.bytes = copy;
    },
    removeFile(id) {
      fileOf(id).gone = true;
    },
    requests,
    fail(fault: Fault, match) {
      faults.add(fault, match);
    },
    pendingFaults: () => faults.size,
    clock: { now: () => clock.now(), advance: (ms) => clock.advance(ms), set: (ms) => clock.set(ms) },
    waitForRequests(method, count) {
      const key = method.toLowerCase();
      if ((counts.get(key) ?? 0) >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ method: key, count, resolve }));
    },
  };
}

/** Query string, then the body: JSON, urlencoded or multipart (later sources win, as on the real server). */
function parseParams(req: IncomingMessage, url: URL, body: Buffer): { params: Params; files: Record<string, UploadedFile> } {
  const params: Params = Object.fromEntries(url.searchParams);
  let files: Record<string, UploadedFile> = {};
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (body.length === 0) return { params, files };
  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw tgErrors.badRequest("can't parse JSON object"); // guess at the exact wording
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(params, parsed);
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  } else if (type.startsWith('multipart/form-data')) {
    const boundary = boundaryOf(req.headers['content-type']);
    if (!boundary) throw tgErrors.badRequest('multipart boundary is missing'); // guess
    try {
      const form = parseMultipart(body, boundary);
      Object.assign(params, form.fields);
      files = form.files;
    } catch (error) {
      if (error instanceof MultipartError) throw tgErrors.badRequest(`bad multipart body: ${error.message}`); // guess
      throw error;
    }
  }
  return { params, files };
}

/** Reads the whole body (chunked or not); past `limit` bytes it drains the rest and answers 413 like the front end. */
async function readBody(req: IncomingMessage, limit: number, entry: RequestLogEntry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  entry.bytes = size;
  if (size > limit) throw tgErrors.tooLarge();
  return Buffer.concat(chunks);
}

/** Reads about `count` bytes of the body, then stops listening. */
function readSome(req: IncomingMessage, count: number): Promise<number> {
  return new Promise((resolve) => {
    let size = 0;
    const done = () => (req.removeAllListeners('data'), req.pause(), resolve(size));
    if (count <= 0) return done();
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size >= count) done();
    });
    req.on('end', done);
    req.on('error', done);
  });
}

function serverError(fault: Extract<Fault, { kind: 'server-error' }>) {
  const text = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' }[fault.status];
  return { status: fault.status, html: true, body: `<html>\r\n<head><title>${fault.status} ${text}</title></head>\r\n<body>\r\n<center><h1>${fault.status} ${text}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n` };
}
