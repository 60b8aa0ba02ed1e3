#!/usr/bin/env bash
# A quick probe of the full life of a call (the load tests, scripts/load-test.sh, are the measurement
# docs/performance.md records): starts the service in Release
# on a fresh database in the local PostgreSQL cluster, creates an administrator and a telephony API
# key, runs the simulator's bench command against it, and stops the service.
#
#   scripts/bench-routing.sh [--operators 100] [--dashboards 200] [--rates 50,100,200,300] [--seconds 15]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WORK="$ROOT/.local/bench"
mkdir -p "$WORK"
PORT="${SWITCHBOARD_BENCH_PORT:-5190}"

ADMIN_CS="$(scripts/local-postgres.sh start | tail -n1)"
DB="switchboard_bench"
dotnet_sql() { # runs one statement on the admin database through psql
  local host port user pass
  host="$(sed -n 's/.*Host=\([^;]*\).*/\1/p' <<<"$ADMIN_CS")"
  port="$(sed -n 's/.*Port=\([^;]*\).*/\1/p' <<<"$ADMIN_CS")"
  user="$(sed -n 's/.*Username=\([^;]*\).*/\1/p' <<<"$ADMIN_CS")"
  pass="$(sed -n 's/.*Password=\([^;]*\).*/\1/p' <<<"$ADMIN_CS")"
  PGPASSWORD="$pass" psql -q -h "$host" -p "$port" -U "$user" -d postgres -c "$1" >/dev/null
}
dotnet_sql "drop database if exists $DB with (force)"
dotnet_sql "create database $DB"

# SWITCHBOARD_BENCH_CS_EXTRA adds connection-string settings, e.g. "Max Auto Prepare=50".
export ConnectionStrings__Switchboard="${ADMIN_CS/Database=postgres/Database=$DB}${SWITCHBOARD_BENCH_CS_EXTRA:+;$SWITCHBOARD_BENCH_CS_EXTRA}"
export Access__SigningKey="$(head -c 48 /dev/urandom | base64 -w0)"
export Access__LoginAttemptsPerMinute=10000
export Serilog__MinimumLevel__Default=Warning
export ASPNETCORE_URLS="http://127.0.0.1:$PORT"
export ASPNETCORE_ENVIRONMENT=Production

dotnet build -c Release -v q src/Umearegionen.Switchboard >/dev/null
dotnet build -c Release -v q src/Umearegionen.Switchboard.TelephonySimulator >/dev/null
SERVICE=src/Umearegionen.Switchboard/bin/Release/net10.0/Umearegionen.Switchboard.dll
SIMULATOR=src/Umearegionen.Switchboard.TelephonySimulator/bin/Release/net10.0/Umearegionen.Switchboard.TelephonySimulator.dll

PASSWORD="bench-$(head -c 12 /dev/urandom | base64 -w0 | tr -d '/+=')"
echo "$PASSWORD" | dotnet "$SERVICE" accounts create --username admin --display-name Admin \
  --role administrator --password-stdin >/dev/null
API_KEY="$(dotnet "$SERVICE" api-keys create --name bench | grep -o 'sbk_[A-Za-z0-9_-]*')"

dotnet "$SERVICE" >"$WORK/service.log" 2>&1 &
SERVICE_PID=$!
trap 'kill "$SERVICE_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break
  sleep 1
done

echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet "$SIMULATOR" bench --url "http://127.0.0.1:$PORT" --api-key "$API_KEY" \
  --admin-user admin --admin-password "$PASSWORD" "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
