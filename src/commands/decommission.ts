import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../base-command.js';
import { planDecommission, runDecommission } from '../provision/decommission.js';
import { provisionPorts } from '../provision/ports.js';
import { auditIdentity } from '../remote/audit-identity.js';
import { changeFlags } from '../ui/change-flags.js';
import { confirmChange } from '../ui/confirm.js';
import { EXIT } from '../ui/exit-codes.js';
import { durationFlag } from '../ui/duration-flag.js';

export default class Decommission extends WeclickCommand {
  static summary = 'Take a server out of service: drain, wait for its sessions, remove it from HAProxy, revoke its DB account, mark it retired.';
  static description = `For a Marzban worker: HAProxy drain (runtime API, and draining in the inventory), then a wait until its sessions end
or --deadline passes, then haproxy.cfg without it (validated, graceful reload: tunnels still open stay on the old
process until hard-stop-after). Then its MySQL account is dropped and its password forgotten, and the inventory
says retired. The DNS records it loses are listed; \`weclick dns sync\` removes them.

Exit codes: 0 retired · 1 a step failed (e.g. MySQL unreachable: the account is NOT revoked, said so) · 2 bad flags · 3 no such server, or it is the entry point · 4 not confirmed.`;
  static examples = ['<%= config.bin %> decommission srv4', '<%= config.bin %> decommission srv4 --deadline 2h --yes'];
  static args = { name: Args.string({ required: true, description: 'Server name' }) };
  static flags = { deadline: Flags.string({ default: '30m', summary: 'Longest wait for open sessions (e.g. 90s, 30m, 2h).' }), ...changeFlags };

  async run() {
    const { args, flags } = await this.parse(Decommission);
    const deadlineMs = durationFlag('--deadline', flags.deadline);
    const loaded = await this.inventory(flags.inventory);
    const current = loaded.inventory.servers.find((s) => s.name === args.name);
    if (current?.state === 'retired') {
      this.say(`${args.name} is already retired.`);
      return { server: args.name, retired: true, changed: false };
    }
    const ports = await provisionPorts(loaded.file);
    const plan = await planDecommission(loaded, args.name, ports, deadlineMs);
    this.say(`Decommission ${args.name} (${plan.server.roles.join(', ')}):`);
    plan.steps.forEach((step, i) => this.say(`  ${i + 1}. ${step}`));
    this.say(this.colorDiff(plan.retire.diff));
    if (plan.dnsDropped.length > 0) this.say(`DNS records the inventory no longer asks for (weclick dns sync removes them):\n${plan.dnsDropped.map((r) => `  - ${r.type} ${r.name} ${r.content}`).join('\n')}`);
    if (flags['dry-run']) return { server: args.name, plan: { steps: plan.steps, dnsDropped: plan.dnsDropped }, dryRun: true };
    await confirmChange(`Decommission ${args.name}?`, { yes: flags.yes });

    const outcome = await runDecommission(loaded, plan, ports, { identity: auditIdentity(), command: 'weclick decommission' }, {
      onStep: (text) => this.note(text),
      onSessions: (n) => this.note(`${args.name}: ${n} session(s) open`),
    });
    this.say(`${args.name} is retired in ${loaded.file}.`);
    if (outcome.revokeError) {
      process.exitCode = EXIT.failed;
      this.say(this.colors.red(`Its MySQL account was NOT revoked: ${outcome.revokeError}\nRevoke it with: weclick db revoke ${args.name} --yes`));
    }
    return { server: args.name, plan: { steps: plan.steps, dnsDropped: plan.dnsDropped }, ...outcome, haproxy: outcome.haproxy?.results };
  }
}
