import { WeclickCommand } from '../../base-command.js';
import { selectHosts } from '../../fleet/select-hosts.js';
import { fleetContext } from '../../remote/fleet-context.js';
import { releaseFleetLock } from '../../remote/fleet-lock.js';
import { changeFlags } from '../../ui/change-flags.js';
import { confirmChange } from '../../ui/confirm.js';
import { EXIT } from '../../ui/exit-codes.js';
import { hostFlags } from '../../ui/host-flags.js';

export default class LockRelease extends WeclickCommand {
  static summary = 'Release the weclick lock on servers (after checking nobody is still working).';
  static description = `Exit codes: 0 released (or was free) · 1 a host was unreachable · 4 not confirmed.`;
  static examples = ['<%= config.bin %> lock release --yes', '<%= config.bin %> lock release --hosts go'];
  static flags = { ...hostFlags, yes: changeFlags.yes };

  async run() {
    const { flags } = await this.parse(LockRelease);
    const loaded = await this.inventory(flags.inventory);
    const servers = selectHosts(loaded.inventory, flags);
    await confirmChange(`Release the weclick lock on ${servers.map((s) => s.name).join(', ')}?`, { yes: flags.yes });
    const context = await fleetContext(loaded, servers, { connectTimeout: flags['connect-timeout'], parallel: flags.parallel });
    const results = await releaseFleetLock(context, context.targets.map((t) => t.name));
    const failed = results.filter((r) => r.error);
    for (const f of failed) this.note(`${f.host}: ${f.error}`);
    if (failed.length > 0) process.exitCode = EXIT.failed;
    else this.say(`Released on ${results.length} host(s).`);
    return { hosts: results.map((r) => ({ name: r.host, released: !r.error, error: r.error })) };
  }
}
