// STAND-IN for a worker's Xray inbound in HAProxy tests: a tiny TCP server that parses the PROXY protocol v2
// header HAProxy sends (send-proxy-v2, so the config under test is the real one), greets with its name, then
// echoes. Health checks (PROXY v2 LOCAL) are counted and closed.
import { connect, createServer, type Server, type Socket } from 'node:net';

const SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

export interface ProxyHeader {
  command: 'LOCAL' | 'PROXY';
  family: number;
  source?: { address: string; port: number };
  destination?: { address: string; port: number };
  /** Bytes the header took. */
  length: number;
}

/** Parses a PROXY v2 header at the start of `data`: null while incomplete; throws when it is not one. */
export function parseProxyV2(data: Buffer): ProxyHeader | null {
  if (data.length < 16) {
    if (!SIGNATURE.subarray(0, Math.min(12, data.length)).equals(data.subarray(0, Math.min(12, data.length)))) throw new Error('not a PROXY v2 header');
    return null;
  }
  if (!data.subarray(0, 12).equals(SIGNATURE)) throw new Error('not a PROXY v2 header');
  const versionCommand = data[12]!;
  if (versionCommand >> 4 !== 2) throw new Error(`PROXY version ${versionCommand >> 4}, not 2`);
  const length = 16 + data.readUInt16BE(14);
  if (data.length < length) return null;
  const command = (versionCommand & 0x0f) === 1 ? 'PROXY' : 'LOCAL';
  const family = data[13]!;
  const header: ProxyHeader = { command, family, length };
  if (command === 'PROXY' && family >> 4 === 1) {
    const ip = (offset: number) => [...data.subarray(offset, offset + 4)].join('.');
    header.source = { address: ip(16), port: data.readUInt16BE(24) };
    header.destination = { address: ip(20), port: data.readUInt16BE(26) };
  }
  return header;
}

export interface Backend {
  name: string;
  address: string;
  port: number;
  /** Client connections (PROXY command) seen so far, with the client address HAProxy reported. */
  connections: Array<{ source?: { address: string; port: number } }>;
  healthChecks: number;
  open: Set<Socket>;
  close(): Promise<void>;
}

export async function startBackend(name: string, address: string, port: number): Promise<Backend> {
  const open = new Set<Socket>();
  const backend = { name, address, port, connections: [], healthChecks: 0, open } as unknown as Backend;
  const server: Server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    let header: ProxyHeader | null = null;
    socket.on('data', (chunk: Buffer) => {
      if (header) return void socket.write(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      try {
        header = parseProxyV2(buffered);
      } catch {
        return void socket.destroy();
      }
      if (!header) return;
      if (header.command === 'LOCAL') {
        backend.healthChecks++;
        return void socket.end();
      }
      backend.connections.push({ source: header.source });
      socket.write(`hello from ${name}\n`);
      const rest = buffered.subarray(header.length);
      if (rest.length > 0) socket.write(rest);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  backend.close = () =>
    new Promise<void>((resolve) => {
      for (const s of open) s.destroy();
      server.close(() => resolve());
    });
  return backend;
}

/** Opens a connection through the entry point and resolves with the greeting line and the socket. */
export function connectThrough(address: string, port: number, timeoutMs = 5000): Promise<{ greeting: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port });
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no greeting from ${address}:${port} within ${timeoutMs} ms`))), timeoutMs);
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString();
      const newline = data.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        socket.removeAllListeners('data');
        resolve({ greeting: data.slice(0, newline), socket });
      }
    });
    socket.on('error', (error) => (clearTimeout(timer), reject(error)));
    socket.on('close', () => (clearTimeout(timer), reject(new Error(`connection closed before a greeting (got ${JSON.stringify(data)})`))));
  });
}

/** Sends a line on an open connection and waits for its echo. */
export function echo(socket: Socket, text: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const timer = setTimeout(() => reject(new Error(`no echo within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      data += chunk.toString();
      if (data.includes('\n')) {
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(data.trim());
      }
    };
    socket.on('data', onData);
    socket.write(`${text}\n`);
  });
}
