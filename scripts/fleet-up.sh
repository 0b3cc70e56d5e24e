#!/usr/bin/env bash
# Start the real test fleet: one sshd per emulated host on 127.0.0.N:22, each in
# its own mount/UTS/PID namespace, plus a throwaway MariaDB on 127.0.0.10:3306.
#
# usage: scripts/fleet-up.sh STATE_DIR [--bench N]
#
#   mngmt=127.0.0.10  go=127.0.0.11  srv1..srv3=127.0.0.21..23  outline=127.0.0.30
#   --bench N (1..40) adds bench1..benchN at 127.0.0.101..
#
# Writes STATE_DIR/fleet.json, STATE_DIR/known_hosts and STATE_DIR/fleet.env.
# Keys in STATE_DIR are kept between runs; host private dirs and the database
# are reset on every start. Stop everything with scripts/fleet-down.sh STATE_DIR.
#
# Each host's namespace overlays /etc /var /root /home /usr/local (writes land
# in STATE_DIR/hosts/NAME/upper/), bind-mounts STATE_DIR/hosts/NAME/opt on /opt
# and puts a tmpfs on /run. The network namespace is shared: every service on
# a host must bind that host's own 127.0.0.N.
#
# This file is also sourced by scripts/fleet-ctl.sh for its functions; main
# only runs when it is executed.
#
# Environment: WECLICK_FLEET_TIMEOUT  readiness timeout in seconds (default 10)
#              WECLICK_FLEET_DEBUG=1  print phase timings on stderr
#
# Forks are expensive on the CI machine (≈1 ms for a subshell, 2-7 ms for an
# exec under load), so loops over hosts use builtins and functions that set
# REPLY instead of $(...).
set -euo pipefail

FLEET_SCRIPTS_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly FLEET_SCRIPTS_DIR
readonly FLEET_STANDARD_HOSTS=(
  "mngmt 127.0.0.10"
  "go 127.0.0.11"
  "srv1 127.0.0.21"
  "srv2 127.0.0.22"
  "srv3 127.0.0.23"
  "outline 127.0.0.30"
)
readonly FLEET_BENCH_BASE=100 FLEET_BENCH_MAX=40
readonly FLEET_SSH_PORT=22
readonly FLEET_DB_HOST=127.0.0.10 FLEET_DB_PORT=3306
readonly FLEET_DB_NAME=marzban FLEET_DB_ADMIN=weclick_admin
readonly FLEET_DB_TEMPLATE=/tmp/weclick-mariadb-template
readonly FLEET_DEPLOY_USER=deploy
# Trees each host overlays, as "MOUNTPOINT DIRNAME" (DIRNAME under upper/ and wk/).
readonly FLEET_OVERLAYS=("/etc etc" "/var var" "/root root" "/home home" "/usr/local usr-local")
# Options shared by the template initialisation and the server: the log file
# size must match, and 8M (instead of 96M) keeps the datadir copy cheap.
readonly FLEET_DB_INNODB_OPTS=(--innodb-log-file-size=8M)
readonly FLEET_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

FLEET_DIR=""             # absolute STATE_DIR
FLEET_PROG=${FLEET_PROG:-fleet}
FLEET_STARTED=0          # set once fleet-up has launched anything (cleanup on failure)
FLEET_NAMES=()           # host names in fleet order (fleet_load_hosts)
declare -A FLEET_ADDR=() # host name -> address
declare -A FLEET_HOST_PID=() # host name -> unshare PID (fleet_scan_hosts)

fleet_die() {
  echo "$FLEET_PROG: $*" >&2
  exit 1
}

fleet_now_ms() {
  local t=${EPOCHREALTIME/./}
  echo $((t / 1000))
}

FLEET_T0=${EPOCHREALTIME/./}
# With WECLICK_FLEET_DEBUG=1, print "+<ms> PHASE" on stderr.
fleet_phase() {
  if [[ "${WECLICK_FLEET_DEBUG:-0}" == 1 ]]; then
    local t=${EPOCHREALTIME/./}
    echo "$FLEET_PROG: +$(((t - FLEET_T0) / 1000)) ms $*" >&2
  fi
}

# Validate STATE_DIR and set FLEET_DIR to its absolute path (creating it when $2=create).
fleet_set_dir() {
  local dir=$1 mode=${2:-existing} real top sock=/mysql/mysqld.sock
  [[ -n "$dir" ]] || fleet_die "STATE_DIR is empty"
  if [[ "$mode" == create ]]; then
    mkdir -p -- "$dir" || fleet_die "cannot create STATE_DIR '$dir'"
  fi
  [[ -d "$dir" ]] || fleet_die "STATE_DIR '$dir' is not a directory"
  real=$(cd -- "$dir" && pwd -P)
  # The path goes into mount options (',' ':' break overlay options), an
  # fstab, sshd_config and JSON: keep it boring.
  [[ "$real" =~ ^[A-Za-z0-9._/@+-]+$ ]] ||
    fleet_die "STATE_DIR '$real' may only contain letters, digits and . _ / @ + -"
  [[ "$real" != / ]] || fleet_die "STATE_DIR must not be /"
  # Inside a host these trees are overlaid or replaced, so keys and host dirs
  # under them would not be the same files inside and outside the host.
  for top in /etc /var /root /home /usr/local /opt /run /proc /sys /dev; do
    if [[ "$real" == "$top" || "$real" == "$top"/* ]]; then
      fleet_die "STATE_DIR '$real' must not be under $top (hosts overlay it); use e.g. mktemp -d under /tmp"
    fi
  done
  # Unix socket paths are limited to 107 bytes.
  ((${#real} + ${#sock} <= 107)) || fleet_die "STATE_DIR '$real' is too long for the MariaDB socket path"
  FLEET_DIR=$real
}

# Load FLEET_NAMES/FLEET_ADDR from STATE_DIR/hosts.list ("NAME ADDRESS" lines).
fleet_load_hosts() {
  local name addr
  FLEET_NAMES=()
  FLEET_ADDR=()
  [[ -f "$FLEET_DIR/hosts.list" ]] || return 0
  while read -r name addr; do
    FLEET_NAMES+=("$name")
    FLEET_ADDR[$name]=$addr
  done <"$FLEET_DIR/hosts.list"
}

# ------------------------------------------------------------ processes

# Snapshot of the process table, taken without forking (PROC_PPID is used by
# scripts/fleet-ctl.sh, which sources this file):
#   PROC_PPID[pid] PROC_STATE[pid] (R S D T Z...) PROC_COMM[pid]
#   PROC_CMD[pid] (arguments joined by spaces, plus a trailing space)
declare -A PROC_PPID=() PROC_STATE=() PROC_COMM=() PROC_CMD=()
# shellcheck disable=SC2034
fleet_proc_snapshot() {
  local p pid stat rest
  local -a args
  PROC_PPID=() PROC_STATE=() PROC_COMM=() PROC_CMD=()
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    read -r stat 2>/dev/null <"$p/stat" || continue
    mapfile -d '' args 2>/dev/null <"$p/cmdline" || continue
    rest=${stat##*) } # the command name may contain spaces and ')'
    PROC_STATE[$pid]=${rest%% *}
    rest=${rest#* }
    PROC_PPID[$pid]=${rest%% *}
    PROC_COMM[$pid]=${stat#*(}
    PROC_COMM[$pid]=${PROC_COMM[$pid]%)*}
    PROC_CMD[$pid]="${args[*]+"${args[*]}"} "
  done
}

# From the last snapshot: PIDs (not zombies) with command name COMM whose
# command line contains NEEDLE, one per line.
fleet_snapshot_find() {
  local comm=$1 needle=$2 pid
  for pid in "${!PROC_COMM[@]}"; do
    [[ "${PROC_COMM[$pid]}" == "$comm" && "${PROC_STATE[$pid]}" != Z ]] || continue
    if [[ "${PROC_CMD[$pid]}" == *"$needle"* ]]; then echo "$pid"; fi
  done
}

# Fill FLEET_HOST_PID (name -> unshare PID) for the running hosts of this
# fleet. $1: "fresh" takes a new process snapshot, "cached" uses the last one.
fleet_scan_hosts() {
  local pid name
  [[ "$1" == cached ]] || fleet_proc_snapshot
  FLEET_HOST_PID=()
  for pid in "${!PROC_COMM[@]}"; do
    [[ "${PROC_COMM[$pid]}" == unshare && "${PROC_STATE[$pid]}" != Z ]] || continue
    [[ "${PROC_CMD[$pid]}" == *" $FLEET_DIR/host-boot.sh "* ]] || continue
    name=${PROC_CMD[$pid]#* "$FLEET_DIR/host-boot.sh" }
    FLEET_HOST_PID[${name%% *}]=$pid
  done
}

# Print the unshare PID of a running host, or fail.
fleet_host_pid() {
  fleet_scan_hosts fresh
  [[ -n "${FLEET_HOST_PID[$1]:-}" ]] || return 1
  echo "${FLEET_HOST_PID[$1]}"
}

# True while PID exists and is not a zombie (no fork: used in polling loops).
fleet_pid_alive() {
  local stat
  [[ "$1" =~ ^[0-9]+$ ]] || return 1
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  stat=${stat##*) }
  [[ "${stat%% *}" != Z ]]
}

# Print the set of "ADDRESS:PORT" TCP listeners, one per line.
fleet_listeners() {
  ss -Hltn 2>/dev/null | awk '{print $4}'
}

fleet_tail_log() {
  local file=$1
  if [[ -s "$file" ]]; then
    echo "--- last lines of $file:" >&2
    tail -n 15 -- "$file" >&2
  else
    echo "--- $file is empty or missing" >&2
  fi
}

# Close every inherited file descriptor above 2 in the current (sub)shell, so
# long-lived daemons do not hold a caller's pipes or our lock files open.
fleet_close_fds() {
  local fd
  for fd in "/proc/$BASHPID/fd/"*; do
    fd=${fd##*/}
    if ((fd > 2)); then
      eval "exec $fd>&-" 2>/dev/null || true
    fi
  done
}

# ------------------------------------------------------------ keys and files

# Generate an ed25519 key pair at $1 unless it exists. $2 = comment.
fleet_keygen() {
  local key=$1 comment=$2
  if [[ -s "$key" && -s "$key.pub" ]]; then
    return 0
  fi
  rm -f -- "$key" "$key.pub"
  ssh-keygen -q -t ed25519 -N '' -C "$comment" -f "$key" </dev/null >/dev/null
}

# REPLY = "ssh-ed25519 AAAA..." of a public key file, without the comment.
fleet_pub_of() {
  local type key _rest
  read -r type key _rest <"$1"
  REPLY="$type $key"
}

# REPLY = $1 as a JSON string.
fleet_json_str() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\t'/\\t}
  REPLY="\"$s\""
}

fleet_write_client_keys() {
  local ak="$FLEET_DIR/ssh/authorized_keys"
  fleet_keygen "$FLEET_DIR/ssh/id_test" "weclick-test-client"
  cp -- "$FLEET_DIR/ssh/id_test.pub" "$ak"
  # sshd opens authorized_keys as the target user, so 'deploy' must be able
  # to reach it: mktemp -d makes STATE_DIR 0700. The private key stays 0600.
  chmod 0644 "$ak"
  chmod go+x "$FLEET_DIR" "$FLEET_DIR/ssh"
  if ! setpriv --reuid=65534 --regid=65534 --clear-groups cat -- "$ak" >/dev/null 2>&1; then
    fleet_die "$ak is not readable by non-root users (is a parent directory of STATE_DIR private?); the '$FLEET_DEPLOY_USER' user could not log in"
  fi
}

# The boot script: PID 1 of a host's namespaces. Arguments: NAME ADDRESS HOST_DIR.
# It sticks to builtins where it can: every exec costs, times the host count.
fleet_write_boot_script() {
  {
    echo '#!/bin/bash'
    echo '# PID 1 of one emulated host (own mount, UTS and PID namespace).'
    echo '# Generated by scripts/fleet-up.sh; arguments: NAME ADDRESS HOST_DIR.'
    echo 'set -euo pipefail'
    printf 'deploy_user=%q\n' "$FLEET_DEPLOY_USER"
    cat <<'EOF'
name=$1 addr=$2 hdir=$3

echo "$name" >/proc/sys/kernel/hostname   # = hostname NAME, without an exec
# Overlays on /etc /var /root /home /usr/local, /opt bound to the host's own
# directory, a tmpfs on /run: one mount call for all of it.
mount --all --fstab "$hdir/fstab"
mkdir -p /run/sshd /run/haproxy

# Returns 0 when FILE has a line matching the extended regex.
has_line() {
  local line
  while IFS= read -r line; do
    if [[ "$line" =~ $2 ]]; then return 0; fi
  done <"$1"
  return 1
}

echo "$name" >/etc/hostname
# Without this, sudo warns "unable to resolve host NAME".
if ! has_line /etc/hosts "[[:space:]]$name([[:space:]]|\$)"; then
  echo "$addr $name" >>/etc/hosts
fi
# The machine's /root/.bashrc runs pyenv init: +120 ms on every SSH command.
echo "PS1='\\u@\\h:\\w\\\$ '" >/root/.bashrc

if ! has_line /etc/passwd "^$deploy_user:"; then
  # -p '*': without a password field sshd sees '!' (locked) and refuses even keys.
  useradd --create-home --shell /bin/bash -p '*' "$deploy_user"
fi
if [[ ! -e "/etc/sudoers.d/$deploy_user" ]]; then
  (umask 0337 && echo "$deploy_user ALL=(ALL) NOPASSWD:ALL" >"/etc/sudoers.d/$deploy_user")
fi

/usr/sbin/sshd -D -e -f "$hdir/sshd_config" &
sshd_pid=$!
# PID 1 must outlive sshd (fleet-ctl kill-sshd leaves the namespace up):
# 'sleep infinity' keeps 'wait -n' blocking. bash also reaps daemons that
# get re-parented to PID 1, such as 'haproxy -D'.
sleep infinity &
while :; do
  done_pid=""
  if wait -n -p done_pid; then status=0; else status=$?; fi
  if [[ -z "$done_pid" ]]; then
    sleep 1
  elif [[ "$done_pid" == "$sshd_pid" ]]; then
    # Tells fleet-up that sshd died (e.g. bind failure) without waiting for a timeout.
    echo "$status" >"$hdir/sshd.exit"
  fi
done
EOF
  } >"$FLEET_DIR/host-boot.sh.tmp"
  mv -f -- "$FLEET_DIR/host-boot.sh.tmp" "$FLEET_DIR/host-boot.sh"
}

# A host's sshd_config and fstab (builtins only).
fleet_write_host_config() {
  local name=$1 addr=$2 hdir="$FLEET_DIR/hosts/$1" spec mp d
  # MaxStartups/MaxSessions stay at sshd's defaults on purpose: the client
  # under test must cope with them.
  printf '%s\n' \
    "# Generated by scripts/fleet-up.sh for host $name." \
    "ListenAddress $addr" \
    "Port $FLEET_SSH_PORT" \
    "HostKey $hdir/ssh_host_ed25519_key" \
    "AuthorizedKeysFile $FLEET_DIR/ssh/authorized_keys" \
    "PubkeyAuthentication yes" \
    "PasswordAuthentication no" \
    "KbdInteractiveAuthentication no" \
    "UsePAM no" \
    "PermitRootLogin prohibit-password" \
    "StrictModes no" \
    "UseDNS no" \
    "PrintMotd no" \
    "PidFile /run/sshd.pid" \
    "Subsystem sftp /usr/lib/openssh/sftp-server" >"$hdir/sshd_config"
  {
    for spec in "${FLEET_OVERLAYS[@]}"; do
      read -r mp d <<<"$spec"
      echo "overlay $mp overlay lowerdir=$mp,upperdir=$hdir/upper/$d,workdir=$hdir/wk/$d 0 0"
    done
    echo "$hdir/opt /opt none bind 0 0"
    echo "tmpfs /run tmpfs mode=755 0 0"
  } >"$hdir/fstab"
}

# Empty private dirs for all hosts named in "$@" (one rm, one mkdir).
fleet_reset_host_dirs() {
  local name spec _mp d
  local -a old=() new=()
  for name in "$@"; do
    old+=("$FLEET_DIR/hosts/$name/"{upper,wk,opt,log,sshd.exit})
    new+=("$FLEET_DIR/hosts/$name/opt")
    for spec in "${FLEET_OVERLAYS[@]}"; do
      read -r _mp d <<<"$spec"
      new+=("$FLEET_DIR/hosts/$name/upper/$d" "$FLEET_DIR/hosts/$name/wk/$d")
    done
  done
  rm -rf -- "${old[@]}"
  mkdir -p -- "${new[@]}"
}

# ------------------------------------------------------------ hosts

# Start one host's namespace in the background.
fleet_launch_host() {
  local name=$1 addr=$2 hdir="$FLEET_DIR/hosts/$1"
  : >"$hdir/log"
  if [[ -e "$hdir/sshd.exit" ]]; then rm -f -- "$hdir/sshd.exit"; fi
  (
    fleet_close_fds
    # setsid -f: the host must not share the caller's process group (Ctrl-C,
    # SIGHUP). -w: that setsid stays as the parent of unshare and reaps it at
    # once when the host is killed; this machine's PID 1 reaps orphans only
    # every few seconds, and a zombie unshare would still answer 'kill -0'.
    # env -i: nothing from the caller's environment (BASH_ENV...) leaks in.
    exec setsid -f -w env -i PATH="$FLEET_PATH" LANG=C.UTF-8 \
      unshare --mount --uts --pid --fork --kill-child --mount-proc -- \
      bash "$FLEET_DIR/host-boot.sh" "$name" "$addr" "$hdir" \
      </dev/null >>"$hdir/log" 2>&1
  ) &
  echo "$!" >"$hdir/launcher.pid"
}

# Wait until every named host listens on ADDRESS:22. Fails naming the hosts
# that did not come up, with the tail of their logs.
fleet_wait_hosts() {
  local timeout_ms=$((${WECLICK_FLEET_TIMEOUT:-10} * 1000))
  local deadline=$(($(fleet_now_ms) + timeout_ms))
  local -a pending=("$@") still
  local listeners name hdir pid dead
  while ((${#pending[@]} > 0)); do
    listeners=$'\n'$(fleet_listeners)$'\n'
    still=()
    dead=""
    for name in "${pending[@]}"; do
      if [[ "$listeners" == *$'\n'"${FLEET_ADDR[$name]}:$FLEET_SSH_PORT"$'\n'* ]]; then
        continue
      fi
      hdir="$FLEET_DIR/hosts/$name"
      pid=""
      read -r pid 2>/dev/null <"$hdir/launcher.pid" || true
      if [[ -e "$hdir/sshd.exit" ]] || ! fleet_pid_alive "$pid"; then
        dead+=" $name"
      fi
      still+=("$name")
    done
    pending=("${still[@]+"${still[@]}"}")
    if [[ -n "$dead" ]] || { ((${#pending[@]} > 0)) && (($(fleet_now_ms) > deadline)); }; then
      if [[ -n "$dead" ]]; then
        echo "$FLEET_PROG: sshd or its host namespace exited during start:$dead" >&2
      else
        echo "$FLEET_PROG: sshd not listening after ${timeout_ms} ms on:" >&2
      fi
      for name in "${pending[@]}"; do
        echo "  $name (${FLEET_ADDR[$name]}:$FLEET_SSH_PORT)" >&2
        fleet_tail_log "$FLEET_DIR/hosts/$name/log"
      done
      return 1
    fi
    ((${#pending[@]} == 0)) || sleep 0.02
  done
}

# Write fleet.json and known_hosts (atomically: readers never see half a
# file). fleet-ctl calls it under the state lock.
fleet_write_state() {
  local name hdir pid password="" first=1 j_name j_pub j_dir j_pw
  read -r password 2>/dev/null <"$FLEET_DIR/mysql/password" || true
  fleet_scan_hosts fresh
  {
    printf '{\n'
    fleet_json_str "$FLEET_DIR" && printf '  "stateDir": %s,\n' "$REPLY"
    fleet_json_str "$FLEET_DIR/ssh/id_test" && printf '  "clientKey": %s,\n' "$REPLY"
    fleet_json_str "$FLEET_DIR/ssh/id_test.pub" && printf '  "clientPub": %s,\n' "$REPLY"
    fleet_json_str "$FLEET_DIR/known_hosts" && printf '  "knownHosts": %s,\n' "$REPLY"
    fleet_json_str "$password" && j_pw=$REPLY
    fleet_json_str "$FLEET_DIR/mysql/mysqld.sock"
    printf '  "mysql": {"host": "%s", "port": %d, "user": "%s", "password": %s, "socket": %s, "database": "%s"},\n' \
      "$FLEET_DB_HOST" "$FLEET_DB_PORT" "$FLEET_DB_ADMIN" "$j_pw" "$REPLY" "$FLEET_DB_NAME"
    printf '  "hosts": ['
    for name in "${FLEET_NAMES[@]}"; do
      hdir="$FLEET_DIR/hosts/$name"
      pid=${FLEET_HOST_PID[$name]:-null}
      fleet_json_str "$name" && j_name=$REPLY
      fleet_json_str "$hdir" && j_dir=$REPLY
      fleet_pub_of "$hdir/ssh_host_ed25519_key.pub" && fleet_json_str "$REPLY" && j_pub=$REPLY
      ((first)) || printf ','
      first=0
      printf '\n    {"name": %s, "address": "%s", "port": %d, "hostKeyPub": %s, "unsharePid": %s, "dir": %s}' \
        "$j_name" "${FLEET_ADDR[$name]}" "$FLEET_SSH_PORT" "$j_pub" "$pid" "$j_dir"
    done
    printf '\n  ]\n}\n'
  } >"$FLEET_DIR/fleet.json.tmp"
  mv -f -- "$FLEET_DIR/fleet.json.tmp" "$FLEET_DIR/fleet.json"

  for name in "${FLEET_NAMES[@]}"; do
    fleet_pub_of "$FLEET_DIR/hosts/$name/ssh_host_ed25519_key.pub"
    echo "${FLEET_ADDR[$name]} $REPLY"
  done >"$FLEET_DIR/known_hosts.tmp"
  mv -f -- "$FLEET_DIR/known_hosts.tmp" "$FLEET_DIR/known_hosts"
}

fleet_write_env() {
  {
    printf 'export WECLICK_FLEET_DIR=%q\n' "$FLEET_DIR"
    printf 'export WECLICK_FLEET_JSON=%q\n' "$FLEET_DIR/fleet.json"
    printf 'export WECLICK_FLEET_KNOWN_HOSTS=%q\n' "$FLEET_DIR/known_hosts"
    printf 'export WECLICK_FLEET_KEY=%q\n' "$FLEET_DIR/ssh/id_test"
  } >"$FLEET_DIR/fleet.env"
}

# ------------------------------------------------------------ MariaDB

# Make sure an initialised datadir template exists (once per machine and
# MariaDB version), then copy it to STATE_DIR/db: far faster than
# mariadb-install-db. flock serialises concurrent fleet-ups.
fleet_db_prepare() {
  local stamp tmp lock_fd
  stamp="$(mariadbd --version 2>/dev/null) ${FLEET_DB_INNODB_OPTS[*]}"
  exec {lock_fd}>"$FLEET_DB_TEMPLATE.lock"
  flock "$lock_fd"
  if [[ ! -d "$FLEET_DB_TEMPLATE/datadir" || "$(cat "$FLEET_DB_TEMPLATE/stamp" 2>/dev/null)" != "$stamp" ]]; then
    rm -rf -- "$FLEET_DB_TEMPLATE"
    tmp=$(mktemp -d "$FLEET_DB_TEMPLATE.tmp.XXXXXX")
    if ! mariadb-install-db --no-defaults --datadir="$tmp/datadir" --user=root \
      --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
      "${FLEET_DB_INNODB_OPTS[@]}" >"$tmp/install.log" 2>&1; then
      echo "$FLEET_PROG: mariadb-install-db failed" >&2
      fleet_tail_log "$tmp/install.log"
      rm -rf -- "$tmp"
      return 1
    fi
    echo "$stamp" >"$tmp/stamp"
    mv -T -- "$tmp" "$FLEET_DB_TEMPLATE"
  fi
  rm -rf -- "$FLEET_DIR/db"
  # Most of ibdata1 and the redo log are zeros: keep them as holes.
  cp -a --sparse=always -- "$FLEET_DB_TEMPLATE/datadir" "$FLEET_DIR/db"
  exec {lock_fd}>&-
}

fleet_db_start() {
  local m="$FLEET_DIR/mysql"
  rm -f -- "$m/mysqld.sock" "$m/mysqld.pid" "$m/mysqld.err" "$m/password"
  (
    fleet_close_fds
    # setsid -f -w as for hosts: the parent reaps mariadbd the moment it exits.
    # --no-defaults everywhere: /etc/mysql/my.cnf must not apply.
    exec setsid -f -w mariadbd --no-defaults --datadir="$FLEET_DIR/db" --user=root \
      --bind-address="$FLEET_DB_HOST" --port="$FLEET_DB_PORT" \
      --socket="$m/mysqld.sock" --pid-file="$m/mysqld.pid" --log-error="$m/mysqld.err" \
      --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=64M \
      --innodb-flush-log-at-trx-commit=2 \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
      "${FLEET_DB_INNODB_OPTS[@]}" </dev/null >/dev/null 2>&1
  ) &
  echo "$!" >"$m/launcher.pid"
}

fleet_db_fail() {
  echo "$FLEET_PROG: MariaDB on $FLEET_DB_HOST:$FLEET_DB_PORT $*" >&2
  fleet_tail_log "$FLEET_DIR/mysql/mysqld.err"
  return 1
}

fleet_db_wait() {
  local m="$FLEET_DIR/mysql" pid
  local deadline=$(($(fleet_now_ms) + ${WECLICK_FLEET_TIMEOUT:-10} * 1000))
  read -r pid <"$m/launcher.pid"
  # The socket appears once the server accepts connections; ping confirms.
  while :; do
    fleet_pid_alive "$pid" || { fleet_db_fail "exited during start"; return 1; }
    if [[ -S "$m/mysqld.sock" ]] &&
      mariadb-admin --no-defaults -uroot --socket="$m/mysqld.sock" ping >/dev/null 2>&1; then
      return 0
    fi
    if (($(fleet_now_ms) > deadline)); then
      fleet_db_fail "not ready after ${WECLICK_FLEET_TIMEOUT:-10} s"
      return 1
    fi
    sleep 0.02
  done
}

fleet_db_setup() {
  local m="$FLEET_DIR/mysql" password
  password=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
  # root@localhost has no password and works only through the socket.
  mariadb --no-defaults -uroot --socket="$m/mysqld.sock" --batch <<EOF || { fleet_db_fail "rejected the setup SQL"; return 1; }
CREATE DATABASE IF NOT EXISTS \`$FLEET_DB_NAME\`;
CREATE USER '$FLEET_DB_ADMIN'@'127.0.0.%' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO '$FLEET_DB_ADMIN'@'127.0.0.%' WITH GRANT OPTION;
EOF
  (umask 077 && echo "$password" >"$m/password")
}

# ------------------------------------------------------------ fleet-up

fleet_up_usage() {
  echo "usage: $0 STATE_DIR [--bench N]   (N = 1..$FLEET_BENCH_MAX)" >&2
  exit 2
}

# Fail when a port we need is taken: a wildcard :22 listener (sshd on the
# machine) would make every bind on 127.0.0.N:22 fail.
fleet_check_ports() {
  local listeners l name
  listeners=$(fleet_listeners)
  while read -r l; do
    case "$l" in
      "0.0.0.0:$FLEET_SSH_PORT" | "*:$FLEET_SSH_PORT" | "[::]:$FLEET_SSH_PORT")
        fleet_die "something already listens on $l (all addresses), so no host can bind 127.0.0.N:$FLEET_SSH_PORT; stop it (e.g. the machine's own sshd) first" ;;
      "$FLEET_DB_HOST:$FLEET_DB_PORT" | "0.0.0.0:$FLEET_DB_PORT" | "*:$FLEET_DB_PORT" | "[::]:$FLEET_DB_PORT")
        fleet_die "$l is already in use (another fleet or MariaDB?); run scripts/fleet-down.sh on its STATE_DIR first" ;;
    esac
  done <<<"$listeners"
  listeners=$'\n'$listeners$'\n'
  for name in "${FLEET_NAMES[@]}"; do
    if [[ "$listeners" == *$'\n'"${FLEET_ADDR[$name]}:$FLEET_SSH_PORT"$'\n'* ]]; then
      fleet_die "${FLEET_ADDR[$name]}:$FLEET_SSH_PORT (host $name) is already in use (another fleet?); run scripts/fleet-down.sh on its STATE_DIR first"
    fi
  done
}

fleet_check_not_running() {
  local name
  fleet_scan_hosts fresh
  for name in "${!FLEET_HOST_PID[@]}"; do
    fleet_die "the fleet in $FLEET_DIR is already running (host $name, pid ${FLEET_HOST_PID[$name]}); run scripts/fleet-down.sh $FLEET_DIR first"
  done
  if [[ -n "$(fleet_snapshot_find mariadbd "--datadir=$FLEET_DIR/db ")" ]]; then
    fleet_die "MariaDB of the fleet in $FLEET_DIR is still running; run scripts/fleet-down.sh $FLEET_DIR first"
  fi
}

fleet_write_hosts_list() {
  local bench=$1 i
  {
    printf '%s\n' "${FLEET_STANDARD_HOSTS[@]}"
    for ((i = 1; i <= bench; i++)); do
      echo "bench$i 127.0.0.$((FLEET_BENCH_BASE + i))"
    done
  } >"$FLEET_DIR/hosts.list"
}

fleet_up_on_exit() {
  local rc=$?
  if ((rc != 0 && FLEET_STARTED)); then
    echo "$FLEET_PROG: start failed; tearing down what was started" >&2
    "$FLEET_SCRIPTS_DIR/fleet-down.sh" "$FLEET_DIR" || true
  fi
  exit "$rc"
}

# All keys in parallel; only the first start in a STATE_DIR generates them.
fleet_make_keys() {
  local name pid
  local -a jobs=()
  mkdir -p -- "$FLEET_DIR/ssh" "${FLEET_NAMES[@]/#/$FLEET_DIR/hosts/}"
  fleet_keygen "$FLEET_DIR/ssh/id_test" "weclick-test-client" &
  jobs+=("$!")
  for name in "${FLEET_NAMES[@]}"; do
    fleet_keygen "$FLEET_DIR/hosts/$name/ssh_host_ed25519_key" "$name" &
    jobs+=("$!")
  done
  for pid in "${jobs[@]}"; do
    wait "$pid" || fleet_die "ssh-keygen failed in $FLEET_DIR"
  done
}

fleet_up_parse_args() {
  UP_STATE_DIR="" UP_BENCH=0
  while (($# > 0)); do
    case "$1" in
      --bench)
        (($# >= 2)) || fleet_up_usage
        if ! [[ "$2" =~ ^[0-9]{1,3}$ ]] || ((10#$2 < 1 || 10#$2 > FLEET_BENCH_MAX)); then
          fleet_die "--bench needs a number from 1 to $FLEET_BENCH_MAX, got '$2'"
        fi
        UP_BENCH=$((10#$2))
        shift 2 ;;
      -h | --help) fleet_up_usage ;;
      -*) fleet_die "unknown option '$1'" ;;
      *)
        [[ -z "$UP_STATE_DIR" ]] || fleet_up_usage
        UP_STATE_DIR=$1
        shift ;;
    esac
  done
  [[ -n "$UP_STATE_DIR" ]] || fleet_up_usage
}

fleet_up_main() {
  FLEET_PROG=fleet-up
  fleet_up_parse_args "$@"
  [[ $EUID -eq 0 ]] || fleet_die "must run as root (namespaces, mounts, sshd on port 22)"
  local tool name db_job
  for tool in unshare setsid sshd ssh-keygen mariadbd mariadb-install-db mariadb-admin mariadb ss flock setpriv; do
    command -v "$tool" >/dev/null || [[ -x "/usr/sbin/$tool" ]] ||
      fleet_die "'$tool' not found; run scripts/install-system-deps.sh"
  done

  fleet_set_dir "$UP_STATE_DIR" create
  fleet_check_not_running
  fleet_write_hosts_list "$UP_BENCH"
  fleet_load_hosts
  fleet_check_ports
  rm -f -- "$FLEET_DIR/fleet.json" "$FLEET_DIR/fleet.env" "$FLEET_DIR/known_hosts"
  mkdir -p -- "$FLEET_DIR/mysql"
  trap fleet_up_on_exit EXIT

  fleet_phase keys
  fleet_make_keys
  fleet_write_client_keys
  fleet_write_boot_script

  FLEET_STARTED=1
  fleet_phase db prepare+start, in the background
  { fleet_db_prepare && fleet_db_start; } &
  db_job=$!

  fleet_phase host dirs and configs
  fleet_reset_host_dirs "${FLEET_NAMES[@]}"
  for name in "${FLEET_NAMES[@]}"; do
    fleet_write_host_config "$name" "${FLEET_ADDR[$name]}"
  done
  # sshd -t insists on its privilege separation directory, even for a check.
  [[ -d /run/sshd ]] || mkdir -m 0755 /run/sshd
  /usr/sbin/sshd -t -f "$FLEET_DIR/hosts/${FLEET_NAMES[0]}/sshd_config" ||
    fleet_die "sshd rejects the generated $FLEET_DIR/hosts/${FLEET_NAMES[0]}/sshd_config"

  fleet_phase launch hosts
  for name in "${FLEET_NAMES[@]}"; do
    fleet_launch_host "$name" "${FLEET_ADDR[$name]}"
  done

  fleet_phase wait hosts
  fleet_wait_hosts "${FLEET_NAMES[@]}"
  fleet_phase wait db
  wait "$db_job" || fleet_die "MariaDB could not be prepared (see above)"
  fleet_db_wait
  fleet_db_setup
  fleet_phase write state
  fleet_write_state
  fleet_write_env
  fleet_phase ready
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  fleet_up_main "$@"
fi
