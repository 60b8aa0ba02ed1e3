#!/usr/bin/env bash
# Runs the tests against a real PostgreSQL (and, for the browser tests, Debian's Chromium; for the tests
# of several nodes, Debian's redis-server), installing what a fresh Debian machine lacks. Ends with one
# line: "N passed, N failed[, N skipped]".
#
#   scripts/test.sh [fast]   unit and integration tests, without the browser, several-node and load tests
#   scripts/test.sh unit     the unit tests only (no database; seconds)
#   scripts/test.sh browser  the dashboard's tests in headless Chromium
#   scripts/test.sh cluster  the tests of several nodes (real service processes, Redis)
#   scripts/test.sh load     the load smoke test (about a minute of traffic, reconciled)
#   scripts/test.sh all      everything: the solution built (benchmarks too), every test, the load smoke
#                            test. This is what CI runs (.ci/run).
# Arguments after the group go to `dotnet test`; a --filter of your own replaces the group's filter,
# e.g. scripts/test.sh fast --filter "FullyQualifiedName~Access". Arguments without a group (starting
# with "-") run over everything, without the load smoke test, as before.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

group=fast
case "${1:-}" in
  fast|unit|browser|cluster|load|all) group="$1"; shift ;;
  -*) group=custom ;;
  "") ;;
  *) echo "test: unknown group '$1' (fast, unit, browser, cluster, load, all)"; echo "0 passed, 1 failed"; exit 2 ;;
esac
needs() { case "$group" in all|custom) return 0 ;; esac; for g in "$@"; do [ "$group" = "$g" ] && return 0; done; return 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Browser tests drive Debian's Chromium headless (no browser download).
if needs browser && ! command -v chromium >/dev/null 2>&1; then
  echo "test: installing Debian's chromium for the browser tests" >&2
  as_root apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >&2 \
    || echo "test: could not install chromium; browser tests will fail" >&2
fi

# The tests of several nodes run Debian's redis-server as a child process (SignalR's backplane).
if needs cluster && ! command -v redis-server >/dev/null 2>&1; then
  echo "test: installing Debian's redis-server for the tests of several nodes" >&2
  as_root apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server >&2 \
    || echo "test: could not install redis-server; the tests of several nodes will fail" >&2
fi

if [ "$group" != unit ] && [ "$group" != load ]; then
  SWITCHBOARD_TEST_PG="$(scripts/local-postgres.sh start)" || { echo "test: PostgreSQL could not be started"; echo "0 passed, 1 failed"; exit 1; }
  export SWITCHBOARD_TEST_PG
fi

RESULTS="$ROOT/artifacts/test-results"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

# `dotnet test` builds only the test projects and what they reference, so the benchmark projects
# (the commands in docs/performance.md) are built here, or they break unnoticed. A failed build
# counts as one failed test.
build_failed=0
if needs all && ! dotnet build "$ROOT/Umearegionen.Switchboard.sln" -v q -nologo >"$RESULTS/build.log" 2>&1; then
  build_failed=1
  echo "test: building the solution FAILED:"; grep -E ' error ' "$RESULTS/build.log" | sort -u | head -n 20
fi

# Which tests each group runs: the browser and several-node tests are the integration project's
# Browser and Cluster folders (their namespaces).
UNIT="$ROOT/tests/Umearegionen.Switchboard.UnitTests"
INTEGRATION="$ROOT/tests/Umearegionen.Switchboard.IntegrationTests"
SLOW='FullyQualifiedName!~IntegrationTests.Browser.&FullyQualifiedName!~IntegrationTests.Cluster.'
own_filter=0
for a in "$@"; do [ "$a" = "--filter" ] && own_filter=1; done
filter() { if [ "$own_filter" -eq 0 ]; then printf '%s\n' --filter "$1"; fi; }
status=0
run_tests() { dotnet test "$@" --logger "trx" --results-directory "$RESULTS" || status=$?; }
case "$group" in
  all|custom) run_tests "$ROOT/Umearegionen.Switchboard.sln" "$@" ;;
  unit)       run_tests "$UNIT" "$@" ;;
  fast)       mapfile -t f < <(filter "$SLOW"); run_tests "$ROOT/Umearegionen.Switchboard.sln" "${f[@]}" "$@" ;;
  browser)    mapfile -t f < <(filter 'FullyQualifiedName~IntegrationTests.Browser.'); run_tests "$INTEGRATION" "${f[@]}" "$@" ;;
  cluster)    mapfile -t f < <(filter 'FullyQualifiedName~IntegrationTests.Cluster.'); run_tests "$INTEGRATION" "${f[@]}" "$@" ;;
  load)       ;;
esac

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
# test: it fails on any lost or duplicated call or any error. In the groups all (without extra
# arguments) and load, and not when SWITCHBOARD_SKIP_LOAD_SMOKE is set.
if { [ "$group" = load ] || { [ "$group" = all ] && [ "$#" -eq 0 ]; }; } && [ -z "${SWITCHBOARD_SKIP_LOAD_SMOKE:-}" ]; then
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
