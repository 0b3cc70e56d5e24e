import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../base-command.js';
import { selectHosts } from '../fleet/select-hosts.js';
import { fleetContext } from '../remote/fleet-context.js';
import { auditCommand } from '../remote/lock.js';
import { runOnFleet, summarize, type HostResult } from '../remote/runner.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { fleetProgress } from '../ui/fleet-progress.js';
import { hostFlags } from '../ui/host-flags.js';
import { auditIdentity } from '../remote/audit-identity.js';

interface RunOutput {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export default class Run extends WeclickCommand {
  static summary = 'Run a command on servers in parallel; output grouped per host.';
  static description = `Everything after -- is the command. Each word is quoted and passed as-is (no remote shell interpretation); use --shell to pass one string to sh -c on the host (pipes, globs). Each run is recorded in the host's audit log (/var/log/weclick/audit.log). Hosts run in parallel; every host finishes unless --fail-fast.

Exit codes: 0 the command succeeded everywhere · 1 it failed, timed out or a host was unreachable · 2 bad flags.`;
  static examples = [
    '<%= config.bin %> run --role marzban -- docker ps',
    '<%= config.bin %> run --hosts srv1,srv3 --shell -- "df -h / | tail -1"',
    '<%= config.bin %> run --json -- uptime',
  ];
  static strict = false;
  static flags = {
    ...hostFlags,
    shell: Flags.boolean({ default: false, summary: 'Interpret the command as one shell string (sh -c).' }),
    timeout: Flags.integer({ min: 1, max: 86400, summary: 'Seconds before the command is killed on the host (default: fleet.ssh.commandTimeout or 600).' }),
    sudo: Flags.boolean({ default: false, summary: 'Run as root through sudo -n when the SSH user is not root.' }),
    'fail-fast': Flags.boolean({ default: false, summary: 'Start no new hosts after the first failure.' }),
  };

  async run() {
    const { flags, argv } = await this.parse(Run);
    const words = argv as string[];
    if (words.length === 0) throw new WeclickError('nothing to run: put the command after --, e.g. weclick run -- uptime', { exitCode: EXIT.usage });
    if (flags.shell && words.length !== 1) throw new WeclickError('--shell takes exactly one string after --', { exitCode: EXIT.usage });
    const loaded = await this.inventory(flags.inventory);
    const servers = selectHosts(loaded.inventory, flags);
    const context = await fleetContext(loaded, servers, { connectTimeout: flags['connect-timeout'], parallel: flags.parallel });
    const command = flags.shell ? ['sh', '-c', words[0]!] : words;
    const timeoutMs = (flags.timeout ?? context.commandTimeoutMs / 1000) * 1000;
    const progress = await fleetProgress<RunOutput>(servers.map((s) => s.name), { json: this.jsonEnabled(), title: 'run' });
    const identity = auditIdentity();
    const results = await runOnFleet<RunOutput>(
      context.targets,
      async (session) => {
        await session.shell(auditCommand(`${new Date().toISOString()} ${identity} weclick run: ${words.join(' ')}`), { sudo: true, timeoutMs: 10_000 });
        const result = await session.run(command, { timeoutMs, sudo: flags.sudo });
        const output = { code: result.code, stdout: result.stdout, stderr: result.stderr, timedOut: result.timedOut };
        const fail = (message: string) => Object.assign(new Error(message), { value: output });
        if (result.connectionLost) throw fail('connection lost while the command ran (not retried)');
        if (result.timedOut) throw fail(`killed after ${timeoutMs / 1000}s (timeout)`);
        if (result.code !== 0) throw fail(`exit code ${result.code ?? result.signal}`);
        return { changed: false, value: output };
      },
      { connect: context.connect, parallel: context.parallel, failFast: flags['fail-fast'], ...progress.events },
    );
    await progress.finished();
    this.renderOutputs(results);
    const summary = summarize(results);
    this.say(`\n${summary.ok} ok, ${summary.failed} failed, ${summary.unreachable} unreachable${summary.skipped ? `, ${summary.skipped} skipped` : ''}`);
    if (summary.failed + summary.unreachable + summary.skipped > 0) process.exitCode = EXIT.failed;
    return { summary, hosts: results };
  }

  private renderOutputs(results: HostResult<RunOutput>[]): void {
    for (const r of results) {
      this.say(this.colors.bold(`── ${r.host} (${r.status}${r.error ? `: ${r.error}` : ''})`));
      if (r.value?.stdout) this.say(r.value.stdout.trimEnd());
      if (r.value?.stderr) this.say(r.value.stderr.trimEnd());
    }
  }
}
