import { commandLine } from '../../remote/shell.js';
import { activationStep } from '../steps/activate.js';
import { fileStep, sha256 } from '../steps/file.js';
import { blockedStep } from '../steps/note.js';
import { packagesStep } from '../steps/packages.js';
import type { Change, Step, StepHost } from '../step.js';
import { firewallRules, structuralRulesetProblems } from './firewall.js';
import type { RoleInput } from './input.js';

export const NFTABLES_CONF = '/etc/nftables.conf';
export const SSHD_DROPIN = '/etc/ssh/sshd_config.d/10-weclick.conf';
export const AUTO_UPGRADES = '/etc/apt/apt.conf.d/20auto-upgrades';
const NAMESPACE_REASON = 'namespace test host (WECLICK_NAMESPACE_TEST_HOSTS=1)';

/** Every host: packages, time sync, unattended upgrades, a firewall for its roles, SSH hardening. */
export function baseRole(input: RoleInput): Step[] {
  const { server, inventory, settings, templates } = input;
  const host = server.name;
  const sshUser = server.ssh?.user ?? inventory.fleet.ssh.user ?? 'root';
  const sshPort = server.ssh?.port ?? inventory.fleet.ssh.port ?? 22;

  const ruleset = templates.render('base/nftables.conf.hbs', {
    host,
    roles: server.roles.join(', '),
    sshPort,
    rules: firewallRules(inventory, server, settings),
  });
  const structural = structuralRulesetProblems(ruleset, sshPort);
  const sshd = templates.render('base/sshd-weclick.conf.hbs', { permitRootLogin: sshUser === 'root' ? 'prohibit-password' : 'no', user: sshUser });

  return [
    packagesStep(host, 'base', ['nftables', 'unattended-upgrades'], 'firewall, security updates'),
    timeSyncStep(host),
    fileStep({ host, role: 'base', path: AUTO_UPGRADES, content: templates.render('base/20auto-upgrades.hbs', {}), mode: 0o644, owner: 'root' }),
    structural.length > 0
      ? blockedStep(host, 'base', `file:${NFTABLES_CONF}`, `${NFTABLES_CONF}: the rendered ruleset is malformed: ${structural.join('; ')}`)
      : fileStep({
          host,
          role: 'base',
          path: NFTABLES_CONF,
          content: ruleset,
          mode: 0o755,
          owner: 'root',
          // nft -c checks the ruleset against the kernel without committing it; without nft the structure was checked above.
          validate: { name: 'nft -c -f', script: 'command -v nft >/dev/null 2>&1 || exit 0; nft -c -f "$1"' },
        }),
    activationStep({
      host,
      role: 'base',
      id: 'firewall:load',
      describe: `load the firewall (${NFTABLES_CONF})`,
      marker: 'firewall',
      hash: sha256(ruleset),
      skipOnNamespaceHost: `rules rendered and checked (nft -c), NOT loaded: the host shares the machine's network namespace; ${NAMESPACE_REASON}`,
      summary: () => `nft -f ${NFTABLES_CONF} (replaces table inet weclick only)`,
      script: () => `nft -f ${NFTABLES_CONF} && if [ -d /run/systemd/system ]; then systemctl enable --quiet nftables; fi`,
    }),
    fileStep({
      host,
      role: 'base',
      path: SSHD_DROPIN,
      content: sshd,
      mode: 0o644,
      owner: 'root',
      keepPrevious: true,
      // The candidate is checked as part of the whole configuration: it is included first, so its values win.
      validate: {
        name: 'sshd -t',
        script: 'd=$(mktemp -d) && printf "Include %s\\nInclude /etc/ssh/sshd_config\\n" "$1" > "$d/sshd_config" && /usr/sbin/sshd -t -f "$d/sshd_config"; rc=$?; rm -rf "$d"; exit $rc',
      },
    }),
    activationStep({
      host,
      role: 'base',
      id: 'sshd:reload',
      describe: 'reload sshd',
      marker: 'sshd',
      hash: sha256(sshd),
      skipOnNamespaceHost: `${SSHD_DROPIN} validated with sshd -t, sshd NOT reloaded (its sshd belongs to the test fleet); ${NAMESPACE_REASON}`,
      summary: () => `reload sshd, then prove a new SSH session works before closing this one`,
      script: () => reloadSshd,
      verify: verifyNewSession,
    }),
  ];
}

const reloadSshd = 'if [ -d /run/systemd/system ]; then systemctl reload ssh 2>/dev/null || systemctl reload sshd; else service ssh reload; fi';

/** Keeps the session that made the change until a new one succeeds; otherwise puts the old settings back. */
async function verifyNewSession(host: StepHost): Promise<void> {
  try {
    const fresh = await host.reconnect();
    try {
      const probe = await fresh.run(['true'], { timeoutMs: 15_000 });
      if (probe.code !== 0) throw new Error(`exit ${probe.code}`);
    } finally {
      fresh.close();
    }
  } catch (error) {
    const restore = `if [ -e ${SSHD_DROPIN}.weclick-prev ]; then mv -f ${SSHD_DROPIN}.weclick-prev ${SSHD_DROPIN}; else rm -f ${SSHD_DROPIN}; fi && ${reloadSshd}`;
    await host.session.shell(restore, { sudo: true, timeoutMs: 30_000 });
    throw new Error(`a new SSH session failed after reloading sshd (${(error as Error).message}); the previous settings were restored and sshd reloaded`);
  }
}

/** systemd-timesyncd (or chrony when that is what the host uses), running where systemd manages services. */
function timeSyncStep(host: string): Step {
  const probe = `if [ -d /run/systemd/system ]; then systemctl is-active systemd-timesyncd chrony 2>/dev/null; else echo no-systemd; fi`;
  return {
    host,
    role: 'base',
    id: 'timesync',
    describe: 'time sync (systemd-timesyncd or chrony)',
    spec: { kind: 'packages', names: ['systemd-timesyncd'] },
    probes: [
      { kind: 'package', name: 'systemd-timesyncd' },
      { kind: 'package', name: 'chrony' },
      { kind: 'run', id: 'timesync', script: probe },
    ],
    check(facts, options): Change {
      const installed = facts.packages.get('chrony') ? 'chrony' : facts.packages.get('systemd-timesyncd') ? 'systemd-timesyncd' : null;
      if (!installed) {
        if (options.namespaceTestHost) return { kind: 'blocked', reason: `${host}: systemd-timesyncd is not installed; packages are never installed on a namespace test host` };
        return { kind: 'change', summary: 'apt-get install systemd-timesyncd and start it' };
      }
      const run = facts.runs.get('timesync');
      if (facts.serviceManager !== 'systemd' || run?.output.includes('no-systemd')) {
        return { kind: 'skip', reason: `time sync: ${installed} is installed; no systemd on this host to run it (the machine's clock is used)` };
      }
      if (run && /^active$/m.test(run.output)) return { kind: 'none', detail: `${installed} active` };
      return { kind: 'change', summary: `enable and start ${installed === 'chrony' ? 'chrony' : 'systemd-timesyncd'}` };
    },
    async apply({ session, facts }) {
      const unit = facts.packages.get('chrony') ? 'chrony' : 'systemd-timesyncd';
      const install = facts.packages.get(unit) ? 'true' : `DEBIAN_FRONTEND=noninteractive apt-get -q -y install --no-install-recommends ${unit}`;
      const result = await session.shell(`${install} && ${commandLine(['systemctl', 'enable', '--now', unit])}`, { sudo: true, timeoutMs: 600_000 });
      if (result.code !== 0) throw new Error(`time sync: ${result.stderr.trim() || `exit ${result.code}`}`);
    },
  };
}
