#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what the tests need, builds, starts the real test
# fleet (sshd per 127.0.0.N, MariaDB), runs the whole suite, and always stops the fleet.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh
if [ "${WECLICK_SKIP_NPM_CI:-}" != 1 ]; then npm ci --no-audit --no-fund; fi
npm run build

state=$(mktemp -d /tmp/weclick-fleet.XXXXXX)
cleanup() { bash scripts/fleet-down.sh "$state" || true; rm -rf "$state"; }
trap cleanup EXIT INT TERM
bash scripts/fleet-up.sh "$state" --bench 20
export WECLICK_FLEET_DIR="$state"

npx vitest run "$@"
