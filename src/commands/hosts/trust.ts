import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { selectHosts } from '../../fleet/select-hosts.js';
import { fetchHostKey } from '../../remote/fetch-host-key.js';
import { fingerprintSha256, keyTypeOfBlob } from '../../remote/fingerprint.js';
import { describeRefusal, fleetKnownHostsFile, loadKnownHosts, trustHostKey, verifyPresentedKey } from '../../remote/host-keys.js';
import { hostTarget } from '../../remote/target.js';
import { confirmChange } from '../../ui/confirm.js';
import { WeclickError } from '../../ui/errors.js';
import { EXIT } from '../../ui/exit-codes.js';
import { renderTable } from '../../ui/table.js';

export default class HostsTrust extends WeclickCommand {
  static summary = "Record servers' SSH host keys in the fleet's known_hosts after you have checked them.";
  static description = `Connects, shows each host's key fingerprint (SHA256, as \`ssh-keygen -lf\` prints it) and asks before writing it to known_hosts beside the inventory (--yes to skip). Compare the fingerprints with the provider's console first. A key that differs from a known one is never replaced here: remove the old line yourself if the server was reinstalled.

Exit codes: 0 trusted (or already known) · 1 a host could not be reached or its key changed · 4 not confirmed.`;
  static examples = ['<%= config.bin %> hosts trust srv6', '<%= config.bin %> hosts trust --all --yes'];
  static args = { name: Args.string({ description: 'Server name (or use --all)' }) };
  static flags = {
    all: Flags.boolean({ default: false, summary: 'Every server in service.' }),
    yes: Flags.boolean({ char: 'y', default: false, summary: 'Trust without asking.' }),
  };

  async run() {
    const { args, flags } = await this.parse(HostsTrust);
    if (!args.name && !flags.all) throw new WeclickError('name a server, or use --all', { exitCode: EXIT.usage });
    const loaded = await this.inventory(flags.inventory);
    const servers = selectHosts(loaded.inventory, args.name ? { hosts: [args.name] } : {});
    const file = fleetKnownHostsFile(loaded.file);
    const known = await loadKnownHosts([file]);
    const timeoutMs = (loaded.inventory.fleet.ssh.connectTimeout ?? 10) * 1000;
    const found = await Promise.all(
      servers.map(async (server) => {
        const target = hostTarget(loaded.inventory, loaded.file, server);
        try {
          const key = await fetchHostKey(target, timeoutMs);
          const verdict = verifyPresentedKey(known, target, key);
          // A changed or revoked key is refused in the words every other command uses: both fingerprints.
          return { target, key, verdict: verdict.kind, refusal: verdict.kind === 'changed' || verdict.kind === 'revoked' ? describeRefusal(verdict, target, key, file) : undefined };
        } catch (error) {
          return { target, error: (error as Error).message };
        }
      }),
    );
    this.say(renderTable(['NAME', 'ADDRESS', 'KEY', 'STATE'], found.map((f) => [f.target.name, `${f.target.address}:${f.target.port}`, f.key ? `${keyTypeOfBlob(f.key)} ${fingerprintSha256(f.key)}` : '-', f.error ?? f.verdict ?? ''])));
    const toTrust = found.filter((f) => f.key && f.verdict === 'unknown');
    const problems = found.filter((f) => f.error || f.verdict === 'changed' || f.verdict === 'revoked');
    let written = 0;
    if (toTrust.length > 0) {
      await confirmChange(`Trust ${toTrust.length} key(s) above and write them to ${file}?`, { yes: flags.yes });
      for (const f of toTrust) if (await trustHostKey(file, f.target, f.key!)) written++;
      this.say(`Wrote ${written} key(s) to ${file}.`);
    } else this.say('Nothing new to trust.');
    if (problems.length > 0) {
      process.exitCode = EXIT.failed;
      for (const p of problems) this.note(p.refusal ? `${p.refusal} Not written.` : `${p.target.name}: ${p.error}`);
    }
    return {
      file,
      hosts: found.map((f) => ({ name: f.target.name, address: f.target.address, fingerprint: f.key ? fingerprintSha256(f.key) : null, state: f.error ? 'unreachable' : f.verdict, error: f.error })),
      written,
    };
  }
}
