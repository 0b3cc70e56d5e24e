import { stat } from 'node:fs/promises';
import { tooOpen, tooOpenMessage } from '../secrets/file-mode.js';
import type { Client } from 'ssh2';
import type { HostKeyVerdict } from './known-hosts.js';
import { describeRefusal, verifyPresentedKey, type KnownHosts } from './host-keys.js';
import { HostSession } from './session.js';
import type { HostTarget } from './target.js';

export type ConnectFailure = 'unreachable' | 'host-key' | 'auth';

/** A host we could not get a session on; `kind` decides how it is reported. */
export class ConnectError extends Error {
  constructor(
    readonly kind: ConnectFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

export interface ConnectOptions {
  knownHosts: KnownHosts;
  knownHostsFile: string;
  connectTimeoutMs: number;
  /** Keepalive so a dead link is noticed instead of hanging forever (ssh2's default is off). */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  agentSocket?: string;
  /** Retries of a handshake reset before anything ran (sshd MaxStartups drops). */
  handshakeRetries?: number;
}

/** Opens a session, verifying the host key against known_hosts. Nothing is ever accepted silently. */
export async function connect(target: HostTarget, options: ConnectOptions): Promise<HostSession> {
  const retries = options.handshakeRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await connectOnce(target, options);
    } catch (error) {
      const retryable = error instanceof ConnectError && error.kind === 'unreachable' && /before handshake|ECONNRESET|reset by peer/i.test(error.message);
      if (!retryable || attempt >= retries) throw error;
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt + Math.random() * 100));
    }
  }
}

async function connectOnce(target: HostTarget, options: ConnectOptions): Promise<HostSession> {
  // As OpenSSH does: a private key others may read is refused, with the fix.
  if (target.keyPath) {
    const info = await stat(target.keyPath).catch(() => undefined);
    if (info && tooOpen(info.mode)) throw new ConnectError('auth', tooOpenMessage(target.keyPath, info.mode));
  }
  const { NodeSSH } = await import('node-ssh');
  const ssh = new NodeSSH();
  let presented: Buffer | undefined;
  let verdict: HostKeyVerdict | undefined;
  const started = Date.now();
  try {
    await ssh.connect({
      host: target.address,
      port: target.port,
      username: target.user,
      ...(target.keyPath ? { privateKeyPath: target.keyPath } : { agent: options.agentSocket ?? process.env.SSH_AUTH_SOCK }),
      readyTimeout: options.connectTimeoutMs,
      keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: options.keepaliveCountMax ?? 3,
      hostVerifier: (key: Buffer) => {
        presented = key;
        verdict = verifyPresentedKey(options.knownHosts, target, key);
        return verdict.kind === 'trusted';
      },
    });
  } catch (error) {
    ssh.dispose();
    if (verdict && verdict.kind !== 'trusted' && presented) {
      throw new ConnectError('host-key', describeRefusal(verdict, target, presented, options.knownHostsFile));
    }
    throw classify(target, error as Error & { code?: string; level?: string });
  }
  return new HostSession(target, ssh.connection as Client, Date.now() - started);
}

function classify(target: HostTarget, error: Error & { code?: string; level?: string }): ConnectError {
  const where = `${target.user}@${target.address}:${target.port}`;
  const message = error.message ?? String(error);
  if (/privateKeyPath does not exist/.test(message)) return new ConnectError('auth', `key file ${target.keyPath} not found`);
  if (error.level === 'client-authentication' || /authentication methods failed/i.test(message)) {
    return new ConnectError('auth', `authentication failed for ${where} (${target.keyPath ? `key ${target.keyPath}` : 'ssh-agent'})`);
  }
  if (/Cannot parse privateKey|Encrypted private (OpenSSH )?key detected/i.test(message)) return new ConnectError('auth', `cannot use key ${target.keyPath}: ${message}`);
  if (/timed out|ETIMEDOUT/i.test(message)) return new ConnectError('unreachable', `${where} did not answer within the connect timeout`);
  if (error.code === 'ECONNREFUSED') return new ConnectError('unreachable', `${where} refused the connection`);
  if (error.code === 'EHOSTUNREACH' || error.code === 'ENETUNREACH') return new ConnectError('unreachable', `${where} is unreachable (${error.code})`);
  return new ConnectError('unreachable', `${where}: ${message}`);
}
