import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Pool, RowDataPacket } from 'mysql2/promise';

/** One recorded API call. */
export interface RecordedCall {
  method: string;
  path: string;
  body: string;
  /** The bearer token verified against jwt.secret_key and named an existing admin. */
  authorized: boolean;
  status: number;
  at: number;
}

/** What the stand-in's "Xray core" serves: Marzban's client email "<id>.<username>" and the credentials. */
export interface CoreEntry {
  email: string;
  proxies: Record<string, unknown>;
}

/**
 * A stand-in for one worker's local Marzban REST API (v0.8.4), enough for weclick's propagation: it reads the
 * same database a real worker would, keeps an in-memory "core" of the users it serves, and records every call.
 *   start:                  loads every active/on_hold user into its core (Marzban's include_db_users at start)
 *   PUT /api/user/{name}:   bearer token checked like Admin.get_current (HS256 with jwt.secret_key, the admin row
 *                           must exist); 404 unless the user exists; sets edit_at; then adds the user to the core
 *                           (active, on_hold) or removes it (any other status), as modify_user does.
 *   anything else:          404.
 * Not modelled: Xray itself, inbounds, share links, other endpoints.
 */
export class MarzbanApiStandin {
  readonly calls: RecordedCall[] = [];
  readonly core = new Map<string, CoreEntry>();
  private server?: Server;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly pool: Pool,
  ) {}

  async start(): Promise<void> {
    await this.loadCore();
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  serves(username: string): boolean {
    return this.core.has(username);
  }

  callsFor(username: string): RecordedCall[] {
    return this.calls.filter((c) => c.path === `/api/user/${username}`);
  }

  private async loadCore(): Promise<void> {
    this.core.clear();
    const [rows] = await this.pool.query<RowDataPacket[]>("SELECT username FROM users WHERE status IN ('active', 'on_hold')");
    for (const row of rows) await this.refresh(String(row.username));
  }

  private async refresh(username: string): Promise<boolean> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT id, status FROM users WHERE username = ?', [username]);
    const user = rows[0];
    if (!user) {
      this.core.delete(username);
      return false;
    }
    if (user.status === 'active' || user.status === 'on_hold') {
      const [proxies] = await this.pool.query<RowDataPacket[]>('SELECT type, settings FROM proxies WHERE user_id = ?', [user.id]);
      this.core.set(username, {
        email: `${user.id}.${username}`,
        proxies: Object.fromEntries(proxies.map((p) => [String(p.type).toLowerCase(), typeof p.settings === 'string' ? JSON.parse(p.settings) : p.settings])),
      });
    } else this.core.delete(username);
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?')[0]!;
    const call: RecordedCall = { method: req.method ?? '', path, body, authorized: false, status: 0, at: Date.now() };
    this.calls.push(call);
    const reply = (status: number, payload: unknown) => {
      call.status = status;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    try {
      const match = /^\/api\/user\/([^/]+)$/.exec(path);
      if (!match || req.method !== 'PUT') return reply(404, { detail: 'Not Found' });
      call.authorized = await this.authorized(req.headers.authorization);
      if (!call.authorized) return reply(401, { detail: 'Could not validate credentials' });
      const username = decodeURIComponent(match[1]!);
      await this.pool.query('UPDATE users SET edit_at = UTC_TIMESTAMP() WHERE username = ?', [username]);
      if (!(await this.refresh(username))) return reply(404, { detail: 'User not found' });
      const [rows] = await this.pool.query<RowDataPacket[]>('SELECT username, status FROM users WHERE username = ?', [username]);
      return reply(200, rows[0]);
    } catch (error) {
      return reply(500, { detail: (error as Error).message });
    }
  }

  private async authorized(header: string | undefined): Promise<boolean> {
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    const [head, payload, signature] = token?.split('.') ?? [];
    if (!head || !payload || !signature) return false;
    const [secrets] = await this.pool.query<RowDataPacket[]>('SELECT secret_key FROM jwt ORDER BY id LIMIT 1');
    const expected = createHmac('sha256', String(secrets[0]?.secret_key)).update(`${head}.${payload}`).digest('base64url');
    if (expected.length !== signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) return false;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: string; access?: string; exp?: number };
    if (!claims.sub || !['admin', 'sudo'].includes(claims.access ?? '') || (claims.exp !== undefined && claims.exp < Date.now() / 1000)) return false;
    const [admins] = await this.pool.query<RowDataPacket[]>('SELECT id FROM admins WHERE username = ?', [claims.sub]);
    return admins.length === 1;
  }
}
