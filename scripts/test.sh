#!/usr/bin/env bash
# Runs every test against a real PostgreSQL (and, for the browser tests, Debian's Chromium),
# installing what a fresh Debian machine lacks. Ends with one line: "N passed, N failed[, N skipped]".
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Directory").
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Browser tests drive Debian's Chromium headless (no browser download).
if ! command -v chromium >/dev/null 2>&1; then
  echo "test: installing Debian's chromium for the browser tests" >&2
  as_root apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >&2 \
    || echo "test: could not install chromium; browser tests will fail" >&2
fi

# The tests of several nodes run Debian's redis-server as a child process (SignalR's backplane).
if ! command -v redis-server >/dev/null 2>&1; then
  echo "test: installing Debian's redis-server for the tests of several nodes" >&2
  as_root apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server >&2 \
    || echo "test: could not install redis-server; the tests of several nodes will fail" >&2
fi

SWITCHBOARD_TEST_PG="$(scripts/local-postgres.sh start)" || { echo "test: PostgreSQL could not be started"; echo "0 passed, 1 failed"; exit 1; }
export SWITCHBOARD_TEST_PG

RESULTS="$ROOT/artifacts/test-results"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

# `dotnet test` builds only the test projects and what they reference, so the benchmark projects
# (the commands in docs/performance.md) are built here, or they break unnoticed. A failed build
# counts as one failed test.
build_failed=0
if ! dotnet build "$ROOT/Umearegionen.Switchboard.sln" -v q -nologo >"$RESULTS/build.log" 2>&1; then
  build_failed=1
  echo "test: building the solution FAILED:"; grep -E ' error ' "$RESULTS/build.log" | sort -u | head -n 20
fi

dotnet test "$ROOT/Umearegionen.Switchboard.sln" --logger "trx" --results-directory "$RESULTS" "$@"
status=$?

# Sum the outcomes over every test project's TRX file.
passed=0; failed=0; skipped=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n1)"
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  x=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0})); skipped=$((skipped + ${t:-0} - ${x:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a build or runner failure is a failure
failed=$((failed + build_failed))

# The load smoke test (about a minute of ordinary traffic, docs/performance.md) counts as one more
# test: it fails on any lost or duplicated call or any error. Only on a full run (no arguments), and
# not when SWITCHBOARD_SKIP_LOAD_SMOKE is set.
if [ "$#" -eq 0 ] && [ -z "${SWITCHBOARD_SKIP_LOAD_SMOKE:-}" ]; then
  echo "test: load smoke test (scripts/load-test.sh smoke; log in $RESULTS/load-smoke.log)"
  if scripts/load-test.sh smoke >"$RESULTS/load-smoke.log" 2>&1; then
    passed=$((passed + 1))
    grep -E '^\| (intake-to-offer|accept-to-confirmed|event-to-dashboard) |^Started [0-9]' "$RESULTS/load-smoke.log" || true
  else
    failed=$((failed + 1)); status=1
    echo "test: load smoke test FAILED:"; tail -n 40 "$RESULTS/load-smoke.log"
  fi
fi

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit "$status"
