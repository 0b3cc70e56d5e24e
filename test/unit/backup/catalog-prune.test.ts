import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findEntry, readCatalog, recordPart, updateCatalog, updateEntry, type CatalogEntry, type CatalogPart } from '../../../src/backup/catalog.js';
import { pastDeleteWindow, removeMessages } from '../../../src/backup/delete-messages.js';
import { executePrune, planPrune } from '../../../src/backup/prune.js';
import { pruneLines } from '../../../src/backup/prune-run.js';
import { BotClient, normalizeApiRoot } from '../../../src/backup/telegram/client.js';
import { startTelegramStandin, type TelegramStandin } from '../../standins/telegram/index.js';

const part = (index: number, messageId: number, date = 0): CatalogPart => ({ index, name: `p${index}`, bytes: 1, sha256: 's', messageId, fileId: `f${messageId}`, fileUniqueId: 'u', date, state: 'present' });
const entry = (id: string, createdAt: string, status: CatalogEntry['status'] = 'done', parts: CatalogPart[] = []): CatalogEntry => ({ id, status, createdAt, source: { host: 'mngmt', database: 'marzban' }, chat: '-1', recipients: [], parts });

describe('catalog', () => {
  let file: string;
  beforeEach(() => {
    file = join(mkdtempSync(join(tmpdir(), 'weclick-cat-')), 'backups.catalog.json');
  });

  it('concurrent updates never lose each other (lock file + atomic rename), and the file is private', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => updateCatalog(file, (c) => void c.backups.push(entry(`id-${i}`, new Date(i * 1000).toISOString())))));
    const catalog = await readCatalog(file);
    expect(catalog.backups.map((b) => b.id).sort()).toEqual(Array.from({ length: 25 }, (_, i) => `id-${i}`).sort());
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() => statSync(`${file}.lock`)).toThrow();
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(1);
  });

  it('recording a part again (a retry) replaces it: no duplicates, kept in order', async () => {
    await updateCatalog(file, (c) => void c.backups.push(entry('a', '2025-01-01T00:00:00Z', 'uploading')));
    await updateEntry(file, 'a', (e) => recordPart(e, part(2, 20)));
    await updateEntry(file, 'a', (e) => recordPart(e, part(1, 10)));
    await updateEntry(file, 'a', (e) => recordPart(e, part(2, 21)));
    expect((await readCatalog(file)).backups[0]!.parts.map((p) => [p.index, p.messageId])).toEqual([[1, 10], [2, 21]]);
    await expect(updateEntry(file, 'nope', () => undefined)).rejects.toThrow(/not in the catalog/);
  });

  it('findEntry: exact id, unique prefix, latest usable; clear messages otherwise', () => {
    const catalog = { version: 1 as const, backups: [entry('20250101-000000-aaaa', '2025-01-01T00:00:00Z'), entry('20250102-000000-bbbb', '2025-01-02T00:00:00Z'), entry('20250103-000000-cccc', '2025-01-03T00:00:00Z', 'failed')] };
    expect(findEntry(catalog, 'latest')).toMatchObject({ ok: true, entry: { id: '20250102-000000-bbbb' } });
    expect(findEntry(catalog, '20250101')).toMatchObject({ ok: true, entry: { id: '20250101-000000-aaaa' } });
    expect(findEntry(catalog, '2025010')).toMatchObject({ ok: false, message: expect.stringContaining('matches 3 backups') });
    expect(findEntry(catalog, '20250103')).toMatchObject({ ok: false, message: expect.stringContaining('is failed') });
    expect(findEntry(catalog, 'zzz')).toMatchObject({ ok: false, message: expect.stringContaining('see weclick backup list') });
  });
});

describe('prune against the stand-in (48-hour rule on its clock)', () => {
  const TOKEN = '123456:TEST-token_abc';
  const CHAT = '-1001234567890';
  let tg: TelegramStandin;
  let client: BotClient;
  let file: string;
  beforeEach(async () => {
    tg = await startTelegramStandin({ token: TOKEN, chats: [{ id: CHAT }] });
    client = await BotClient.create({ token: TOKEN, apiRoot: normalizeApiRoot(tg.url), chat: CHAT });
    file = join(mkdtempSync(join(tmpdir(), 'weclick-prune-')), 'backups.catalog.json');
  });
  afterEach(async () => tg.close());

  /** A backup of `parts` messages sent now on the stand-in's clock. */
  async function sent(id: string, createdAt: string, status: CatalogEntry['status'] = 'done', parts = 2): Promise<CatalogEntry> {
    const list: CatalogPart[] = [];
    for (let i = 1; i <= parts; i++) {
      const m = await client.sendDocument(Buffer.from(`${id}-${i}`), `${id}.${i}`, '');
      list.push({ ...part(i, m.messageId, m.date), fileId: m.fileId });
    }
    const e = { ...entry(id, createdAt, status, list), ...(status === 'done' ? { manifest: { messageId: (await client.sendMessage(`manifest ${id}`)).messageId, date: Math.floor(tg.clock.now() / 1000), state: 'present' as const } } : {}) };
    await updateCatalog(file, (c) => void c.backups.push(e));
    return e;
  }

  it('deletes dropped backups younger than 48 h, marks older ones expired (they stay in the chat), and says so', async () => {
    await sent('old-1', '2025-01-01T10:00:00Z');
    await sent('old-2', '2025-01-02T10:00:00Z');
    tg.clock.advance(50 * 3600_000); // those two are now past Telegram's 48 hours
    await sent('new-1', '2025-01-04T10:00:00Z');
    await sent('new-2', '2025-01-04T16:00:00Z');
    await sent('broken', '2025-01-04T17:00:00Z', 'failed', 1);
    await sent('new-3', '2025-01-04T22:00:00Z');
    const plan = planPrune(await readCatalog(file), { last: 1, daily: 0, weekly: 0, monthly: 0 });
    expect(plan.keep.map((k) => k.id)).toEqual(['new-3']);
    expect(plan.drop.map((d) => d.id)).toEqual(['new-2', 'new-1', 'old-2', 'old-1']);
    expect(plan.cleanup.map((c) => c.id)).toEqual(['broken']);

    // Our own clock is not the stand-in's: Telegram's answer decides.
    const results = await executePrune(plan, client, file, new Date());
    expect(results.map((r) => [r.id, r.after, r.deleted, r.expired])).toEqual([
      ['new-2', 'pruned', 3, 0],
      ['new-1', 'pruned', 3, 0],
      ['old-2', 'expired', 0, 3],
      ['old-1', 'expired', 0, 3],
      ['broken', 'failed', 1, 0],
    ]);
    expect(tg.messages(CHAT).map((m) => m.text ?? m.document?.file_name)).toEqual(['old-1.1', 'old-1.2', 'manifest old-1', 'old-2.1', 'old-2.2', 'manifest old-2', 'new-3.1', 'new-3.2', 'manifest new-3']);
    const catalog = await readCatalog(file);
    expect(catalog.backups.find((b) => b.id === 'old-1')!.parts.map((p) => p.state)).toEqual(['expired', 'expired']);
    expect(catalog.backups.find((b) => b.id === 'new-1')!.manifest!.state).toBe('deleted');
    const lines = pruneLines(results);
    expect(lines[2]).toBe('old-2: 0 message(s) deleted; 3 older than 48 h stay in the chat (Telegram no longer lets a bot delete them) — marked expired in the catalog');
    expect(lines.at(-1)).toMatch(/6 message\(s\) could not be deleted because they are older than 48 hours/);
    // A second prune finds nothing more to do.
    const again = planPrune(catalog, { last: 1, daily: 0, weekly: 0, monthly: 0 });
    expect([again.drop.length, again.cleanup.length]).toEqual([0, 0]);
  });

  it('skips the call when our own clock already says a message is past 48 hours', async () => {
    const e = await sent('a', '2025-01-01T00:00:00Z', 'done', 1);
    const later = new Date(tg.clock.now() + 49 * 3600_000);
    expect(pastDeleteWindow(e.parts[0]!.date, later)).toBe(true);
    const before = tg.requests.length;
    const outcome = await removeMessages(client, e, later);
    expect(tg.requests.length).toBe(before); // no deleteMessage sent
    expect([outcome.deleted, outcome.expired]).toEqual([0, 2]);
  });
});
