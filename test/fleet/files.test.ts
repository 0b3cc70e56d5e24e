import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/load.js';
import { connect } from '../../src/remote/connect.js';
import { putFile } from '../../src/remote/files.js';
import { fleetContext } from '../../src/remote/fleet-context.js';
import { MAX_CHANNELS_PER_CONNECTION, type HostSession } from '../../src/remote/session.js';
import { hostFile, testInventory } from './harness.js';

let session: HostSession;
let deploySession: HostSession;

async function open(user?: string): Promise<HostSession> {
  const inv = testInventory([{ name: 'srv2', ...(user ? { user } : {}) }], { trust: true });
  const loaded = await loadInventory(inv.file);
  if (!loaded.ok) throw new Error('test inventory invalid');
  const context = await fleetContext(loaded, loaded.inventory.servers);
  return connect(context.targets[0]!, context.connect);
}

beforeAll(async () => {
  session = await open();
  deploySession = await open('deploy');
});
afterAll(() => {
  session?.close();
  deploySession?.close();
});

describe('putFile on a real host', () => {
  const path = `/opt/weclick-test/${randomBytes(3).toString('hex')}/app.conf`;

  it('creates, then reports unchanged, then shows a diff for a change, and writes atomically with the mode asked', async () => {
    const first = await putFile(session, { path, content: 'a=1\nb=2\n', mode: 0o640 });
    expect(first).toMatchObject({ changed: true, reason: 'created' });
    expect(hostFile('srv2', path)).toBe('a=1\nb=2\n');
    expect((await session.run(['stat', '-c', '%a', path])).stdout.trim()).toBe('640');

    expect(await putFile(session, { path, content: 'a=1\nb=2\n', mode: 0o640 })).toMatchObject({ changed: false, reason: 'unchanged' });

    const dry = await putFile(session, { path, content: 'a=1\nb=3\n', mode: 0o640 }, { dryRun: true });
    expect(dry.changed).toBe(true);
    expect(dry.diff).toContain('-b=2');
    expect(dry.diff).toContain('+b=3');
    expect(hostFile('srv2', path)).toBe('a=1\nb=2\n');

    expect(await putFile(session, { path, content: 'a=1\nb=3\n', mode: 0o640 })).toMatchObject({ changed: true, reason: 'content' });
    expect(hostFile('srv2', path)).toBe('a=1\nb=3\n');
    expect(await putFile(session, { path, content: 'a=1\nb=3\n', mode: 0o600 })).toMatchObject({ changed: true, reason: 'mode' });
    const leftovers = await session.shell(`ls -a ${path.replace(/\/app\.conf$/, '')}`);
    expect(leftovers.stdout.split('\n').filter((f) => f.includes('weclick-'))).toEqual([]);
  });

  it('never shows the content of a sensitive file in a diff', async () => {
    const secretPath = `${path}.secret`;
    const change = await putFile(session, { path: secretPath, content: 'PASSWORD=hunter2-very-secret\n', mode: 0o600, sensitive: true }, { dryRun: true });
    expect(change.diff).not.toContain('hunter2');
    expect(change.diff).toContain('sensitive');
  });

  it('writes root-owned files through sudo -n for a non-root user', async () => {
    const rootPath = `/etc/weclick-test-${randomBytes(3).toString('hex')}.conf`;
    expect(await putFile(deploySession, { path: rootPath, content: 'x\n', mode: 0o644, owner: 'root' })).toMatchObject({ changed: true });
    expect((await deploySession.run(['stat', '-c', '%U %a', rootPath])).stdout.trim()).toBe('root 644');
    await deploySession.run(['rm', '-f', rootPath], { sudo: true });
  });
});

describe('one connection, many channels', () => {
  it(`runs ${MAX_CHANNELS_PER_CONNECTION * 3} commands at once on one connection without exceeding sshd's MaxSessions`, async () => {
    const results = await Promise.all(Array.from({ length: MAX_CHANNELS_PER_CONNECTION * 3 }, (_, i) => session.run(['sh', '-c', `sleep 0.2; echo ${i}`])));
    expect(results.map((r) => r.stdout.trim())).toEqual(results.map((_, i) => String(i)));
    expect(results.every((r) => r.code === 0)).toBe(true);
  });

  it('streams stdin and stdout as Node streams (5 MB through cat, byte-identical)', async () => {
    const data = randomBytes(5 * 1024 * 1024);
    const spawned = await session.spawn(['sha256sum']);
    const out: Buffer[] = [];
    spawned.stdout.on('data', (c: Buffer) => out.push(c));
    spawned.stdin.end(data);
    const end = await spawned.done;
    expect(end.code).toBe(0);
    expect(Buffer.concat(out).toString().split(' ')[0]).toBe(createHash('sha256').update(data).digest('hex'));
  });
});
