// weclick's native-crypto STREAM against the age-encryption package: whatever weclick writes, the package (and so
// any age implementation) must read back exactly, and must refuse when a byte is changed or the end is cut off.
import { randomBytes } from 'node:crypto';
import * as age from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { checkIdentities, encryptToAge, newKeyPair, STREAM_CHUNK } from '../../../src/backup/age.js';

async function encrypt(data: Buffer, recipients: string[], pieces = 3): Promise<Buffer> {
  const source = (async function* () {
    const step = Math.max(1, Math.ceil(data.length / pieces));
    for (let i = 0; i < data.length; i += step) yield data.subarray(i, i + step);
  })();
  const out: Buffer[] = [];
  for await (const chunk of encryptToAge(source, recipients)) out.push(chunk);
  return Buffer.concat(out);
}

async function decrypt(file: Buffer, identity: string): Promise<Buffer> {
  const d = new age.Decrypter();
  d.addIdentity(identity);
  return Buffer.from(await d.decrypt(file));
}

describe('encryptToAge', () => {
  it('the age-encryption package decrypts it exactly, for sizes around the 64 KiB chunk boundary and for 0 bytes', async () => {
    const identity = await age.generateX25519Identity();
    const recipient = await age.identityToRecipient(identity);
    for (const size of [0, 1, STREAM_CHUNK - 1, STREAM_CHUNK, STREAM_CHUNK + 1, 3 * STREAM_CHUNK, 3 * STREAM_CHUNK + 17]) {
      const data = randomBytes(size);
      const file = await encrypt(data, [recipient], 5);
      expect(file.subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');
      expect((await decrypt(file, identity)).equals(data), `size ${size}`).toBe(true);
    }
  });

  it('works for every recipient, and never writes the file key or the plaintext in the clear', async () => {
    const a = await age.generateX25519Identity();
    const b = await age.generateX25519Identity();
    const data = Buffer.from('secret row data '.repeat(10_000));
    const file = await encrypt(data, [await age.identityToRecipient(a), await age.identityToRecipient(b)]);
    expect((await decrypt(file, a)).equals(data)).toBe(true);
    expect((await decrypt(file, b)).equals(data)).toBe(true);
    expect(file.includes('secret row data')).toBe(false);
    expect((file.toString('latin1').match(/^-> X25519 /gm) ?? []).length).toBe(2); // exactly the two real stanzas
  });

  it('a changed byte or a cut-off end is refused by the decrypter', async () => {
    const identity = await age.generateX25519Identity();
    const file = await encrypt(randomBytes(200_000), [await age.identityToRecipient(identity)]);
    const flipped = Buffer.from(file);
    flipped[flipped.length - 1000]! ^= 1;
    await expect(decrypt(flipped, identity)).rejects.toThrow();
    await expect(decrypt(file.subarray(0, file.length - 70_000), identity)).rejects.toThrow();
  });

  it('checkIdentities names both public keys when the identity is not a recipient', async () => {
    const mine = await newKeyPair(new Date('2025-01-01T00:00:00Z'));
    const theirs = await age.generateX25519Identity();
    const file = await encrypt(Buffer.from('x'), [mine.recipient]);
    await expect(checkIdentities(file, [theirs], [mine.recipient], 'key.txt')).rejects.toThrow(`the age identity in key.txt cannot decrypt this backup: its public key ${await age.identityToRecipient(theirs)} is not among the backup's recipients (${mine.recipient})`);
    const identity = mine.identityFile.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1'))!;
    await expect(checkIdentities(file, [identity], [mine.recipient], 'key.txt')).resolves.toBeUndefined();
    expect(mine.identityFile).toMatch(/^# created: 2025-01-01T00:00:00Z\n# public key: age1[0-9a-z]{58}\nAGE-SECRET-KEY-1[0-9A-Z]+\n$/);
  });
});
