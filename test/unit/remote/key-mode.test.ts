// A private key others may read is refused before any connection is tried, as OpenSSH refuses it.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect, ConnectError } from '../../../src/remote/connect.js';

describe('the SSH private key file', () => {
  it('group- or world-readable: refused with the chmod fix, nothing contacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weclick-key-'));
    const key = join(dir, 'id_ed25519');
    writeFileSync(key, 'not a real key\n');
    chmodSync(key, 0o644);
    // 127.0.0.2 has no sshd: the refusal comes before any attempt to reach it.
    const target = { name: 'srv1', hostname: 'srv1.weclick.test', address: '127.0.0.2', port: 22, user: 'root', keyPath: key };
    const error = await connect(target, { knownHosts: { entries: [] } as never, knownHostsFile: join(dir, 'known_hosts'), connectTimeoutMs: 1000, handshakeRetries: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.kind).toBe('auth');
    expect(error.message).toBe(`${key} is readable by group or others (mode 0644): run chmod 600 ${key}`);
  });
});
