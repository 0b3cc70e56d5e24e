#!/usr/bin/env bash
# npm run reliability: the reliability suite (test/reliability) at full size, then its figures as one table.
# Uses the fleet in WECLICK_FLEET_DIR when one runs; otherwise starts its own and always stops it.
# (The test command runs the same suite at a reduced size and prints the same table.)
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
figures=$(mktemp /tmp/weclick-figures.XXXXXX)
own=""
cleanup() { if [ -n "$own" ]; then bash scripts/fleet-down.sh "$own" || true; rm -rf "$own"; fi; rm -f "$figures"; }
trap cleanup EXIT INT TERM
if [ -z "${WECLICK_FLEET_DIR:-}" ]; then
  own=$(mktemp -d /tmp/weclick-fleet.XXXXXX)
  bash scripts/fleet-up.sh "$own" --bench 20
  export WECLICK_FLEET_DIR="$own"
fi
status=0
WECLICK_RELIABILITY=full WECLICK_FIGURES="$figures" npx vitest run test/reliability "$@" || status=$?
node scripts/reliability-table.js "$figures" || status=1
exit "$status"
