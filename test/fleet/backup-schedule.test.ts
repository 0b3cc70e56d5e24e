// backup prune (retention, the 48-hour rule on the stand-in's clock) and backup schedule (systemd units written on
// mngmt over SSH, checked there by the real systemd-analyze; the test hosts run no systemd, so nothing is enabled).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderUnits } from '../../src/backup/schedule.js';
import { BIN } from '../helpers/cli.js';
import { backupWorld, CHAT, json, onHost, type BackupWorld } from '../unit/backup/fixtures/backup-world.js';
import { uniqueDatabaseName } from '../unit/backup/fixtures/marzban-db.js';
import { hostFile } from './harness.js';

let world: BackupWorld;
const DAY = 86_400_000;

beforeAll(async () => {
  // A small database: these tests are about what happens to backups, not about their size.
  world = await backupWorld({ database: uniqueDatabaseName(), users: 2_000, extraFleet: '    keep:\n      last: 2\n      daily: 0\n      weekly: 0\n      monthly: 0\n' });
}, 120_000);
afterAll(async () => {
  onHost('mngmt', 'rm -f /etc/systemd/system/weclick-backup.service /etc/systemd/system/weclick-backup.timer');
  await world?.close();
});

const idOf = (r: { stdout: string }) => /Backup (\S+) done/.exec(r.stdout)![1]!;
const present = (id: string) => world.tg.messages(CHAT).filter((m) => m.document?.file_name?.startsWith(`weclick-${id}.`)).length;

describe('backup prune', () => {
  it('deletes what Telegram still allows, marks older backups expired (their messages stay), and says so', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push(idOf(await world.run(['backup', 'now'])));
    world.tg.clock.advance(49 * 3600_000); // the first two are now past Telegram's 48 hours
    for (let i = 0; i < 3; i++) ids.push(idOf(await world.run(['backup', 'now'])));
    // Spread their times over five days (the catalog is the record the policy reads).
    const catalog = world.catalog();
    ids.forEach((id, i) => (catalog.backups.find((b) => b.id === id)!.createdAt = new Date(Date.now() - (5 - i) * DAY).toISOString()));
    world.writeCatalog(catalog);

    const dry = await world.run(['backup', 'prune', '--keep-last', '1', '--keep-daily', '2', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Policy: last 1, daily 2, weekly 0, monthly 0.');
    expect(dry.stdout).toMatch(new RegExp(`${ids[4]}\\s+keep\\s+last, daily`));
    expect(dry.stdout).toMatch(new RegExp(`${ids[3]}\\s+keep\\s+daily`));
    expect(dry.stdout).toContain('Dry run: 3 backup(s) would be dropped; nothing was deleted.');
    expect(ids.map(present)).toEqual([2, 2, 2, 2, 2]);

    const unconfirmed = await world.run(['backup', 'prune', '--keep-last', '1', '--keep-daily', '2']);
    expect(unconfirmed.code).toBe(4);

    const r = await world.run(['backup', 'prune', '--keep-last', '1', '--keep-daily', '2', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${ids[2]}: 2 message(s) deleted — marked pruned`);
    expect(r.stdout).toContain(`${ids[1]}: 0 message(s) deleted; 2 older than 48 h stay in the chat (Telegram no longer lets a bot delete them) — marked expired in the catalog`);
    expect(r.stdout).toContain('4 message(s) could not be deleted because they are older than 48 hours');
    expect(ids.map(present)).toEqual([2, 2, 0, 2, 2]);
    expect(ids.map((id) => world.entry(id).status)).toEqual(['expired', 'expired', 'pruned', 'done', 'done']);

    const list = await world.run(['backup', 'list']);
    expect(list.stdout).toMatch(new RegExp(`${ids[0]}\\s+5d ago\\s+expired`));
    // An expired backup is still in the chat, so it can still be restored.
    const check = await world.run(['backup', 'restore', ids[0]!, '--database', uniqueDatabaseName('weclick_bk_copy'), '--dry-run']);
    expect(check.code, check.stderr).toBe(0);
  });

  it('backup now --prune applies fleet.backup.keep after a successful backup', async () => {
    const r = await world.run(['backup', 'now', '--prune', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.prune.map((p: { id: string; after: string }) => p.after)).toEqual(['pruned']); // keep.last 2: the older of the two done ones goes
    expect(world.catalog().backups.filter((b) => b.status === 'done')).toHaveLength(2);
  });
});

describe('backup schedule', () => {
  const spec = { everySeconds: 6 * 3600, weclickPath: BIN, inventoryPath: '/etc/weclick/weclick.yaml', prune: true };

  it('writes both units on the management server; systemd-analyze verify (on the host) accepts them; not enabled without systemd', async () => {
    const r = await world.run(['backup', 'schedule', '--every', '6h', '--weclick-path', BIN, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Wrote the units on mngmt, but systemd is not running there: the timer is NOT enabled.');
    expect(r.stderr).toContain('warning: /etc/weclick/weclick.yaml does not exist on mngmt');
    const units = renderUnits(spec);
    expect(hostFile('mngmt', '/etc/systemd/system/weclick-backup.service')).toBe(units.service);
    expect(hostFile('mngmt', '/etc/systemd/system/weclick-backup.timer')).toBe(units.timer);
    const verify = onHost('mngmt', 'systemd-analyze verify /etc/systemd/system/weclick-backup.service /etc/systemd/system/weclick-backup.timer 2>&1; echo "rc=$?"');
    expect(verify).toBe('rc=0\n');
    expect(onHost('mngmt', 'ls -A /etc/systemd/system | grep -c weclick-tmp || true').trim()).toBe('0');
  });

  it('--dry-run shows the units and writes nothing; bad --every is a usage error', async () => {
    const dry = await world.run(['backup', 'schedule', '--every', '30m', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('OnCalendar=*-*-* *:00/30:00');
    expect(dry.stdout).toContain('Dry run: nothing was written on mngmt.');
    expect(hostFile('mngmt', '/etc/systemd/system/weclick-backup.timer')).toContain('OnCalendar=*-*-* 00/6:00:00');
    const bad = await world.run(['backup', 'schedule', '--every', '5 minutes', '--yes']);
    expect(bad.code).toBe(2);
  });

  it('--remove takes both units away', async () => {
    const r = await world.run(['backup', 'schedule', '--remove', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Removed the backup timer from mngmt.');
    expect(onHost('mngmt', 'ls /etc/systemd/system/weclick-backup.* 2>/dev/null | wc -l').trim()).toBe('0');
    const again = await world.run(['backup', 'schedule', '--remove', '--yes']);
    expect(again.stdout).toContain('No backup timer was installed on mngmt; nothing to remove.');
  });
});
