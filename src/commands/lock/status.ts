import { WeclickCommand } from '../../base-command.js';
import { selectHosts } from '../../fleet/select-hosts.js';
import { fleetContext } from '../../remote/fleet-context.js';
import { lockStatusCommand, parseLockDetails, type LockDetails } from '../../remote/lock.js';
import { runOnFleet } from '../../remote/runner.js';
import { EXIT } from '../../ui/exit-codes.js';
import { hostFlags } from '../../ui/host-flags.js';
import { renderTable } from '../../ui/table.js';

export default class LockStatus extends WeclickCommand {
  static summary = 'Show which servers hold a weclick lock, who took it and when.';
  static description = `Mutating runs take a lock on every host they change (an atomic mkdir of /var/lib/weclick/lock, with who, when and what in it), so two operators cannot change the same host at once.

Exit codes: 0 no host locked · 1 a host is locked or unreachable.`;
  static examples = ['<%= config.bin %> lock status', '<%= config.bin %> lock status --role proxy --json'];
  static flags = { ...hostFlags };

  async run() {
    const { flags } = await this.parse(LockStatus);
    const loaded = await this.inventory(flags.inventory);
    const servers = selectHosts(loaded.inventory, flags);
    const context = await fleetContext(loaded, servers, { connectTimeout: flags['connect-timeout'], parallel: flags.parallel });
    const results = await runOnFleet<LockDetails | null>(
      context.targets,
      async (session) => ({ changed: false, value: parseLockDetails((await session.shell(lockStatusCommand(), { sudo: true, timeoutMs: 10_000 })).stdout) }),
      { connect: context.connect, parallel: context.parallel },
    );
    this.say(renderTable(['NAME', 'LOCK'], results.map((r) => [r.host, r.error ? `unknown: ${r.error}` : r.value ? `held by ${r.value.by} since ${r.value.at}: ${r.value.command}${r.value.message ? ` (${r.value.message})` : ''}` : 'free'])));
    if (results.some((r) => r.error || r.value)) process.exitCode = EXIT.failed;
    return { hosts: results.map((r) => ({ name: r.host, lock: r.value ?? null, error: r.error })) };
  }
}
