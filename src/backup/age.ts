// age encryption (age-encryption.org/v1). The age-encryption package makes the header — the file key wrapped for
// each recipient (X25519), the header MAC, the payload nonce — and decrypts; the payload of a backup is encrypted
// here with Node's native ChaCha20-Poly1305, in age's STREAM construction, because the package's pure-JS cipher
// (~70 MB/s) would be the slowest step of a backup. Every backup test decrypts with the package, so the two agree.
import { createCipheriv, hkdfSync } from 'node:crypto';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';

const age = () => import('age-encryption');

/** age's STREAM: 64 KiB plaintext chunks, each sealed with nonce = 11-byte big-endian counter ‖ last-chunk flag. */
export const STREAM_CHUNK = 64 * 1024;
const TAG = 16;

/**
 * Encrypts a stream to the recipients, yielding an age file: header and nonce first (made by the package), then
 * the sealed chunks. A full chunk is sealed only once more data follows, so the last one carries the final flag.
 */
export async function* encryptToAge(source: AsyncIterable<Uint8Array>, recipients: string[]): AsyncGenerator<Buffer> {
  const { Encrypter } = await age();
  const encrypter = new Encrypter();
  for (const recipient of recipients) encrypter.addRecipient(recipient);
  let fileKey: Uint8Array | undefined;
  // Adds no stanza: it only sees the file key, which the real recipients' stanzas wrap.
  encrypter.addRecipient({ wrapFileKey: (key: Uint8Array) => ((fileKey = key), []) });
  // An empty file is header ‖ nonce ‖ one empty final chunk (its 16-byte tag): keep the first two.
  const empty = await encrypter.encrypt(new Uint8Array(0));
  const prefix = Buffer.from(empty.subarray(0, empty.length - TAG));
  const nonce = prefix.subarray(prefix.length - 16);
  if (!fileKey || !prefix.subarray(0, 21).equals(Buffer.from('age-encryption.org/v1'))) throw new Error('age header could not be made');
  const key = Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));
  yield prefix;

  const pending = Buffer.allocUnsafe(STREAM_CHUNK);
  let held = 0;
  let counter = 0n;
  // Ciphertext then tag, as two buffers: joining them would only make garbage.
  const seal = (plain: Buffer, last: boolean): Buffer[] => {
    const iv = Buffer.alloc(12);
    iv.writeBigUInt64BE(counter, 3); // 11-byte counter; 2^64 chunks is beyond any dump
    iv[11] = last ? 1 : 0;
    counter++;
    const cipher = createCipheriv('chacha20-poly1305', key, iv, { authTagLength: TAG });
    const sealed = cipher.update(plain);
    cipher.final(); // a stream cipher: nothing is left over
    return [sealed, cipher.getAuthTag()];
  };
  for await (const chunk of source) {
    let at = 0;
    while (at < chunk.byteLength) {
      if (held === STREAM_CHUNK) {
        yield* seal(pending, false);
        held = 0;
      }
      const take = Math.min(STREAM_CHUNK - held, chunk.byteLength - at);
      pending.set(chunk.subarray(at, at + take), held);
      held += take;
      at += take;
    }
  }
  yield* seal(pending.subarray(0, held), true);
}

export async function decryptStream(input: ReadableStream<Uint8Array>, identities: string[]): Promise<ReadableStream<Uint8Array>> {
  const { Decrypter } = await age();
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  return decrypter.decrypt(input);
}

export async function recipientsOf(identities: string[]): Promise<string[]> {
  const { identityToRecipient } = await age();
  return Promise.all(identities.map((i) => identityToRecipient(i)));
}

/** A new X25519 pair (age1… fits fleet.backup.recipients), in age-keygen's file format. */
export async function newKeyPair(now: Date): Promise<{ identityFile: string; recipient: string }> {
  const { generateX25519Identity, identityToRecipient } = await age();
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  return { identityFile: `# created: ${now.toISOString().replace(/\.\d+Z$/, 'Z')}\n# public key: ${recipient}\n${identity}\n`, recipient };
}

/**
 * Opens the age header of a backup's first part with the given identities, before anything is loaded anywhere:
 * a wrong key is a clear error naming both sides' public keys, not a failure half-way through a restore.
 */
export async function checkIdentities(firstPart: Buffer, identities: string[], backupRecipients: string[], source: string): Promise<void> {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(firstPart));
      controller.close();
    },
  });
  try {
    const out = await decryptStream(stream, identities);
    await out.cancel().catch(() => undefined);
  } catch (error) {
    const message = (error as Error).message;
    if (/no identity matched/.test(message)) {
      const mine = await recipientsOf(identities).catch(() => []);
      throw new WeclickError(`the age identity in ${source} cannot decrypt this backup: its public key ${mine.join(', ') || '(unknown)'} is not among the backup's recipients (${backupRecipients.join(', ')})`, { exitCode: EXIT.badInput });
    }
    throw new WeclickError(`the backup's encryption header is damaged (${message})`);
  }
}
