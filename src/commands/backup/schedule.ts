import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { findServer } from '../../inventory/select.js';
import { changeFlags } from '../../ui/change-flags.js';
import { confirmChange } from '../../ui/confirm.js';
import { WeclickError } from '../../ui/errors.js';
import { EXIT } from '../../ui/exit-codes.js';

export default class BackupSchedule extends WeclickCommand {
  static summary = 'Install (or --remove) a systemd timer on the management server that runs `weclick backup now` there.';
  static description = `Writes weclick-backup.service and weclick-backup.timer to /etc/systemd/system on the management server
(atomically), then reloads systemd and enables the timer. The server needs weclick installed (--weclick-path) and an
inventory (--remote-inventory) with its .env (TELEGRAM_BOT_TOKEN, MYSQL_ADMIN_*), known_hosts and an SSH key file
beside it — but never the age identity: it encrypts to the public keys only. Where systemd is not running (a
container), the units are written and weclick says they are not enabled.

Exit codes: 0 installed or removed · 1 the host failed · 2 bad --every · 4 not confirmed.`;
  static examples = [
    '<%= config.bin %> backup schedule --every 6h',
    '<%= config.bin %> backup schedule --every 1d --weclick-path /usr/bin/weclick --remote-inventory /etc/weclick/weclick.yaml',
    '<%= config.bin %> backup schedule --remove',
  ];
  static flags = {
    ...changeFlags,
    every: Flags.string({ default: '6h', summary: 'Interval: 30m, 6h, 1d … (15 minutes to 31 days).' }),
    remove: Flags.boolean({ default: false, summary: 'Disable the timer and delete both units.' }),
    host: Flags.string({ summary: 'Server to install on (default: the management server).' }),
    'weclick-path': Flags.string({ default: '/usr/local/bin/weclick', summary: 'weclick on that server.' }),
    'remote-inventory': Flags.string({ default: '/etc/weclick/weclick.yaml', summary: 'The inventory on that server.' }),
    'no-prune': Flags.boolean({ default: false, summary: 'Do not apply the retention policy after each backup.' }),
    'connect-timeout': Flags.integer({ min: 1, max: 300, summary: 'Seconds to wait for a host to answer.' }),
  };

  async run() {
    const { flags } = await this.parse(BackupSchedule);
    const loaded = await this.inventory(flags.inventory);
    const { managementServer } = await import('../../backup/settings.js');
    const schedule = await import('../../backup/schedule.js');
    const server = flags.host ? findServer(loaded.inventory, flags.host) : managementServer(loaded.inventory);
    if (!server) throw new WeclickError('no server holds the management role: name one with --host', { exitCode: EXIT.badInput });
    const everySeconds = schedule.parseEvery(flags.every);
    if (!everySeconds) throw new WeclickError(`--every must look like 30m, 6h or 1d (15 minutes to 31 days), not '${flags.every}'`, { exitCode: EXIT.usage });
    for (const [flag, path] of [['--weclick-path', flags['weclick-path']], ['--remote-inventory', flags['remote-inventory']]] as const) {
      if (!schedule.UNIT_PATH.test(path)) throw new WeclickError(`${flag} must be an absolute path of letters, digits, . _ - and /, not '${path}'`, { exitCode: EXIT.usage });
    }
    const spec = { everySeconds, weclickPath: flags['weclick-path'], inventoryPath: flags['remote-inventory'], prune: !flags['no-prune'] };
    const units = schedule.renderUnits(spec);
    if (!flags.remove) {
      this.say(`${schedule.UNIT_DIR}/${schedule.SERVICE_UNIT} on ${server.name}:\n${units.service}\n${schedule.UNIT_DIR}/${schedule.TIMER_UNIT}:\n${units.timer}`);
    }
    if (flags['dry-run']) {
      this.say(`Dry run: nothing was ${flags.remove ? 'removed' : 'written'} on ${server.name}.`);
      return { host: server.name, units, applied: false };
    }
    await confirmChange(flags.remove ? `Remove the backup timer from ${server.name}?` : `Install this timer on ${server.name}?`, { yes: flags.yes });
    const { openSessions, closeAll } = await import('../../backup/sessions.js');
    const sessions = await openSessions(loaded, [server], flags['connect-timeout']);
    try {
      const session = sessions.get(server.name)!;
      const argv = flags.remove ? schedule.removeCommand() : schedule.installCommand(units, spec);
      const result = await session.run(argv, { sudo: true, timeoutMs: 60_000 });
      if (result.code !== 0) throw new WeclickError(`${server.name}: ${result.stderr.trim() || `exit ${result.code}`}`);
      const said = new Set(result.stdout.split('\n').map((l) => l.trim()));
      const systemd = !said.has('NO_SYSTEMD');
      if (flags.remove) {
        this.say(said.has('PRESENT=yes') ? `Removed the backup timer from ${server.name}.` : `No backup timer was installed on ${server.name}; nothing to remove.`);
      } else {
        this.say(systemd ? `Installed and enabled ${schedule.TIMER_UNIT} on ${server.name}: a backup every ${schedule.describeEvery(everySeconds)}.` : `Wrote the units on ${server.name}, but systemd is not running there: the timer is NOT enabled.`);
        if (said.has('MISSING_WECLICK')) this.note(`warning: ${spec.weclickPath} does not exist on ${server.name}: the timer fails until weclick is installed there`);
        if (said.has('MISSING_INVENTORY')) this.note(`warning: ${spec.inventoryPath} does not exist on ${server.name}: copy the inventory, its .env and known_hosts there`);
      }
      return { host: server.name, units, applied: true, systemd, removed: flags.remove };
    } finally {
      closeAll(sessions);
    }
  }
}
