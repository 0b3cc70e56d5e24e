// Outline's management API (../shared/specs/outline-server-api.yml) with the server's self-signed certificate
// pinned by its SHA-256, as Outline Manager does (server_manager/electron/fetch.ts): the TLS connection is made
// without CA checks, the peer certificate's fingerprint is compared with certSha256 on secureConnect, and on a
// mismatch the socket is destroyed before a single byte of the request (whose path is the secret) is sent.
import { request, type IncomingMessage, type RequestOptions } from 'node:http';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';

export interface OutlineAccess {
  apiUrl: string;
  certSha256: string;
}

export interface DataLimit {
  bytes: number;
}

export interface AccessKey {
  id: string;
  name?: string;
  password?: string;
  port?: number;
  method?: string;
  accessUrl?: string;
  dataLimit?: DataLimit;
}

export interface OutlineServerInfo {
  name?: string;
  serverId?: string;
  version?: string;
  metricsEnabled?: boolean;
  portForNewAccessKeys?: number;
  hostnameForAccessKeys?: string;
  accessKeyDataLimit?: DataLimit;
}

/** An error from the API or the connection; never carries the apiUrl (its path is the credential). */
export class OutlineError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly kind: 'http' | 'pin' | 'network' = 'http',
  ) {
    super(message);
    this.name = 'OutlineError';
  }
}

const normalize = (hex: string) => hex.replace(/:/g, '').toUpperCase();

export class OutlineClient {
  private readonly base: URL;

  constructor(
    private readonly access: OutlineAccess,
    private readonly options: { timeoutMs?: number } = {},
  ) {
    this.base = new URL(access.apiUrl.endsWith('/') ? access.apiUrl : `${access.apiUrl}/`);
    if (this.base.protocol !== 'https:') throw new OutlineError('the Outline apiUrl must be https://');
    if (!/^[0-9A-Fa-f:]{64,95}$/.test(access.certSha256) || normalize(access.certSha256).length !== 64) throw new OutlineError('certSha256 must be 64 hex digits');
  }

  server = () => this.json<OutlineServerInfo>('GET', 'server', undefined, [200]);
  listKeys = async () => (await this.json<{ accessKeys: AccessKey[] }>('GET', 'access-keys', undefined, [200])).accessKeys;
  getKey = (id: string) => this.json<AccessKey>('GET', `access-keys/${encodeURIComponent(id)}`, undefined, [200]);
  createKey = (body: { name?: string; limit?: DataLimit } = {}) => this.json<AccessKey>('POST', 'access-keys', body, [201]);
  renameKey = (id: string, name: string) => this.json<void>('PUT', `access-keys/${encodeURIComponent(id)}/name`, { name }, [204]);
  setKeyLimit = (id: string, bytes: number) => this.json<void>('PUT', `access-keys/${encodeURIComponent(id)}/data-limit`, { limit: { bytes } }, [204]);
  removeKeyLimit = (id: string) => this.json<void>('DELETE', `access-keys/${encodeURIComponent(id)}/data-limit`, undefined, [204]);
  deleteKey = (id: string) => this.json<void>('DELETE', `access-keys/${encodeURIComponent(id)}`, undefined, [204]);
  transfer = async () => (await this.json<{ bytesTransferredByUserId: Record<string, number> }>('GET', 'metrics/transfer', undefined, [200])).bytesTransferredByUserId;

  private async json<T>(method: string, path: string, body: unknown, ok: number[]): Promise<T> {
    const response = await this.send(method, path, body);
    if (!ok.includes(response.status)) {
      let detail = '';
      try {
        const parsed = JSON.parse(response.text) as { code?: string; message?: string };
        detail = [parsed.code, parsed.message].filter(Boolean).join(': ');
      } catch {
        detail = response.text.slice(0, 200);
      }
      throw new OutlineError(`${method} /${path.replace(/^access-keys\/[^/]+/, 'access-keys/{id}')} answered ${response.status}${detail ? ` (${detail})` : ''}`, response.status);
    }
    return (response.text ? JSON.parse(response.text) : undefined) as T;
  }

  private send(method: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
    const url = new URL(path, this.base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const want = normalize(this.access.certSha256);
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      const req = request({
        host: url.hostname,
        port: Number(url.port || 443),
        method,
        path: url.pathname + url.search,
        headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        timeout: timeoutMs,
        createConnection: (_options: unknown, done: (error: Error | null, socket?: Duplex) => void) => {
          const socket: TLSSocket = tlsConnect({ host: url.hostname, port: Number(url.port || 443), servername: isIp(url.hostname) ? undefined : url.hostname, rejectUnauthorized: false });
          socket.once('secureConnect', () => {
            const got = normalize(socket.getPeerCertificate().fingerprint256 ?? '');
            if (got !== want) {
              socket.destroy();
              done(new OutlineError(`certificate fingerprint mismatch for ${url.hostname}:${url.port}: expected ${want}, got ${got || 'none'}; refusing to send anything`, undefined, 'pin'));
            } else done(null, socket);
          });
          socket.once('error', (error) => done(error));
          return undefined;
        },
      } as unknown as RequestOptions);
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new OutlineError(`no answer from ${url.hostname}:${url.port} within ${timeoutMs} ms`, undefined, 'network')));
      req.on('error', (error) => reject(error instanceof OutlineError ? error : new OutlineError(`cannot reach ${url.hostname}:${url.port}: ${(error as NodeJS.ErrnoException).code ?? error.message}`, undefined, 'network')));
      req.end(payload);
    });
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
