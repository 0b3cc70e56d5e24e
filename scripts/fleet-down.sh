#!/usr/bin/env bash
# Stop the test fleet started by scripts/fleet-up.sh STATE_DIR.
#
# usage: scripts/fleet-down.sh STATE_DIR
#
# Kills every host namespace, shuts MariaDB down and kills ssh clients
# (ControlPersist masters) that reference STATE_DIR. Idempotent, safe when
# nothing is up, and always exits 0 so it can sit in an EXIT trap. The files in
# STATE_DIR (keys, logs, host dirs) are kept for inspection and warm restarts.
set -euo pipefail

DIR=""
HOST_PIDS=()
HOST_WAIT_MS=5000
DB_WAIT_MS=10000

warn() { echo "fleet-down: $*" >&2; }

now_ms() {
  local t=${EPOCHREALTIME/./}
  echo $((t / 1000))
}

# True while PID exists and is not a zombie: a zombie's namespace and
# sockets are already released. (No fork: used in polling loops.)
pid_alive() {
  local stat
  [[ "$1" =~ ^[0-9]+$ ]] || return 1
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  stat=${stat##*) } # the command name may contain spaces and ')'
  [[ "${stat%% *}" != Z ]]
}

# Print the PIDs (other than ours) whose command line contains $1 and, when $2
# is given, whose command name is exactly $2. Zombies are skipped. No forks:
# this walks the whole process table.
pids_matching() {
  local needle=$1 comm=${2:-} p pid c
  local -a args
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [[ "$pid" != "$$" && "$pid" != "$BASHPID" ]] || continue
    if [[ -n "$comm" ]]; then
      read -r c 2>/dev/null <"$p/comm" || continue
      [[ "$c" == "$comm" ]] || continue
    fi
    mapfile -d '' args 2>/dev/null <"$p/cmdline" || continue
    ((${#args[@]} > 0)) || continue   # zombies and kernel threads
    if [[ "${args[*]} " == *"$needle"* ]] && pid_alive "$pid"; then
      echo "$pid"
    fi
  done
}

# Addresses of the fleet's hosts, one per line.
host_addresses() {
  local _name addr
  [[ -f "$DIR/hosts.list" ]] || return 0
  while read -r _name addr; do echo "$addr"; done <"$DIR/hosts.list"
}

# ssh clients that reference STATE_DIR on their command line (key, known_hosts,
# ControlPath), or that are connected to a fleet address on port 22. A
# ControlPersist master rewrites its command line to "ssh: PATH [mux]", hence
# the connection check.
kill_ssh_clients() {
  local -a pids fields
  local addrs pid i peer
  mapfile -t pids < <(pids_matching "$DIR/" ssh)
  addrs=$'\n'$(host_addresses)$'\n'
  if [[ "$addrs" != $'\n\n' ]]; then
    # Lines look like: 0 0 127.0.0.1:40000 127.0.0.21:22 users:(("ssh",pid=123,fd=3))
    # (no State column with a state filter); the peer is the field before users:.
    while read -r -a fields; do
      for ((i = 1; i < ${#fields[@]}; i++)); do
        [[ "${fields[i]}" == 'users:(("ssh",pid='* ]] || continue
        peer=${fields[i - 1]}
        [[ "$addrs" == *$'\n'"${peer%:22}"$'\n'* ]] || continue
        pid=${fields[i]#*pid=}
        pids+=("${pid%%,*}")
      done
    done < <(ss -Htnp state established '( dport = :22 )' 2>/dev/null || true)
  fi
  ((${#pids[@]} > 0)) || return 0
  # SIGTERM first: a master then removes its control socket.
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait_pids_gone 500 "${pids[@]}" || kill -KILL "${pids[@]}" 2>/dev/null || true
}

# Host namespaces: every unshare running our boot script. unshare --fork
# blocks SIGTERM/SIGINT and PID 1 of the namespace ignores them, so only
# SIGKILL works; --kill-child then takes the whole namespace down. Only
# unshare is killed: its 'setsid -w' parent reaps it at once (a killed parent
# would leave a zombie until this machine's PID 1 gets round to it).
kill_hosts() {
  local -a pids
  local pid
  mapfile -t pids < <(pids_matching "$DIR/host-boot.sh " unshare)
  for pid in "${pids[@]+"${pids[@]}"}"; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  HOST_PIDS=("${pids[@]+"${pids[@]}"}")
}

# Wait (bounded) until the killed PIDs are gone and no sshd listens on a fleet address.
wait_hosts_gone() {
  local deadline=$(($(now_ms) + HOST_WAIT_MS)) pid busy listeners addr
  while :; do
    busy=""
    for pid in "${HOST_PIDS[@]+"${HOST_PIDS[@]}"}"; do
      if pid_alive "$pid"; then busy+=" pid $pid"; fi
    done
    listeners=$'\n'$(ss -Hltn 2>/dev/null | awk '{print $4}')$'\n'
    while read -r addr; do
      [[ -n "$addr" ]] || continue
      if [[ "$listeners" == *$'\n'"$addr:22"$'\n'* ]]; then busy+=" $addr:22"; fi
    done < <(host_addresses)
    [[ -n "$busy" ]] || break
    if (($(now_ms) > deadline)); then
      warn "still busy after ${HOST_WAIT_MS} ms:$busy"
      break
    fi
    sleep 0.02
  done
  # Leftovers of a half-started or damaged host (a boot shell whose unshare is
  # gone, a launcher that never got to exec unshare).
  for pid in $(pids_matching "$DIR/host-boot.sh "); do
    kill -KILL "$pid" 2>/dev/null || true
  done
}

db_pids() {
  pids_matching "--datadir=$DIR/db " mariadbd
}

wait_pids_gone() {
  local deadline=$(($(now_ms) + $1)) pid busy
  shift
  while :; do
    busy=0
    for pid in "$@"; do
      if pid_alive "$pid"; then busy=1; fi
    done
    ((busy)) || return 0
    (($(now_ms) <= deadline)) || return 1
    sleep 0.02
  done
}

# A clean shutdown through the socket; SIGTERM (also a clean shutdown for
# mariadbd), then SIGKILL, as fallbacks.
stop_db() {
  local -a pids
  local out=""
  mapfile -t pids < <(db_pids)
  ((${#pids[@]} > 0)) || return 0
  # --shutdown-timeout=0: mariadb-admin would otherwise poll the pid file once
  # a second (≥1 s per shutdown); we poll the process ourselves. It then
  # exits 1 with "Aborted waiting on pid file" although the shutdown is on.
  if [[ -S "$DIR/mysql/mysqld.sock" ]] &&
    out=$(timeout 5 mariadb-admin --no-defaults -uroot --socket="$DIR/mysql/mysqld.sock" \
      --shutdown-timeout=0 shutdown 2>&1) || [[ "$out" == *"Aborted waiting on pid file"* ]]; then
    wait_pids_gone "$DB_WAIT_MS" "${pids[@]}" && return 0
    warn "MariaDB did not shut down within ${DB_WAIT_MS} ms; sending SIGTERM"
  fi
  # Not ready yet (no socket: fleet-up failed half-way) or no answer.
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait_pids_gone "$DB_WAIT_MS" "${pids[@]}" && return 0
  warn "MariaDB ignored SIGTERM; sending SIGKILL"
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait_pids_gone 2000 "${pids[@]}" || warn "MariaDB (pid ${pids[*]}) is still there"
}

# Extra MariaDB servers a test started (test/fleet/extra-mariadb.ts) and did not stop: SIGTERM (a clean
# shutdown for mariadbd), then SIGKILL.
stop_extra_dbs() {
  local -a pids
  mapfile -t pids < <(pids_matching "--datadir=$DIR/extra-db/" mariadbd)
  ((${#pids[@]} > 0)) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait_pids_gone "$DB_WAIT_MS" "${pids[@]}" && return 0
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait_pids_gone 2000 "${pids[@]}" || warn "extra MariaDB (pid ${pids[*]}) is still there"
}

main() {
  if (($# != 1)) || [[ -z "$1" ]]; then
    warn "usage: $0 STATE_DIR (nothing done)"
    return 0
  fi
  [[ -d "$1" ]] || return 0
  DIR=$(cd -- "$1" && pwd -P)
  [[ "$DIR" != / ]] || return 0
  kill_ssh_clients
  kill_hosts
  stop_db &
  stop_extra_dbs &
  wait_hosts_gone
  wait
}

# Never fail the caller's trap. (Called in an || list, main runs without
# errexit: one failed step does not stop the others.)
main "$@" || warn "teardown hit an error (ignored)"
exit 0
