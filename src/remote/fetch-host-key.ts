import type { HostTarget } from './target.js';

/**
 * Reads the key a host presents during key exchange, without authenticating or running anything:
 * the verifier keeps the key and refuses, which ends the handshake.
 */
export async function fetchHostKey(target: HostTarget, timeoutMs: number): Promise<Buffer> {
  const { Client } = await import('ssh2');
  return new Promise((resolve, reject) => {
    const client = new Client();
    let key: Buffer | undefined;
    const finish = (error?: Error) => {
      client.end();
      if (key) resolve(key);
      else reject(error ?? new Error(`${target.address}:${target.port} closed before presenting a key`));
    };
    client.on('error', (error) => finish(error));
    client.on('close', () => finish());
    client.connect({
      host: target.address,
      port: target.port,
      username: target.user,
      readyTimeout: timeoutMs,
      hostVerifier: (presented: Buffer) => {
        key = presented;
        return false;
      },
    });
  });
}
