// weclick status vs Ansible ad-hoc vs parallel OpenSSH vs the ssh2 floor, on 10 and 20 hosts (issue: SSH engine).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchInventory, withFleet } from './fleet.js';
import { median, table } from './report.js';

const RUNS = Number(process.env.BENCH_SSH_RUNS ?? 5);

const time = async (fn) => {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};

const run = (cmd, args, env = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err.slice(-300)}`))));
  });

function ansibleAvailable() {
  if (spawnSync('ansible', ['--version'], { stdio: 'ignore' }).status === 0) return true;
  spawnSync('bash', ['scripts/install-system-deps.sh'], { stdio: 'inherit', env: { ...process.env, WECLICK_BENCH_DEPS: '1' } });
  return spawnSync('ansible', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function benchSsh() {
  const { fleet, stop } = withFleet(20);
  try {
    const bench = fleet.hosts.filter((h) => h.name.startsWith('bench'));
    if (bench.length < 20) throw new Error('the SSH bench needs 20 bench hosts: scripts/fleet-up.sh DIR --bench 20');
    const haveAnsible = ansibleAvailable();
    const rows = [];
    const medians = {};
    for (const n of [10, 20]) {
      const hosts = bench.slice(0, n);
      const inv = benchInventory(fleet, hosts);
      const ini = join(inv, 'ansible.ini');
      writeFileSync(ini, `[fleet]\n${hosts.map((h) => `${h.name} ansible_host=${h.address}`).join('\n')}\n[fleet:vars]\nansible_user=root\nansible_ssh_private_key_file=${fleet.clientKey}\nansible_ssh_common_args=-o UserKnownHostsFile=${fleet.knownHosts} -o ControlPersist=no\nansible_python_interpreter=/usr/bin/python3\n`);
      const cases = {
        'weclick status': () => run('node', ['bin/run.js', 'status', '--json', '-i', join(inv, 'weclick.yaml')]).catch((e) => (/exited 1/.test(e.message) ? undefined : Promise.reject(e))),
        'ssh2 floor (1 process)': () => run('node', ['bench/ssh-floor.js', fleet.clientKey, ...hosts.map((h) => h.address)]),
        'OpenSSH, 1 process per host': () =>
          Promise.all(hosts.map((h) => run('ssh', ['-i', fleet.clientKey, '-o', `UserKnownHostsFile=${fleet.knownHosts}`, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', `root@${h.address}`, 'true']))),
        ...(haveAnsible ? { 'Ansible ad-hoc (forks=N, pipelining)': () => run('ansible', ['fleet', '-i', ini, '-m', 'command', '-a', 'uptime', '-f', String(n)], { ANSIBLE_PIPELINING: 'True', ANSIBLE_HOST_KEY_CHECKING: 'False' }) } : {}),
      };
      const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
      for (let i = 0; i < RUNS + 1; i++) {
        for (const [name, fn] of Object.entries(cases)) {
          const ms = await time(fn);
          if (i > 0) times[name].push(ms);
        }
      }
      for (const [name, list] of Object.entries(times)) medians[`${name}@${n}`] = median(list);
      const floor = medians[`ssh2 floor (1 process)@${n}`];
      for (const name of Object.keys(cases)) rows.push([`${n} hosts`, name, `${(medians[`${name}@${n}`] / 1000).toFixed(3)} s`, `${(medians[`${name}@${n}`] / floor).toFixed(2)}x`]);
    }
    const w20 = medians['weclick status@20'];
    const summary = [
      `weclick status at 20 hosts: ${(w20 / medians['ssh2 floor (1 process)@20']).toFixed(2)}x the floor (target <= 1.5x)`,
      haveAnsible ? `Ansible / weclick at 20 hosts: ${(medians['Ansible ad-hoc (forks=N, pipelining)@20'] / w20).toFixed(2)}x (target >= 4x)` : 'Ansible: not available on this machine (install ansible-core)',
      `weclick 20 hosts / 10 hosts: ${(w20 / medians['weclick status@10']).toFixed(2)}x (target: nearly flat)`,
    ];
    return `${table(`SSH fleet (median of ${RUNS} runs, real sshd hosts on loopback)`, ['fleet', 'case', 'median', 'vs floor'], rows)}\n${summary.join('\n')}`;
  } finally {
    stop();
  }
}
