// Start or gracefully reload HAProxy on the entry point, whatever manages services there: systemd when
// /run/systemd/system exists (Debian's unit reloads master-worker with USR2), else the daemon directly
// with -D -p pidfile, handing the listening sockets over (-x) and letting old processes finish (-sf).
import { quoteArg } from '../remote/shell.js';
import { HAPROXY } from './paths.js';

/**
 * A sh script that validates the live config, dumps the runtime server states to the server-state-file (so
 * drain and maint survive), reloads or starts, and waits until the new process answers on its socket. If the
 * new process does not come up, the previous config file (PATH.weclick-prev) is put back: the old process keeps
 * serving the old config, and the file says so too.
 */
export function reloadScript(paths: typeof HAPROXY = HAPROXY): string {
  const q = quoteArg;
  return `set -u
CFG=${q(paths.config)} SOCK=${q(paths.socket)} STATE=${q(paths.stateFile)} PID=${q(paths.pidFile)}
restore() { if [ -e "$CFG.weclick-prev" ]; then cp -p "$CFG.weclick-prev" "$CFG"; echo "restored the previous $CFG" >&2; fi; }
if ! out=$(haproxy -c -f "$CFG" 2>&1); then echo "$out" >&2; restore; exit 1; fi
mkdir -p "$(dirname "$SOCK")"
if [ -S "$SOCK" ] && printf 'show servers state\\n' | socat -t 5 stdio "UNIX-CONNECT:$SOCK" > "$STATE.tmp" 2>/dev/null && [ -s "$STATE.tmp" ]; then
  mv -f "$STATE.tmp" "$STATE"
else
  rm -f "$STATE.tmp"
fi
if [ -d /run/systemd/system ]; then
  systemctl enable --quiet haproxy 2>/dev/null || true
  if systemctl is-active --quiet haproxy; then systemctl reload haproxy; else systemctl start haproxy; fi || { restore; exit 1; }
  want=
else
  old=
  if [ -s "$PID" ] && kill -0 $(cat "$PID") 2>/dev/null; then old=$(cat "$PID"); fi
  if [ -n "$old" ]; then
    haproxy -D -p "$PID" -f "$CFG" -x "$SOCK" -sf $old || { echo "the new HAProxy did not start; the old one (pid $old) keeps serving" >&2; restore; exit 1; }
  else
    haproxy -D -p "$PID" -f "$CFG" || { restore; exit 1; }
  fi
  want=$(head -n 1 "$PID")
fi
i=0
while :; do
  got=$(printf 'show info\\n' | socat -t 2 stdio "UNIX-CONNECT:$SOCK" 2>/dev/null | sed -n 's/^Pid: //p')
  if [ -n "$got" ] && { [ -z "$want" ] || [ "$got" = "$want" ]; }; then break; fi
  i=$((i + 1))
  if [ "$i" -ge 100 ]; then echo "HAProxy does not answer on $SOCK after the reload" >&2; exit 1; fi
  sleep 0.1
done
`;
}

/** A probe: prints the Pid HAProxy reports on its admin socket (nothing, exit 1, when it is not running). */
export function runningProbe(paths: typeof HAPROXY = HAPROXY): string {
  return `printf 'show info\\n' | socat -t 2 stdio ${quoteArg(`UNIX-CONNECT:${paths.socket}`)} 2>/dev/null | grep '^Pid: '`;
}
