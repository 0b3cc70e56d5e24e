import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccessTxt } from '../../../src/outline/access.js';
import { OutlineClient, OutlineError } from '../../../src/outline/client.js';
import { selfSignedPair, startOutlineStandin, type OutlineStandin } from '../../standins/outline/server.js';

let outline: OutlineStandin;
let client: OutlineClient;

beforeAll(async () => {
  outline = await startOutlineStandin();
  client = new OutlineClient({ apiUrl: outline.apiUrl, certSha256: outline.certSha256 });
});
afterAll(() => outline?.close());

describe('Outline management API client with the certificate pinned', () => {
  it('creates, lists, renames, limits and deletes keys', async () => {
    const key = await client.createKey({ name: 'alice', limit: { bytes: 50 * 1024 ** 3 } });
    expect(key).toMatchObject({ id: '0', name: 'alice', dataLimit: { bytes: 50 * 1024 ** 3 }, accessUrl: expect.stringMatching(/^ss:\/\//) });
    await client.renameKey(key.id, 'alice (phone)');
    await client.setKeyLimit(key.id, 1000);
    expect(await client.getKey(key.id)).toMatchObject({ name: 'alice (phone)', dataLimit: { bytes: 1000 } });
    await client.removeKeyLimit(key.id);
    expect((await client.listKeys()).map((k) => [k.id, k.dataLimit])).toEqual([['0', undefined]]);
    outline.transfer.set('0', 12345);
    expect(await client.transfer()).toEqual({ '0': 12345 });
    await client.deleteKey(key.id);
    expect(await client.listKeys()).toEqual([]);
    expect(await client.server()).toMatchObject({ version: '1.12.3' });
  });

  it('an unknown key is a 404 with Outline\'s NotFoundError', async () => {
    const error = await client.deleteKey('99').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutlineError);
    expect(error).toMatchObject({ status: 404, message: 'DELETE /access-keys/{id} answered 404 (NotFoundError: No access key found with id 99)' });
  });

  it('a certificate that does not match the pin: refused before anything is sent (the secret path never leaves)', async () => {
    const other = selfSignedPair('127.0.0.1');
    const impostor = await startOutlineStandin({ cert: other.cert, key: other.key, prefix: 'the-secret-prefix' });
    try {
      const pinned = new OutlineClient({ apiUrl: impostor.apiUrl, certSha256: outline.certSha256 });
      const error = await pinned.listKeys().catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'pin', message: expect.stringMatching(/^certificate fingerprint mismatch for 127\.0\.0\.1:\d+: expected [0-9A-F]{64}, got [0-9A-F]{64}; refusing to send anything$/) });
      expect(String((error as Error).message)).not.toContain('the-secret-prefix');
      expect(impostor.requests).toEqual([]);
    } finally {
      await impostor.close();
    }
  });

  it('accepts the pin with colons and in lower case, as some tools print it', async () => {
    const colons = outline.certSha256.toLowerCase().match(/../g)!.join(':');
    expect(await new OutlineClient({ apiUrl: outline.apiUrl, certSha256: colons }).listKeys()).toEqual([]);
  });

  it('a wrong prefix is a 404: the prefix is the only credential', async () => {
    const wrong = new OutlineClient({ apiUrl: outline.apiUrl.replace(/\/[^/]+$/, '/guess'), certSha256: outline.certSha256 });
    await expect(wrong.listKeys()).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a plain-http apiUrl or a malformed pin up front', () => {
    expect(() => new OutlineClient({ apiUrl: 'http://127.0.0.1:1/x', certSha256: 'A'.repeat(64) })).toThrow(/https/);
    expect(() => new OutlineClient({ apiUrl: 'https://127.0.0.1:1/x', certSha256: 'xyz' })).toThrow(/64 hex/);
  });

  it('an unreachable server is one clear error', async () => {
    const gone = new OutlineClient({ apiUrl: 'https://127.0.0.1:1/x', certSha256: 'A'.repeat(64) }, { timeoutMs: 2000 });
    await expect(gone.listKeys()).rejects.toMatchObject({ kind: 'network', message: expect.stringContaining('cannot reach 127.0.0.1:1') });
  });
});

describe('access.txt', () => {
  it('reads apiUrl and certSha256 as the installer writes them', () => {
    expect(parseAccessTxt(`certSha256:${'ab'.repeat(32)}\napiUrl:https://198.51.100.22:8081/Xy-z_\n`)).toEqual({ certSha256: 'AB'.repeat(32), apiUrl: 'https://198.51.100.22:8081/Xy-z_' });
    expect(parseAccessTxt('garbage')).toEqual({});
  });
});
