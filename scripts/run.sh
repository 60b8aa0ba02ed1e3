#!/usr/bin/env bash
# Runs the service with everything it needs.
#  - With ConnectionStrings__Switchboard set, it uses that database.
#  - Otherwise it provisions a project-local PostgreSQL cluster (scripts/local-postgres.sh),
#    turns on the demo data and generates a signing key, all under the ignored folder .local/.
# Extra arguments go to the service (e.g. --urls http://127.0.0.1:6000).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mkdir -p .local

if [ -z "${ConnectionStrings__Switchboard:-}" ]; then
  admin="$(scripts/local-postgres.sh start)"
  export ConnectionStrings__Switchboard="${admin/Database=postgres/Database=switchboard}"
  # The database itself is created here once; the service's migrations create the schema.
  if ! PGPASSWORD="$(cat .local/postgres/password)" psql -h 127.0.0.1 -p "$(cat .local/postgres/port)" -U switchboard \
      -d postgres -tAc "select 1 from pg_database where datname = 'switchboard'" | grep -q 1; then
    PGPASSWORD="$(cat .local/postgres/password)" psql -h 127.0.0.1 -p "$(cat .local/postgres/port)" -U switchboard \
      -d postgres -qc "create database switchboard" >/dev/null
  fi
  export Demo__Enabled="${Demo__Enabled:-true}"
fi

# The service generates its token-signing key into this file on first start.
export Access__SigningKeyFile="${Access__SigningKeyFile:-$ROOT/.local/signing-key}"

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export Demo__CredentialsFile="${Demo__CredentialsFile:-$ROOT/.local/demo-credentials.txt}"
exec dotnet run --project src/Umearegionen.Switchboard -c Release -- --urls "${SWITCHBOARD_URLS:-http://127.0.0.1:5080}" "$@"
