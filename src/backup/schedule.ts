// `weclick backup schedule`: a systemd timer on the management server that runs the same `weclick backup now`
// there, so backups do not depend on an operator's laptop. Units are rendered here as plain text (pure, tested
// with systemd-analyze verify) and installed over SSH with atomic writes.

export const UNIT_DIR = '/etc/systemd/system';
export const SERVICE_UNIT = 'weclick-backup.service';
export const TIMER_UNIT = 'weclick-backup.timer';

export interface ScheduleSpec {
  /** Seconds between backups. */
  everySeconds: number;
  /** weclick on the management server. */
  weclickPath: string;
  /** The inventory there (its .env, known_hosts and catalog sit beside it). */
  inventoryPath: string;
  /** Apply the retention policy after each successful backup. */
  prune: boolean;
}

/** Paths go into unit files unquoted: keep them boring. */
export const UNIT_PATH = /^\/[A-Za-z0-9._/-]+$/;

const MIN_EVERY = 15 * 60;
const MAX_EVERY = 31 * 86400;

/** 30m, 6h, 1d … → seconds; undefined when malformed or outside 15 minutes … 31 days. */
export function parseEvery(text: string): number | undefined {
  const match = /^(\d+)\s*(m|min|h|d)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = match[2]!.toLowerCase();
  const seconds = Number(match[1]) * (unit === 'd' ? 86400 : unit === 'h' ? 3600 : 60);
  return seconds >= MIN_EVERY && seconds <= MAX_EVERY ? seconds : undefined;
}

/**
 * A calendar schedule when the interval divides an hour or a day evenly (wall-clock aligned, and Persistent= then
 * catches up a run missed while the server was off); otherwise a monotonic one counted from the last run.
 */
export function timerLines(everySeconds: number): string[] {
  const minutes = everySeconds / 60;
  const hours = everySeconds / 3600;
  if (everySeconds < 3600 && Number.isInteger(minutes) && 60 % minutes === 0) return [`OnCalendar=*-*-* *:00/${minutes}:00`, 'Persistent=true'];
  if (Number.isInteger(hours) && hours < 24 && 24 % hours === 0) return [`OnCalendar=*-*-* 00/${hours}:00:00`, 'Persistent=true'];
  if (everySeconds === 86400) return ['OnCalendar=*-*-* 03:00:00', 'Persistent=true'];
  return ['OnBootSec=15min', `OnUnitActiveSec=${Math.round(minutes)}min`];
}

export function describeEvery(everySeconds: number): string {
  if (everySeconds % 86400 === 0) return `${everySeconds / 86400}d`;
  if (everySeconds % 3600 === 0) return `${everySeconds / 3600}h`;
  return `${Math.round(everySeconds / 60)}m`;
}

export function renderUnits(spec: ScheduleSpec): { service: string; timer: string } {
  for (const path of [spec.weclickPath, spec.inventoryPath]) if (!UNIT_PATH.test(path)) throw new Error(`not a plain absolute path: ${path}`);
  const dir = spec.inventoryPath.replace(/\/[^/]+$/, '') || '/';
  const service = `# Written by weclick backup schedule; weclick backup schedule --remove takes it away.
[Unit]
Description=weclick: back up the central MySQL to Telegram
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
WorkingDirectory=${dir}
Environment=NO_COLOR=1
ExecStart=${spec.weclickPath} backup now${spec.prune ? ' --prune' : ''} --inventory ${spec.inventoryPath}
TimeoutStartSec=6h
Nice=10
IOSchedulingClass=idle
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths=${dir}
`;
  const timer = `# Written by weclick backup schedule; weclick backup schedule --remove takes it away.
[Unit]
Description=weclick: back up the central MySQL to Telegram every ${describeEvery(spec.everySeconds)}

[Timer]
${timerLines(spec.everySeconds).join('\n')}
RandomizedDelaySec=300
Unit=${SERVICE_UNIT}

[Install]
WantedBy=timers.target
`;
  return { service, timer };
}

/**
 * Writes both units atomically (temp file in the same folder, sync, rename), then — only where systemd runs —
 * reloads and enables the timer. Prints NO_SYSTEMD, MISSING_WECLICK or MISSING_INVENTORY lines for the caller.
 */
export function installCommand(units: { service: string; timer: string }, spec: ScheduleSpec): string[] {
  const script = `set -e
dir=$1
put() {
  tmp="$dir/.$1.weclick-tmp.$$"
  printf %s "$2" | base64 -d > "$tmp"
  chmod 644 "$tmp"
  sync "$tmp" 2>/dev/null || true
  mv -f "$tmp" "$dir/$1"
}
mkdir -p "$dir"
put ${SERVICE_UNIT} "$2"
put ${TIMER_UNIT} "$3"
[ -x "$4" ] || echo MISSING_WECLICK
[ -f "$5" ] || echo MISSING_INVENTORY
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  systemctl daemon-reload
  systemctl enable --now ${TIMER_UNIT}
  echo ENABLED
else
  echo NO_SYSTEMD
fi`;
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return ['sh', '-c', script, 'weclick-schedule', UNIT_DIR, b64(units.service), b64(units.timer), spec.weclickPath, spec.inventoryPath];
}

export function removeCommand(): string[] {
  const script = `dir=$1
present=no
[ -e "$dir/${TIMER_UNIT}" ] || [ -e "$dir/${SERVICE_UNIT}" ] && present=yes
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now ${TIMER_UNIT} 2>/dev/null || true
fi
rm -f "$dir/${TIMER_UNIT}" "$dir/${SERVICE_UNIT}" || exit 1
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then systemctl daemon-reload; else echo NO_SYSTEMD; fi
echo "PRESENT=$present"`;
  return ['sh', '-c', script, 'weclick-unschedule', UNIT_DIR];
}
