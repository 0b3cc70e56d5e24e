// STAND-IN for an Outline server's management API (shadowbox), for weclick's tests only. It follows
// ../shared/specs/outline-server-api.yml (OpenAPI 3.0.1): the secret path prefix, JSON bodies, the status codes
// and the 404 body {"code":"NotFoundError","message":…}. HTTPS with a self-signed certificate, like shadowbox.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StandinKey {
  id: string;
  name: string;
  password: string;
  port: number;
  method: string;
  accessUrl: string;
  dataLimit?: { bytes: number };
}

export interface OutlineStandin {
  /** https://host:port/<prefix>, as access.txt's apiUrl. */
  apiUrl: string;
  /** SHA-256 of the certificate, 64 uppercase hex digits, as access.txt's certSha256. */
  certSha256: string;
  keys: Map<string, StandinKey>;
  requests: Array<{ method: string; path: string; status: number; body?: unknown }>;
  transfer: Map<string, number>;
  close(): Promise<void>;
}

export interface StandinOptions {
  host?: string;
  port?: number;
  prefix?: string;
  /** PEM certificate and key; a fresh self-signed pair (openssl) when absent. */
  cert?: string;
  key?: string;
  hostnameForAccessKeys?: string;
}

/** A self-signed certificate and key made with the openssl CLI, as Outline's installer makes them. */
export function selfSignedPair(commonName: string): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'outline-standin-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-nodes', '-days', '2', '-newkey', 'rsa:2048', '-subj', `/CN=${commonName}`, '-keyout', join(dir, 'key'), '-out', join(dir, 'crt')], { stdio: 'ignore' });
    return { cert: readFileSync(join(dir, 'crt'), 'utf8'), key: readFileSync(join(dir, 'key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function fingerprintOf(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex').toUpperCase();
}

export async function startOutlineStandin(options: StandinOptions = {}): Promise<OutlineStandin> {
  const host = options.host ?? '127.0.0.1';
  const prefix = options.prefix ?? randomBytes(16).toString('base64url');
  const pair = options.cert && options.key ? { cert: options.cert, key: options.key } : selfSignedPair(host);
  const keys = new Map<string, StandinKey>();
  const transfer = new Map<string, number>();
  const requests: OutlineStandin['requests'] = [];
  const server = {
    name: 'Outline Server',
    serverId: randomUUID(),
    metricsEnabled: false,
    createdTimestampMs: Date.now(),
    version: '1.12.3',
    portForNewAccessKeys: 20446,
    hostnameForAccessKeys: options.hostnameForAccessKeys ?? host,
    accessKeyDataLimit: undefined as { bytes: number } | undefined,
  };
  let nextId = 0;

  const makeKey = (id: string, body: Record<string, unknown>): StandinKey => {
    const method = typeof body.method === 'string' ? body.method : 'chacha20-ietf-poly1305';
    const password = typeof body.password === 'string' ? body.password : randomBytes(16).toString('base64url');
    const port = typeof body.port === 'number' ? body.port : server.portForNewAccessKeys;
    const key: StandinKey = {
      id,
      name: typeof body.name === 'string' ? body.name : '',
      password,
      port,
      method,
      accessUrl: `ss://${Buffer.from(`${method}:${password}`).toString('base64url')}@${server.hostnameForAccessKeys}:${port}/?outline=1`,
    };
    const limit = body.limit as { bytes?: unknown } | undefined;
    if (limit && typeof limit.bytes === 'number') key.dataLimit = { bytes: limit.bytes };
    return key;
  };
  const notFound = (id: string) => ({ status: 404, body: { code: 'NotFoundError', message: `No access key found with id ${id}` } });
  const badLimit = (limit: unknown) => !limit || typeof (limit as { bytes?: unknown }).bytes !== 'number' || !Number.isInteger((limit as { bytes: number }).bytes) || (limit as { bytes: number }).bytes < 0;

  function route(method: string, path: string, body: Record<string, unknown>): { status: number; body?: unknown } {
    const parts = path.split('/').filter(Boolean);
    if (method === 'GET' && path === '/server') return { status: 200, body: server.accessKeyDataLimit ? server : { ...server, accessKeyDataLimit: undefined } };
    if (method === 'PUT' && path === '/name') return typeof body.name === 'string' ? ((server.name = body.name), { status: 204 }) : { status: 400, body: { code: 'InvalidArgument', message: 'Parameter `name` must be of type string' } };
    if (method === 'PUT' && path === '/server/hostname-for-access-keys') {
      if (typeof body.hostname !== 'string' || !body.hostname) return { status: 400, body: { code: 'InvalidArgument', message: 'Parameter `hostname` is missing' } };
      server.hostnameForAccessKeys = body.hostname;
      return { status: 204 };
    }
    if (method === 'PUT' && path === '/server/port-for-new-access-keys') {
      const port = body.port;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return { status: 400, body: { code: 'InvalidArgument', message: 'Parameter `port` must be an integer from 1 through 65535' } };
      server.portForNewAccessKeys = port;
      return { status: 204 };
    }
    if (path === '/server/access-key-data-limit' && method === 'PUT') return badLimit(body.limit) ? { status: 400 } : ((server.accessKeyDataLimit = body.limit as { bytes: number }), { status: 204 });
    if (path === '/server/access-key-data-limit' && method === 'DELETE') return (server.accessKeyDataLimit = undefined), { status: 204 };
    if (path === '/access-keys' && method === 'GET') return { status: 200, body: { accessKeys: [...keys.values()] } };
    if (path === '/access-keys' && method === 'POST') {
      if (body.limit !== undefined && badLimit(body.limit)) return { status: 400, body: { code: 'InvalidArgument', message: 'Invalid data limit' } };
      const key = makeKey(String(nextId++), body);
      keys.set(key.id, key);
      return { status: 201, body: key };
    }
    if (parts[0] === 'access-keys' && parts.length >= 2) {
      const id = decodeURIComponent(parts[1]!);
      const key = keys.get(id);
      if (parts.length === 2) {
        if (method === 'PUT') {
          if (key) return { status: 409, body: { code: 'ConflictError', message: `Access key "${id}" already exists` } };
          const created = makeKey(id, body);
          keys.set(id, created);
          return { status: 201, body: created };
        }
        if (!key) return notFound(id);
        if (method === 'GET') return { status: 200, body: key };
        if (method === 'DELETE') return keys.delete(id), { status: 204 };
      }
      if (parts.length === 3 && parts[2] === 'name' && method === 'PUT') {
        if (!key) return notFound(id);
        if (typeof body.name !== 'string') return { status: 400, body: { code: 'InvalidArgument', message: 'Parameter `name` must be of type string' } };
        key.name = body.name;
        return { status: 204 };
      }
      if (parts.length === 3 && parts[2] === 'data-limit') {
        if (!key) return notFound(id);
        if (method === 'PUT') return badLimit(body.limit) ? { status: 400, body: { code: 'InvalidArgument', message: 'Invalid data limit' } } : ((key.dataLimit = body.limit as { bytes: number }), { status: 204 });
        if (method === 'DELETE') return delete key.dataLimit, { status: 204 };
      }
    }
    if (method === 'GET' && path === '/metrics/transfer') return { status: 200, body: { bytesTransferredByUserId: Object.fromEntries(transfer) } };
    if (path === '/metrics/enabled' && method === 'GET') return { status: 200, body: { metricsEnabled: server.metricsEnabled } };
    if (path === '/metrics/enabled' && method === 'PUT') return typeof body.metricsEnabled === 'boolean' ? ((server.metricsEnabled = body.metricsEnabled), { status: 204 }) : { status: 400 };
    return { status: 404, body: { code: 'ResourceNotFound', message: `${path} does not exist` } };
  }

  const https: Server = createServer({ cert: pair.cert, key: pair.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://standin');
      const method = req.method ?? 'GET';
      const entry: OutlineStandin['requests'][number] = { method, path: url.pathname, status: 0 };
      requests.push(entry);
      let reply: { status: number; body?: unknown };
      let body: Record<string, unknown> = {};
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        if (text) body = entry.body = JSON.parse(text) as Record<string, unknown>;
        // The prefix is the only credential: any other path is unknown.
        reply = url.pathname.startsWith(`/${prefix}/`) ? route(method, url.pathname.slice(prefix.length + 1), body) : { status: 404, body: { code: 'ResourceNotFound', message: `${url.pathname} does not exist` } };
      } catch {
        reply = { status: 400, body: { code: 'BadRequest', message: 'invalid JSON' } };
      }
      entry.status = reply.status;
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      res.writeHead(reply.status, text ? { 'content-type': 'application/json' } : {});
      res.end(text);
    });
  });
  await new Promise<void>((resolve, reject) => {
    https.once('error', reject);
    https.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (https.address() as AddressInfo).port;
  return {
    apiUrl: `https://${host}:${port}/${prefix}`,
    certSha256: fingerprintOf(pair.cert),
    keys,
    requests,
    transfer,
    close: () =>
      new Promise<void>((resolve) => {
        https.closeAllConnections();
        https.close(() => resolve());
      }),
  };
}
