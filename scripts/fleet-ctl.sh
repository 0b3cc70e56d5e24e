#!/usr/bin/env bash
# Inject faults into one host of a running test fleet (scripts/fleet-up.sh).
#
# usage: scripts/fleet-ctl.sh STATE_DIR ACTION HOST
#
#   stop       kill the host's namespace (sshd, sessions, daemons); idempotent
#   start      boot the host again with the same host key and private dirs.
#              When the namespace is still up it is kept: a paused sshd is
#              resumed, a killed one is started again inside it (daemons such
#              as haproxy survive); a no-op when the host is up and serving
#   pause      SIGSTOP the host's listening sshd: new connections hang (the
#              kernel still completes the TCP handshake); open sessions go on
#   resume     SIGCONT it
#   rekey      stop, replace the host key with a fresh one, start. fleet.json
#              and known_hosts then list the NEW key (the old one stays in
#              hosts/HOST/ssh_host_ed25519_key.old.pub): a test that wants a
#              mismatch must keep its own copy of the old known_hosts line
#   kill-sshd  SIGKILL the listening sshd and its children (sessions); the
#              namespace and anything else in it (haproxy...) stay up
#
# Prints nothing on success; exits non-zero with a message on failure.
# fleet.json (unsharePid, hostKeyPub) and known_hosts are rewritten after
# stop, start and rekey.
set -euo pipefail

# shellcheck source=scripts/fleet-up.sh
source "$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)/fleet-up.sh"
FLEET_PROG=fleet-ctl
readonly CTL_WAIT_MS=5000

HOST="" HDIR="" ADDR="" LISTENER=""

ctl_usage() {
  echo "usage: $0 STATE_DIR stop|start|pause|resume|rekey|kill-sshd HOST" >&2
  exit 2
}

# Take an exclusive lock on file $1 until this script exits. (No wrapper
# function running "$@": a call in an || or && list would switch off set -e
# inside it.)
ctl_lock() {
  local fd
  exec {fd}>"$1"
  flock "$fd"
}

# Print the PID of the host's namespace PID 1 (the boot shell), from the last
# process snapshot, or fail.
ctl_boot_pid() {
  local unshare_pid=$1 pid
  for pid in "${!PROC_PPID[@]}"; do
    if [[ "${PROC_PPID[$pid]}" == "$unshare_pid" && "${PROC_STATE[$pid]}" != Z ]]; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}

# Set LISTENER to the root-namespace PID of the host's listening sshd: the
# sshd child of the namespace's PID 1 (connection handlers are children of
# the listener). Fails when there is none. Leaves a fresh process snapshot.
ctl_find_listener() {
  local unshare_pid boot pid
  LISTENER=""
  fleet_scan_hosts fresh
  unshare_pid=${FLEET_HOST_PID[$HOST]:-}
  [[ -n "$unshare_pid" ]] || return 1
  boot=$(ctl_boot_pid "$unshare_pid") || return 1
  for pid in "${!PROC_PPID[@]}"; do
    if [[ "${PROC_PPID[$pid]}" == "$boot" && "${PROC_COMM[$pid]}" == sshd && "${PROC_STATE[$pid]}" != Z ]]; then
      LISTENER=$pid
      return 0
    fi
  done
  return 1
}

ctl_require_listener() {
  ctl_find_listener || fleet_die "host $HOST has no listening sshd (stopped, or sshd killed?)"
}

# Print PID and all its descendants (from the last snapshot), parents first.
ctl_descendants() {
  local -a queue=("$1")
  local pid child
  while ((${#queue[@]} > 0)); do
    pid=${queue[0]}
    queue=("${queue[@]:1}")
    echo "$pid"
    for child in "${!PROC_PPID[@]}"; do
      if [[ "${PROC_PPID[$child]}" == "$pid" ]]; then queue+=("$child"); fi
    done
  done
}

ctl_listening() {
  [[ $'\n'$(fleet_listeners)$'\n' == *$'\n'"$ADDR:$FLEET_SSH_PORT"$'\n'* ]]
}

# Wait until none of the PIDs is alive and nothing listens on ADDR:22.
ctl_wait_gone() {
  local deadline=$(($(fleet_now_ms) + CTL_WAIT_MS)) pid busy
  while :; do
    busy=""
    for pid in "$@"; do
      if fleet_pid_alive "$pid"; then busy+=" pid $pid"; fi
    done
    if ctl_listening; then busy+=" $ADDR:$FLEET_SSH_PORT"; fi
    [[ -n "$busy" ]] || return 0
    if (($(fleet_now_ms) > deadline)); then
      fleet_die "host $HOST: still there after ${CTL_WAIT_MS} ms:$busy"
    fi
    sleep 0.02
  done
}

# ------------------------------------------------------------ actions

ctl_stop() {
  local pid
  fleet_scan_hosts fresh
  pid=${FLEET_HOST_PID[$HOST]:-}
  if [[ -n "$pid" ]]; then
    # unshare blocks SIGTERM/SIGINT: only SIGKILL works. --kill-child takes
    # the namespace (sshd, sessions, daemons) down with it.
    kill -KILL "$pid" 2>/dev/null || true
    ctl_wait_gone "$pid"
  fi
}

# Boot the host from its existing key and private dirs.
ctl_boot() {
  fleet_write_host_config "$HOST" "$ADDR"
  fleet_launch_host "$HOST" "$ADDR"
  fleet_wait_hosts "$HOST"
}

# Wait until sshd listens on ADDR:22 again (after resume or a relaunch).
ctl_wait_listening() {
  local deadline=$(($(fleet_now_ms) + ${WECLICK_FLEET_TIMEOUT:-10} * 1000))
  until ctl_listening; do
    if (($(fleet_now_ms) > deadline)); then
      echo "$FLEET_PROG: host $HOST: sshd not listening on $ADDR:$FLEET_SSH_PORT" >&2
      fleet_tail_log "$HDIR/log"
      exit 1
    fi
    sleep 0.02
  done
}

# Start sshd again inside the host's running namespace (after kill-sshd).
ctl_relaunch_sshd() {
  local boot=$1
  if [[ -e "$HDIR/sshd.exit" ]]; then rm -f -- "$HDIR/sshd.exit"; fi
  (
    fleet_close_fds
    # setsid -f: its parent exits at once, so sshd is re-parented to the
    # namespace's PID 1, which reaps it, like the original one.
    exec nsenter --target "$boot" --mount --uts --pid -- \
      setsid -f env -i PATH="$FLEET_PATH" LANG=C.UTF-8 \
      /usr/sbin/sshd -D -e -f "$HDIR/sshd_config" </dev/null >>"$HDIR/log" 2>&1
  )
  ctl_wait_listening
}

ctl_start() {
  local unshare_pid boot
  if ctl_find_listener; then
    if [[ "${PROC_STATE[$LISTENER]}" == T ]]; then kill -CONT "$LISTENER"; fi
    ctl_wait_listening
    return 0
  fi
  unshare_pid=${FLEET_HOST_PID[$HOST]:-}
  if [[ -n "$unshare_pid" ]] && boot=$(ctl_boot_pid "$unshare_pid"); then
    ctl_relaunch_sshd "$boot"
    return 0
  fi
  ctl_stop # a half-dead namespace, if any
  ctl_boot
}

ctl_pause() {
  ctl_require_listener
  kill -STOP "$LISTENER"
}

ctl_resume() {
  ctl_require_listener
  kill -CONT "$LISTENER"
}

ctl_rekey() {
  local key="$HDIR/ssh_host_ed25519_key"
  ctl_stop
  mv -f -- "$key" "$key.old"
  mv -f -- "$key.pub" "$key.old.pub"
  fleet_keygen "$key" "$HOST"
  ctl_boot
}

ctl_kill_sshd() {
  local -a pids
  ctl_require_listener
  # Freeze the listener first so that it cannot fork new handlers while we
  # collect its children.
  kill -STOP "$LISTENER"
  fleet_proc_snapshot
  mapfile -t pids < <(ctl_descendants "$LISTENER")
  kill -KILL "${pids[@]}" 2>/dev/null || true
  ctl_wait_gone "${pids[@]}"
}

ctl_main() {
  (($# == 3)) || ctl_usage
  local state_dir=$1 action=$2
  HOST=$3
  [[ $EUID -eq 0 ]] || fleet_die "must run as root"
  case "$action" in
    stop | start | pause | resume | rekey | kill-sshd) ;;
    *) echo "$FLEET_PROG: unknown action '$action'" >&2; ctl_usage ;;
  esac
  [[ -d "$state_dir" ]] || fleet_die "STATE_DIR '$state_dir' does not exist"
  fleet_set_dir "$state_dir"
  [[ -f "$FLEET_DIR/hosts.list" && -f "$FLEET_DIR/host-boot.sh" ]] ||
    fleet_die "no fleet in $FLEET_DIR (run scripts/fleet-up.sh first)"
  fleet_load_hosts
  [[ -n "${FLEET_ADDR[$HOST]:-}" ]] ||
    fleet_die "unknown host '$HOST' (hosts: ${FLEET_NAMES[*]})"
  ADDR=${FLEET_ADDR[$HOST]}
  HDIR="$FLEET_DIR/hosts/$HOST"

  ctl_lock "$HDIR/.ctl.lock" # one action per host at a time
  case "$action" in
    stop) ctl_stop ;;
    start) ctl_start ;;
    rekey) ctl_rekey ;;
    pause) ctl_pause ;;
    resume) ctl_resume ;;
    kill-sshd) ctl_kill_sshd ;;
  esac
  case "$action" in
    stop | start | rekey)
      # unsharePid / hostKeyPub changed; concurrent fleet-ctl calls take turns.
      ctl_lock "$FLEET_DIR/.state.lock"
      fleet_write_state ;;
  esac
}

ctl_main "$@"
