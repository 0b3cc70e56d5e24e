// `weclick provision --all --dry-run` on a converged fleet vs an Ansible playbook making the same checks on the
// same hosts (issue: provisioning). The fleet: bench1..bench10 as Marzban workers plus the entry point `go`
// (real HAProxy), converged by weclick first. STAND-INS: the `docker` command on the workers
// (test/standins/docker/docker) and the workers' Xray inbounds (plain Node TCP servers).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { withFleet } from './fleet.js';
import { median, table } from './report.js';

const RUNS = Number(process.env.BENCH_PROVISION_RUNS ?? 5);
const WORKERS = 10;
const PORT = 20000 + (process.pid % 790) * 10;
const ENV = { WECLICK_NAMESPACE_TEST_HOSTS: '1', WECLICK_ENTRY_PORT: String(PORT), WECLICK_XRAY_PORT: String(PORT + 1), NO_COLOR: '1' };
const MACHINE_FILES = ['/etc/haproxy/haproxy.cfg', '/etc/nftables.conf', '/etc/apt/apt.conf.d/20auto-upgrades'];
const CREATED = ['/etc/ssh/sshd_config.d/10-weclick.conf', '/etc/ssh/sshd_config.d/10-weclick.conf.weclick-prev', '/etc/haproxy/haproxy.cfg.weclick-prev', '/opt/marzban', '/var/lib/marzban', '/var/lib/weclick/applied', '/var/lib/haproxy/server-state', '/usr/local/sbin/docker', '/var/lib/docker-standin', '/var/log/docker-standin.log'];

const run = (cmd, args, env = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')} exited ${code}: ${(err || out).slice(-600)}`))));
  });

const time = async (fn) => {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
};

function ssh(fleet, host, command, input) {
  const r = spawnSync('ssh', ['-i', fleet.clientKey, '-o', `UserKnownHostsFile=${fleet.knownHosts}`, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', `root@${host.address}`, command], { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh ${host.name}: ${r.stderr}`);
  return r.stdout;
}

/** Where a host's file lands outside its namespace (overlay upper layer, or its private /opt). */
function hostPath(host, path) {
  if (path.startsWith('/opt/')) return join(host.dir, 'opt', path.slice(5));
  if (path.startsWith('/usr/local/')) return join(host.dir, 'upper', 'usr-local', path.slice(11));
  return join(host.dir, 'upper', path.slice(1));
}

function reset(fleet, host) {
  ssh(fleet, host, 'if [ -s /run/haproxy.pid ]; then kill $(cat /run/haproxy.pid) 2>/dev/null; rm -f /run/haproxy.pid; fi');
  for (const path of MACHINE_FILES) if (existsSync(path)) ssh(fleet, host, `cat > ${path}.bench && chmod ${(statSync(path).mode & 0o7777).toString(8)} ${path}.bench && mv -f ${path}.bench ${path}`, readFileSync(path));
  ssh(fleet, host, `rm -rf ${CREATED.join(' ')}`);
}

function writeInventory(dir, fleet, workers, go) {
  const line = (h, roles) => `  - { name: ${h.name}, hostname: ${h.name}.weclick.test, ipv4: ${h.address}, roles: [${roles}], provider: bench, expires: 2030-01-01 }`;
  writeFileSync(
    join(dir, 'weclick.yaml'),
    `fleet:\n  domain: weclick.test\n  ssh: { user: root, key: ${JSON.stringify(fleet.clientKey)}, connectTimeout: 10 }\n  marzban:\n    image: gozargah/marzban:v0.8.4\nservers:\n${[...workers.map((h) => line(h, 'marzban')), line(go, 'proxy')].join('\n')}\n`,
  );
  const accounts = workers.map((h) => `    ${h.name}: { user: mz_${h.name}, host: ${h.address}, password: bench-pass-${h.name}-0123456789, setAt: "2025-01-01T00:00:00Z" }`);
  writeFileSync(join(dir, 'weclick.secrets.yaml'), `mysql:\n  accounts:\n${accounts.join('\n')}\n`, { mode: 0o600 });
  copyFileSync(fleet.knownHosts, join(dir, 'known_hosts'));
}

/**
 * The same checks as weclick's plan, as Ansible does them: installed packages (dpkg-query), each managed file
 * with its content, mode and owner (copy, check mode), the markers of what was last loaded, running containers,
 * HAProxy's runtime state. Contents are the files weclick converged the hosts to, so Ansible reports no change.
 */
function writePlaybook(dir, fleet, plan, hostsByName) {
  const inventory = { all: { hosts: {}, vars: { ansible_user: 'root', ansible_ssh_private_key_file: fleet.clientKey, ansible_ssh_common_args: `-o UserKnownHostsFile=${fleet.knownHosts} -o ControlPersist=no`, ansible_python_interpreter: '/usr/bin/python3' } } };
  for (const planned of plan.hosts) {
    const host = hostsByName.get(planned.name);
    const paths = planned.steps.filter((s) => s.id.startsWith('file:')).map((s) => s.id.slice(5));
    const markers = ['/var/lib/weclick/applied/compose-marzban', '/var/lib/weclick/applied/haproxy'].filter((p) => existsSync(hostPath(host, p)));
    inventory.all.hosts[planned.name] = {
      ansible_host: host.address,
      managed_files: [...paths, ...markers].map((path) => {
        // The wanted content as a local file (copy src:): a JSON file given as `content:` would be parsed by Ansible's templating and rewritten.
        const src = join(dir, 'files', planned.name, path);
        mkdirSync(dirname(src), { recursive: true });
        copyFileSync(hostPath(host, path), src);
        return { path, src, mode: `0${(statSync(hostPath(host, path)).mode & 0o777).toString(8)}` };
      }),
      proxy: planned.roles.includes('proxy'),
    };
  }
  writeFileSync(join(dir, 'inventory.json'), JSON.stringify(inventory));
  // The same with Ansible's default ssh_args (ControlMaster, ControlPersist=60s): connections reused across tasks.
  inventory.all.vars.ansible_ssh_common_args = `-o UserKnownHostsFile=${fleet.knownHosts}`;
  writeFileSync(join(dir, 'inventory-persist.json'), JSON.stringify(inventory));
  writeFileSync(
    join(dir, 'playbook.yml'),
    `- hosts: all
  gather_facts: false
  tasks:
    - name: packages present
      ansible.builtin.command: dpkg-query -W -f='\${Package} \${Status} \${Version}\\n' nftables unattended-upgrades systemd-timesyncd chrony docker.io haproxy socat
      register: packages
      changed_when: false
      failed_when: false
      check_mode: false
    - name: managed files (content, mode, owner)
      ansible.builtin.copy:
        dest: "{{ item.path }}"
        src: "{{ item.src }}"
        mode: "{{ item.mode }}"
        owner: root
      loop: "{{ managed_files }}"
      loop_control: { label: "{{ item.path }}" }
      no_log: true
    - name: service manager and time sync
      ansible.builtin.shell: if [ -d /run/systemd/system ]; then systemctl is-active systemd-timesyncd chrony; else echo no-systemd; fi
      changed_when: false
      failed_when: false
      check_mode: false
    - name: running containers
      ansible.builtin.command: docker ps --format '{{ '{{' }}.Names{{ '}}' }} {{ '{{' }}.Image{{ '}}' }} {{ '{{' }}.Status{{ '}}' }}'
      when: not proxy
      changed_when: false
      check_mode: false
    - name: HAProxy runtime state
      ansible.builtin.shell: printf 'show info\\nshow servers state workers\\n' | socat -t 2 stdio UNIX-CONNECT:/run/haproxy/admin.sock
      when: proxy
      changed_when: false
      check_mode: false
`,
  );
}

async function ansible(dir, inventory, forks) {
  const out = await run('ansible-playbook', ['-i', join(dir, inventory), join(dir, 'playbook.yml'), '--check', '--diff', '-f', String(forks)], {
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    ANSIBLE_NOCOLOR: '1',
  });
  const recap = out.slice(out.lastIndexOf('PLAY RECAP'));
  if (!/changed=0/.test(recap) || /changed=[1-9]|failed=[1-9]|unreachable=[1-9]/.test(recap)) throw new Error(`Ansible found changes or failed:\n${recap}`);
}

function ansibleAvailable() {
  if (spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status === 0) return true;
  spawnSync('bash', ['scripts/install-system-deps.sh'], { stdio: 'inherit', env: { ...process.env, WECLICK_BENCH_DEPS: '1' } });
  return spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function benchProvision() {
  const { fleet, stop } = withFleet(20);
  const servers = [];
  const all = [];
  try {
    const workers = fleet.hosts.filter((h) => /^bench\d+$/.test(h.name)).slice(0, WORKERS);
    const go = fleet.hosts.find((h) => h.name === 'go');
    if (workers.length < WORKERS || !go) throw new Error(`the provision bench needs go and ${WORKERS} bench hosts: scripts/fleet-up.sh DIR --bench ${WORKERS}`);
    all.push(...workers, go);
    const haveAnsible = ansibleAvailable();
    const standin = readFileSync('test/standins/docker/docker');
    for (const h of all) reset(fleet, h);
    for (const h of workers) ssh(fleet, h, 'cat > /usr/local/sbin/docker && chmod 755 /usr/local/sbin/docker', standin);
    for (const h of workers) {
      const server = createServer((socket) => socket.on('error', () => {}));
      await new Promise((resolve, reject) => server.once('error', reject).listen(PORT + 1, h.address, resolve));
      servers.push(server);
    }
    const dir = mkdtempSync(join(tmpdir(), 'weclick-bench-provision-'));
    writeInventory(dir, fleet, workers, go);
    const inventoryFile = join(dir, 'weclick.yaml');
    await run('node', ['bin/run.js', 'provision', '--all', '--yes', '-i', inventoryFile], ENV);
    const plan = JSON.parse(await run('node', ['bin/run.js', 'provision', '--all', '--dry-run', '--json', '-i', inventoryFile], ENV)).plan;
    if (plan.summary.changes !== 0) throw new Error(`the fleet did not converge: ${plan.summary.changes} change(s) left`);
    writePlaybook(dir, fleet, plan, new Map(all.map((h) => [h.name, h])));

    const cases = {
      'weclick provision --all --dry-run': async () => {
        const out = JSON.parse(await run('node', ['bin/run.js', 'provision', '--all', '--dry-run', '--json', '-i', inventoryFile], ENV));
        if (out.plan.summary.changes !== 0) throw new Error('weclick found changes on a converged fleet');
      },
      ...(haveAnsible
        ? {
            [`ansible-playbook --check --diff (pipelining, forks=${all.length}, ControlPersist=no)`]: () => ansible(dir, 'inventory.json', all.length),
            [`ansible-playbook --check --diff (pipelining, forks=${all.length}, ControlPersist=60s)`]: () => ansible(dir, 'inventory-persist.json', all.length),
          }
        : {}),
    };
    const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    for (let i = 0; i < RUNS + 1; i++) {
      for (const [name, fn] of Object.entries(cases)) {
        const { ms } = await time(fn);
        if (i > 0) times[name].push(ms); // the first round warms caches
      }
    }
    const weclickMs = median(times['weclick provision --all --dry-run']);
    const rows = Object.entries(times).map(([name, list]) => [name, `${(median(list) / 1000).toFixed(3)} s`, `${(median(list) / weclickMs).toFixed(2)}x`]);
    const ansibleNames = Object.keys(times).filter((k) => k.startsWith('ansible'));
    const summary = [
      `hosts: ${all.length} (${WORKERS} workers + the entry point), ${plan.hosts.reduce((n, h) => n + h.steps.length, 0)} steps checked, 0 changes`,
      `weclick: ${(weclickMs / 1000).toFixed(3)} s (target < 2 s)`,
      ...(ansibleNames.length > 0
        ? ansibleNames.map((name) => `Ansible${name.includes('=60s') ? ' (ControlPersist=60s)' : ' (ControlPersist=no)'} / weclick: ${(median(times[name]) / weclickMs).toFixed(2)}x (target >= 5x)`)
        : ['Ansible: not available on this machine (install ansible-core)']),
    ];
    return `${table(`provision --dry-run on a converged fleet (median of ${RUNS} runs, real sshd hosts on loopback)`, ['case', 'median', 'vs weclick'], rows)}\n${summary.join('\n')}`;
  } finally {
    for (const server of servers) server.close();
    for (const h of all) {
      try {
        reset(fleet, h);
      } catch {
        // a host that is gone needs no cleaning
      }
    }
    stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchProvision());
