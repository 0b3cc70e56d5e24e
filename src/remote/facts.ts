// Host facts in one SSH round trip: factsProbeScript() prints marked sections,
// parseFacts() turns them into HostFacts. The parser trusts nothing: any section
// may be missing or mangled, and the result just has nulls / empties there.

/** Processes checked with `pgrep -x`, so roles can be verified without systemd. */
export const PROBED_PROCESSES = ['haproxy', 'sshd', 'mariadbd', 'mysqld', 'dockerd', 'xray'] as const;

export interface DockerContainer {
  name: string;
  image: string;
  status: string;
}

export interface HostFacts {
  os: { id: string | null; version: string | null; pretty: string | null };
  arch: string | null;
  kernel: string | null;
  hostname: string | null;
  uptimeSeconds: number | null;
  load: [number, number, number] | null;
  memory: { totalBytes: number | null; availableBytes: number | null };
  disk: { path: '/'; totalBytes: number | null; freeBytes: number | null };
  docker: { present: boolean; version: string | null; containers: DockerContainer[] };
  /** Listening TCP ports, IPv4 and IPv6, sorted and unique. */
  listeningPorts: number[];
  /** Running services, without the ".service" suffix; sorted and unique. */
  services: string[];
  /** PROBED_PROCESSES name -> running; empty when the section is missing. */
  processes: Record<string, boolean>;
  /** Host clock, Unix seconds. */
  clock: number | null;
}

const MARK = '@@weclick-facts';

/**
 * POSIX sh script to run as `sh -c <script>`. Exits 0 whatever is missing; stdin
 * is closed and stderr dropped so no tool can hang on input or clutter output.
 * Shell builtins (read, printf, .) do the reading where they can, so even a host
 * with almost nothing on PATH still reports memory, load, uptime and os-release.
 */
export function factsProbeScript(): string {
  return `exec </dev/null 2>/dev/null
export LC_ALL=C
s() { printf '\\n${MARK} %s\\n' "$1"; }
has() { command -v "$1" >/dev/null 2>&1; }
t() { if has timeout; then timeout 10 "$@"; else "$@"; fi; }
first() { read -r l < "$1" && printf '%s\\n' "$l"; }
s os
for f in /etc/os-release /usr/lib/os-release; do
  if [ -r "$f" ]; then (. "$f"; printf 'ID=%s\\nVERSION_ID=%s\\nPRETTY_NAME=%s\\n' "$ID" "$VERSION_ID" "$PRETTY_NAME"); break; fi
done
s arch; uname -m
s kernel; first /proc/sys/kernel/osrelease
s hostname; first /proc/sys/kernel/hostname
s uptime; first /proc/uptime
s loadavg; first /proc/loadavg
s meminfo
while read -r k v u; do case "$k" in MemTotal:|MemAvailable:) echo "$k $v $u";; esac; done < /proc/meminfo
s disk
if out=$(df -P -B1 / 2>/dev/null); then echo unit=1; printf '%s\\n' "$out"; else echo unit=1024; df -Pk /; fi
s docker
if has docker; then
  echo present=1
  # Ask the daemon only when its socket exists: a client without a daemon costs a slow fork for nothing.
  if [ -S /var/run/docker.sock ] || [ -S /run/docker.sock ]; then
    echo "version=$(t docker version --format '{{.Server.Version}}')"
    s containers
    t docker ps --format '{{.Names}}\\t{{.Image}}\\t{{.Status}}'
  fi
else
  echo present=0
fi
s ports
if has ss && out=$(ss -Hltn || ss -ltn); then echo src=ss; printf '%s\\n' "$out"
else
  echo src=proc
  for f in /proc/net/tcp /proc/net/tcp6; do [ -r "$f" ] && while read -r l; do echo "$l"; done < "$f"; done
fi
s services
if [ -d /run/systemd/system ] && has systemctl; then
  echo src=systemd; t systemctl list-units --type=service --state=running --no-legend --plain
else echo src=none; fi
s processes
nl='
'
names=$nl
# Builtins only: one pgrep per process name would cost a fork each.
for c in /proc/[0-9]*/comm; do read -r n < "$c" && names="$names$n$nl"; done
for p in ${PROBED_PROCESSES.join(' ')}; do
  case "$names" in *"$nl$p$nl"*) r=1;; *) r=0;; esac
  echo "$p=$r"
done
s clock; date +%s
exit 0
`;
}

/** Parse what factsProbeScript() printed. Never throws. */
export function parseFacts(stdout: string): HostFacts {
  const sections = splitSections(stdout);
  const get = (name: string): string[] => sections.get(name) ?? [];
  const os = keyValues(get('os'));
  const docker = keyValues(get('docker'));
  const meminfo = keyValues(get('meminfo').map((l) => l.replace(/^(\w+):\s*/, '$1=')));
  return {
    os: { id: os.get('ID') || null, version: os.get('VERSION_ID') || null, pretty: os.get('PRETTY_NAME') || null },
    arch: firstLine(get('arch')),
    kernel: firstLine(get('kernel')),
    hostname: firstLine(get('hostname')),
    uptimeSeconds: decimal(firstWord(get('uptime'), 0), Math.floor),
    load: parseLoad(get('loadavg')),
    memory: { totalBytes: kilobytes(meminfo.get('MemTotal')), availableBytes: kilobytes(meminfo.get('MemAvailable')) },
    disk: parseDisk(get('disk')),
    docker: {
      present: docker.get('present') === '1',
      version: docker.get('version') || null,
      containers: get('containers').flatMap(parseContainer),
    },
    listeningPorts: sortedUnique(get('ports').flatMap(parsePortLine)),
    services: [...new Set(get('services').flatMap(parseServiceLine))].sort(),
    processes: parseProcesses(get('processes')),
    clock: decimal(firstWord(get('clock'), 0)),
  };
}

// Lines before the first marker (say, a noisy shell rc file) are ignored.
function splitSections(stdout: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of stdout.split(/\r?\n/)) {
    const marker = line.startsWith(`${MARK} `) ? line.slice(MARK.length + 1).trim() : null;
    if (marker !== null) {
      current = [];
      sections.set(marker, current);
    } else if (current !== null && line.trim() !== '') {
      current.push(line);
    }
  }
  return sections;
}

function keyValues(lines: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq > 0) map.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return map;
}

function firstLine(lines: string[]): string | null {
  return lines[0]?.trim() || null;
}

function firstWord(lines: string[], index: number): string | undefined {
  return lines[0]?.trim().split(/\s+/)[index];
}

// A plain non-negative decimal (no sign, exponent or hex), optionally rounded.
function decimal(text: string | undefined, round: (n: number) => number = (n) => n): number | null {
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text)) return null;
  return round(Number(text));
}

function kilobytes(value: string | undefined): number | null {
  const match = /^(\d+)\s*kB$/i.exec(value ?? '');
  return match ? Number(match[1]) * 1024 : null;
}

function parseLoad(lines: string[]): [number, number, number] | null {
  const [a, b, c] = [0, 1, 2].map((i) => decimal(firstWord(lines, i)));
  return a != null && b != null && c != null ? [a, b, c] : null;
}

// df -P: "Filesystem <N>-blocks Used Available Capacity Mounted-on". Read the row from
// the right so a filesystem name with spaces cannot shift the columns.
function parseDisk(lines: string[]): HostFacts['disk'] {
  const unit = Number(keyValues(lines).get('unit'));
  const row = lines.map((l) => l.trim().split(/\s+/)).find((cols) => cols.at(-1) === '/' && /^\d+%$/.test(cols.at(-2) ?? ''));
  const total = Number(row?.at(-5));
  const free = Number(row?.at(-3));
  const ok = (n: number): boolean => Number.isInteger(n) && n >= 0 && (unit === 1 || unit === 1024);
  return { path: '/', totalBytes: ok(total) ? total * unit : null, freeBytes: ok(free) ? free * unit : null };
}

// Old docker clients print the \t of --format literally instead of as a tab.
function parseContainer(line: string): DockerContainer[] {
  const [name, image, status] = line.split(/\t|\\t/);
  return name && image && status !== undefined ? [{ name, image, status }] : [];
}

// ss:         "LISTEN 0 4096 0.0.0.0:22 0.0.0.0:*" (local address is 3 columns after LISTEN)
// /proc/net:  "0: 00000000:0016 00000000:0000 0A ..." (hex port, state 0A = LISTEN)
function parsePortLine(line: string): number[] {
  const proc = /^\s*\d+:\s+[0-9A-Fa-f]+:([0-9A-Fa-f]{4})\s+[0-9A-Fa-f]+:[0-9A-Fa-f]{4}\s+0A\s/.exec(line);
  if (proc) return validPort(parseInt(proc[1] ?? '', 16));
  const cols = line.trim().split(/\s+/);
  const local = cols[cols.indexOf('LISTEN') + 3];
  const port = cols.includes('LISTEN') ? /:(\d+)$/.exec(local ?? '')?.[1] : undefined;
  return port === undefined ? [] : validPort(Number(port));
}

function validPort(port: number): number[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [port] : [];
}

// systemctl --plain: "ssh.service loaded active running OpenBSD Secure Shell server"
// service --status-all: " [ + ]  ssh"
function parseServiceLine(line: string): string[] {
  const sysv = /^\s*\[\s*\+\s*\]\s+(\S+)/.exec(line);
  if (sysv?.[1]) return [sysv[1]];
  const [unit = '', , , sub] = line.trim().split(/\s+/);
  const name = /^(.+)\.service$/.exec(unit)?.[1];
  return name && sub === 'running' ? [name] : [];
}

function parseProcesses(lines: string[]): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const line of lines) {
    const match = /^([A-Za-z0-9_.-]+)=([01])$/.exec(line.trim());
    if (match?.[1] && match[1] !== 'src') out[match[1]] = match[2] === '1';
  }
  return out;
}

function sortedUnique(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}
