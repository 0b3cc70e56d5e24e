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
# The reliability suite (test/reliability) records its figures here, at the reduced size; printed at the end.
export WECLICK_FIGURES="$state/reliability.jsonl"

# vitest's own summary, the reliability figures, then the plain "N passed, N failed" line CI reads.
report="$state/vitest.json"
status=0
npx vitest run --reporter=default --reporter=json --outputFile="$report" "$@" || status=$?
if [ -f "$WECLICK_FIGURES" ]; then
  echo; echo "Reliability figures (reduced size; npm run reliability for the full one):"
  node scripts/reliability-table.js "$WECLICK_FIGURES"
fi
if [ -f "$report" ]; then
  node -e 'const r = require(process.argv[1]); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)' "$report"
fi
exit "$status"
