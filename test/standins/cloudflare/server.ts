// Local stand-in for Cloudflare's DNS API v4 (node:http on 127.0.0.1), driven by the real `cloudflare` SDK in tests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, failure, send, type Reply } from './envelope.js';
import { cfErrors } from './errors.js';
import { FaultQueue } from './faults.js';
import { normaliseQuery } from './filters.js';
import { toAsciiHost } from './names.js';
import { toResponse } from './records.js';
import { route, type RouteContext } from './routes.js';
import { newId, ZoneStore } from './store.js';
import type { CloudflareStandin, Fault, RequestLogEntry, SeedRecord, StandinOptions } from './types.js';

const BASE_PATH = '/client/v4';

export async function startCloudflareStandin(opts: StandinOptions): Promise<CloudflareStandin> {
  if (!opts.token) throw new Error('startCloudflareStandin: token is required');
  const now = () => new Date().toISOString();
  const ctx: RouteContext = { zonesById: new Map(), maxBatch: opts.maxBatch ?? 200, now };
  const zonesByName = new Map<string, ZoneStore>();
  for (const z of opts.zones) {
    const name = toAsciiHost(z.name);
    const id = z.id ?? newId();
    if (!name || !/^[0-9a-f]{32}$/.test(id)) throw new Error(`startCloudflareStandin: bad zone ${JSON.stringify(z)}`);
    const store = new ZoneStore({ id, name, created_on: now() });
    ctx.zonesById.set(id, store);
    zonesByName.set(name, store);
  }
  const zoneByName = (zoneName: string): ZoneStore => {
    const store = zonesByName.get(toAsciiHost(zoneName) ?? '');
    if (!store) throw new Error(`Cloudflare stand-in: unknown zone ${zoneName}`);
    return store;
  };

  const requests: RequestLogEntry[] = [];
  const faults = new FaultQueue();
  const sleeps = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = { timer: setTimeout(() => (sleeps.delete(entry), resolve()), ms), done: resolve };
      sleeps.add(entry);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const inBase = url.pathname === BASE_PATH || url.pathname.startsWith(`${BASE_PATH}/`);
    const entry: RequestLogEntry = {
      method,
      path: inBase ? url.pathname.slice(BASE_PATH.length) || '/' : url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
    };
    requests.push(entry);
    const raw = await readBody(req);
    let body: unknown;
    let bodyError: ApiError | undefined;
    if (raw.trim() !== '') {
      try {
        body = entry.body = JSON.parse(raw);
      } catch {
        bodyError = cfErrors.malformedJson();
      }
    }

    const fault = faults.take(method, url.pathname);
    if (fault && 'delayMs' in fault) await sleep(fault.delayMs); // then answer normally, late
    let reply: Reply;
    try {
      if (fault && 'status' in fault) throw faultError(fault);
      if (!inBase) throw cfErrors.noRoute();
      checkAuth(req, opts.token);
      if (bodyError) throw bodyError;
      reply = route(ctx, { method, fullPath: url.pathname, path: entry.path, query: normaliseQuery(url.searchParams), body });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      reply = failure(err);
    }
    entry.status = reply.status;
    if (!res.destroyed) send(res, reply);
  }

  const server = createServer((req, res) => {
    res.on('error', () => {}); // the client may have given up (timeouts); nothing to do
    handle(req, res).catch((err: unknown) => {
      console.error('Cloudflare stand-in crashed on a request:', err);
      if (!res.headersSent) send(res, failure(cfErrors.serverError(500)));
    });
  });
  server.keepAliveTimeout = 30_000; // fewer keep-alive races with the SDK's pooled connections
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${BASE_PATH}`,
    requests,
    async close() {
      for (const s of sleeps) (clearTimeout(s.timer), s.done());
      sleeps.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
    zoneId: (zoneName) => zoneByName(zoneName).zone.id,
    records: (zoneName) => zoneByName(zoneName).all().map(toResponse),
    seed(zoneName, records: SeedRecord[]) {
      const store = zoneByName(zoneName);
      const at = now();
      return records.map((r) => {
        const { id, ...fields } = r;
        if (id !== undefined && !/^[0-9a-f]{32}$/.test(id)) throw new Error(`seed: id must be 32 hex digits: ${id}`);
        try {
          return toResponse(store.create(fields, at, id));
        } catch (err) {
          if (err instanceof ApiError) throw new Error(`seed: ${JSON.stringify(r)} refused: ${err.message}`);
          throw err;
        }
      });
    },
    resetLog() {
      requests.length = 0;
    },
    fail(next: Fault, times = 1, match) {
      faults.add(next, times, match);
    },
  };
}

function checkAuth(req: IncomingMessage, token: string): void {
  const header = req.headers.authorization;
  if (header === undefined) {
    // Global API keys are not supported by the stand-in: treat them as credentials without access.
    if (req.headers['x-auth-key'] !== undefined || req.headers['x-auth-email'] !== undefined) throw cfErrors.authError();
    throw cfErrors.missingAuth();
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!bearer) throw cfErrors.badAuthHeader();
  if (bearer[1] !== token) throw cfErrors.invalidToken();
}

function faultError(fault: Exclude<Fault, { delayMs: number }>): ApiError {
  return fault.status === 429 ? cfErrors.rateLimited(fault.retryAfter ?? 1) : cfErrors.serverError(fault.status);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
