#!/usr/bin/env bash
# Runs one load scenario (load-tests/scenarios/<name>.json) against the service in Release, started by
# the generator on a fresh database in a PostgreSQL cluster of its own (.local/loadtest-postgres, so
# the tests' cluster is never restarted). Writes the report under load-tests/reports/ and exits 0 only
# when every call is accounted for and nothing failed.
#
#   scripts/load-test.sh smoke|ordinary|monday-0900|crisis-surge|many-watchers|faults|ramp|failover|nodes-compare [generator options]
#
# A scenario with several service nodes ("nodes": 2 or more, or "compareNodes") also needs Redis (the
# SignalR backplane) and haproxy (the load balancer), run by the generator as child processes; they are
# installed from Debian's packages when missing (docs/load-tests-failover.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SCENARIO="${1:?usage: scripts/load-test.sh <scenario> (one of: $(cd load-tests/scenarios && ls *.json | sed 's/\.json//' | tr '\n' ' '))}"
shift
FILE="load-tests/scenarios/$SCENARIO.json"
# A path to a scenario file elsewhere (e.g. a shorter copy) is taken as it is.
case "$SCENARIO" in *.json) FILE="$SCENARIO" ;; esac
[ -f "$FILE" ] || { echo "load-test: no scenario $FILE" >&2; exit 2; }

# Several nodes: Redis and haproxy, installed when missing (apt-get update once, then both at once).
if grep -Eq '"nodes"[[:space:]]*:[[:space:]]*[2-9]|"compareNodes"[[:space:]]*:' "$FILE"; then
  if ! command -v redis-server >/dev/null || ! command -v haproxy >/dev/null; then
    echo "load-test: $SCENARIO runs several nodes; installing redis-server and haproxy" >&2
    as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
    as_root apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server haproxy >&2
  fi
fi

export SWITCHBOARD_PG_DIR="$ROOT/.local/loadtest-postgres"
# Commit times let the report show where intake-to-offer time goes inside the service. Settings given
# in SWITCHBOARD_PG_SETTINGS are added after it (e.g. pg_stat_statements, docs/call-cost.md).
export SWITCHBOARD_PG_SETTINGS="track_commit_timestamp = on${SWITCHBOARD_PG_SETTINGS:+; $SWITCHBOARD_PG_SETTINGS}"
PG_ADMIN="$(scripts/local-postgres.sh start | tail -n1)"

dotnet build -c Release -v q -nologo src/Umearegionen.Switchboard >/dev/null
dotnet build -c Release -v q -nologo load-tests/Umearegionen.Switchboard.LoadTests >/dev/null

exec dotnet load-tests/Umearegionen.Switchboard.LoadTests/bin/Release/net10.0/Umearegionen.Switchboard.LoadTests.dll \
  --scenario "$FILE" --service-dll src/Umearegionen.Switchboard/bin/Release/net10.0/Umearegionen.Switchboard.dll \
  --pg-admin "$PG_ADMIN" --pg-dir "$SWITCHBOARD_PG_DIR" --repo-root "$ROOT" --port "${SWITCHBOARD_LOADTEST_PORT:-5290}" \
  --reports "$ROOT/load-tests/reports" "$@"
