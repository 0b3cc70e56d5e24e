#!/usr/bin/env bash
# Install the Debian packages the real test fleet needs (see scripts/fleet-up.sh).
#
# Idempotent and quiet: when everything is installed it does nothing and prints
# nothing. `apt-get update` runs only when a package is missing.
#
#   WECLICK_BENCH_DEPS=1 scripts/install-system-deps.sh   # also ansible-core (benchmarks)
set -euo pipefail

# Installed with recommends: --no-install-recommends saves almost nothing for these.
readonly BASE_PACKAGES=(openssh-server mariadb-server mariadb-client haproxy socat sudo)
# Installed WITHOUT recommends: docker-compose would otherwise pull in Debian's
# Docker engine, containerd, iptables... (≈280 MB); ansible-core stays at 25 MB.
# nftables and unattended-upgrades: the base role validates its rendered firewall with `nft -c` and
# checks the unattended-upgrades config; nothing is started on install (policy-rc.d).
readonly SLIM_PACKAGES=(docker-compose nftables unattended-upgrades)
readonly BENCH_PACKAGES=(ansible-core)

APT_LOG=""

die() {
  echo "install-system-deps: $*" >&2
  exit 1
}

cleanup() {
  if [[ -n "$APT_LOG" ]]; then rm -f -- "$APT_LOG"; fi
}

is_installed() {
  local status
  status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
  [[ "$status" == "install ok installed" ]]
}

# Print the packages among "$@" that are not installed, one per line.
missing_of() {
  local pkg
  for pkg in "$@"; do
    is_installed "$pkg" || echo "$pkg"
  done
}

# Package maintainer scripts must not start sshd on :22 or MariaDB on :3306:
# the fleet runs its own instances on 127.0.0.N. Exit code 101 = "action forbidden".
write_policy_rc_d() {
  local want=$'#!/bin/sh\nexit 101'
  if [[ -f /usr/sbin/policy-rc.d && "$(cat /usr/sbin/policy-rc.d)" == "$want" ]]; then
    return 0
  fi
  printf '%s\n' "$want" >/usr/sbin/policy-rc.d
  chmod 0755 /usr/sbin/policy-rc.d
}

# Run an apt-get command with its output in $APT_LOG; on failure show the tail.
apt_run() {
  if ! DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=120 "$@" >>"$APT_LOG" 2>&1; then
    echo "install-system-deps: 'apt-get $*' failed; last lines of its output:" >&2
    tail -n 25 -- "$APT_LOG" >&2
    exit 1
  fi
}

main() {
  [[ $EUID -eq 0 ]] || die "must run as root (it installs Debian packages with apt-get)"
  if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    die "dpkg-query/apt-get not found: this script supports Debian-based systems only"
  fi

  local slim=("${SLIM_PACKAGES[@]}")
  if [[ "${WECLICK_BENCH_DEPS:-0}" == 1 ]]; then
    slim+=("${BENCH_PACKAGES[@]}")
  fi

  local -a missing_base missing_slim
  mapfile -t missing_base < <(missing_of "${BASE_PACKAGES[@]}")
  mapfile -t missing_slim < <(missing_of "${slim[@]}")
  if ((${#missing_base[@]} == 0 && ${#missing_slim[@]} == 0)); then
    return 0
  fi

  APT_LOG=$(mktemp -t weclick-apt.XXXXXX)
  trap cleanup EXIT
  write_policy_rc_d
  apt_run update
  if ((${#missing_base[@]} > 0)); then
    apt_run install -y "${missing_base[@]}"
  fi
  if ((${#missing_slim[@]} > 0)); then
    apt_run install -y --no-install-recommends "${missing_slim[@]}"
  fi

  # Belt and braces: make sure apt really installed everything we asked for.
  local -a still_missing
  mapfile -t still_missing < <(missing_of "${BASE_PACKAGES[@]}" "${slim[@]}")
  if ((${#still_missing[@]} > 0)); then
    die "packages still missing after apt-get install: ${still_missing[*]}"
  fi
}

main "$@"
