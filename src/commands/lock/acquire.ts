import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { selectHosts } from '../../fleet/select-hosts.js';
import { auditIdentity } from '../../remote/audit-identity.js';
import { fleetContext } from '../../remote/fleet-context.js';
import { acquireFleetLock } from '../../remote/fleet-lock.js';
import { EXIT } from '../../ui/exit-codes.js';
import { hostFlags } from '../../ui/host-flags.js';

export default class LockAcquire extends WeclickCommand {
  static summary = 'Take the weclick lock on servers by hand, e.g. during maintenance.';
  static description = `All or nothing: if any selected host is already locked, the locks taken are given back and nothing is held.

Exit codes: 0 locked everywhere · 1 a host is already locked or unreachable (nothing held).`;
  static examples = ['<%= config.bin %> lock acquire --message "moving srv3 to a new provider"', '<%= config.bin %> lock acquire --hosts go'];
  static flags = { ...hostFlags, message: Flags.string({ char: 'm', summary: 'Why, for whoever finds the lock.' }) };

  async run() {
    const { flags } = await this.parse(LockAcquire);
    const loaded = await this.inventory(flags.inventory);
    const servers = selectHosts(loaded.inventory, flags);
    const context = await fleetContext(loaded, servers, { connectTimeout: flags['connect-timeout'], parallel: flags.parallel });
    const outcome = await acquireFleetLock(context, { by: auditIdentity(), command: 'weclick lock acquire', at: new Date().toISOString(), pid: process.pid, message: flags.message });
    if (!outcome.acquired) {
      process.exitCode = EXIT.failed;
      for (const problem of outcome.problems) this.note(problem);
    } else this.say(`Locked ${servers.length} host(s). Release with: weclick lock release`);
    return outcome;
  }
}
