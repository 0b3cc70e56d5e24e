import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCachedInventory, writeCachedInventory } from '../../../src/inventory/cache.js';
import type { Inventory } from '../../../src/inventory/schema.js';

const inventory = { fleet: { domain: 'weclick.tech' }, servers: [] } as unknown as Inventory;
let saved: string | undefined;

beforeEach(() => {
  saved = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'weclick-cache-'));
});
afterEach(() => {
  if (saved === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = saved;
});

describe('validated-inventory cache', () => {
  it('serves the model only for the exact bytes and version it was validated for', async () => {
    const bytes = Buffer.from('fleet:\n  domain: weclick.tech\n');
    expect(await readCachedInventory('/srv/weclick.yaml', bytes, '1.0.0')).toBeUndefined();
    await writeCachedInventory('/srv/weclick.yaml', bytes, '1.0.0', inventory);
    expect(await readCachedInventory('/srv/weclick.yaml', bytes, '1.0.0')).toEqual(inventory);
    expect(await readCachedInventory('/srv/weclick.yaml', Buffer.from('fleet:\n  domain: weclick.tech \n'), '1.0.0')).toBeUndefined();
    expect(await readCachedInventory('/srv/weclick.yaml', bytes, '1.0.1')).toBeUndefined();
    expect(await readCachedInventory('/srv/other.yaml', bytes, '1.0.0')).toBeUndefined();
  });

  it('keeps its files private to the user', async () => {
    await writeCachedInventory('/srv/weclick.yaml', 'x', '1.0.0', inventory);
    const dir = join(process.env.XDG_CACHE_HOME!, 'weclick');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
  });

  it('treats an unwritable or corrupt cache as a miss, never an error', async () => {
    // A regular file where the cache folder would go: mkdir fails with ENOTDIR.
    const blocker = join(process.env.XDG_CACHE_HOME!, 'not-a-dir');
    writeFileSync(blocker, '');
    process.env.XDG_CACHE_HOME = blocker;
    await expect(writeCachedInventory('/srv/weclick.yaml', 'x', '1', inventory)).resolves.toBeUndefined();
    await expect(readCachedInventory('/srv/weclick.yaml', Buffer.from('x'), '1')).resolves.toBeUndefined();
  });
});
