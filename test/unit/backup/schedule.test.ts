// The systemd units are data: rendered here, checked by the real `systemd-analyze verify` (Debian's systemd
// package is installed on the test machine), and installed by a script run for real into a temp folder.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installCommand, parseEvery, removeCommand, renderUnits, SERVICE_UNIT, TIMER_UNIT, timerLines, UNIT_DIR } from '../../../src/backup/schedule.js';
import { BIN } from '../../helpers/cli.js';

function systemdAnalyze(): string {
  const found = spawnSync('sh', ['-c', 'command -v systemd-analyze']);
  if (found.status !== 0) throw new Error('systemd-analyze is missing: install Debian\'s systemd package (apt-get install systemd) to check the rendered units');
  return found.stdout.toString().trim();
}

/** systemd-analyze verify on the units as files; an ExecStart that exists is needed, so weclick's own bin/run.js is used. */
function verifyUnits(units: { service: string; timer: string }): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'weclick-units-'));
  writeFileSync(join(dir, SERVICE_UNIT), units.service);
  writeFileSync(join(dir, TIMER_UNIT), units.timer);
  const r = spawnSync(systemdAnalyze(), ['verify', join(dir, SERVICE_UNIT), join(dir, TIMER_UNIT)], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const spec = { everySeconds: 6 * 3600, weclickPath: BIN, inventoryPath: '/etc/weclick/weclick.yaml', prune: true };

describe('backup schedule units', () => {
  it('render a oneshot service running `weclick backup now --prune` and a persistent 6-hourly timer', () => {
    const units = renderUnits(spec);
    expect(units.service).toContain(`ExecStart=${BIN} backup now --prune --inventory /etc/weclick/weclick.yaml`);
    expect(units.service).toMatch(/^Type=oneshot$/m);
    expect(units.service).toMatch(/^ReadWritePaths=\/etc\/weclick$/m); // the catalog is written beside the inventory
    expect(units.timer).toMatch(/^OnCalendar=\*-\*-\* 00\/6:00:00$/m);
    expect(units.timer).toMatch(/^Persistent=true$/m);
    expect(units.timer).toMatch(/^WantedBy=timers.target$/m);
  });

  it('pass `systemd-analyze verify` with no warning, for every kind of interval', () => {
    for (const every of ['15m', '30m', '1h', '6h', '8h', '1d', '90m', '5h', '7d']) {
      const result = verifyUnits(renderUnits({ ...spec, everySeconds: parseEvery(every)! }));
      expect({ every, ...result }).toEqual({ every, status: 0, output: '' });
    }
  });

  it('systemd-analyze does catch a broken unit (the check is real)', () => {
    const units = renderUnits(spec);
    const broken = verifyUnits({ ...units, timer: units.timer.replace(/OnCalendar=.*/, 'OnCalendar=every so often') });
    expect(broken.status).not.toBe(0);
    expect(broken.output).toMatch(/Failed to parse calendar specification/);
  });

  it('--every: calendar schedules when the interval divides an hour or a day, else counted from the last run', () => {
    expect(timerLines(parseEvery('30m')!)).toEqual(['OnCalendar=*-*-* *:00/30:00', 'Persistent=true']);
    expect(timerLines(parseEvery('12h')!)).toEqual(['OnCalendar=*-*-* 00/12:00:00', 'Persistent=true']);
    expect(timerLines(parseEvery('1d')!)).toEqual(['OnCalendar=*-*-* 03:00:00', 'Persistent=true']);
    expect(timerLines(parseEvery('5h')!)).toEqual(['OnBootSec=15min', 'OnUnitActiveSec=300min']);
    expect(['10m', '32d', '6 hours', '0h', ''].map(parseEvery)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('refuses paths that would need quoting in a unit file', () => {
    expect(() => renderUnits({ ...spec, weclickPath: '/opt/my weclick/bin' })).toThrow(/plain absolute path/);
  });

  it('the install script writes both units atomically and, without systemd running, says NO_SYSTEMD; remove takes them away', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weclick-unitdir-'));
    const units = renderUnits(spec);
    const argv = installCommand(units, { ...spec, inventoryPath: join(dir, 'missing.yaml') }).map((a) => (a === UNIT_DIR ? dir : a));
    const out = execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    expect(existsSync('/run/systemd/system')).toBe(false); // this test machine runs no systemd
    expect(out.split('\n')).toEqual(['MISSING_INVENTORY', 'NO_SYSTEMD', '']);
    expect(readFileSync(join(dir, SERVICE_UNIT), 'utf8')).toBe(units.service);
    expect(readFileSync(join(dir, TIMER_UNIT), 'utf8')).toBe(units.timer);
    expect(execFileSync('ls', ['-A', dir], { encoding: 'utf8' }).trim().split('\n').sort()).toEqual([SERVICE_UNIT, TIMER_UNIT]); // no temp files left
    const remove = removeCommand().map((a) => (a === UNIT_DIR ? dir : a));
    expect(execFileSync(remove[0]!, remove.slice(1), { encoding: 'utf8' })).toBe('NO_SYSTEMD\nPRESENT=yes\n');
    expect(existsSync(join(dir, TIMER_UNIT))).toBe(false);
    expect(execFileSync(remove[0]!, remove.slice(1), { encoding: 'utf8' })).toBe('NO_SYSTEMD\nPRESENT=no\n');
  });
});
