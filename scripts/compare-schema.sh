#!/usr/bin/env bash
# Builds the schema of another commit and of this checkout in two fresh databases of the local cluster
# and compares them: `pg_dump --schema-only`, and the rows the migrations seed. Used to show that the
# migrations folded into one script per feature (December 2026) make the schema the 32 scripts before
# them made:
#
#   scripts/compare-schema.sh [REF]     REF defaults to c7271a0, the last commit before the fold
#   (the comparison as run for the fold: two differences, both expected, listed below)
#
# Expected differences, printed for the reader to judge: the table schema_function_scripts (the
# function scripts' journal, new with the fold); in the seed rows, municipalities.updated_at and
# municipality_populations.updated_at (now() at migration), personal_data_keys' key (random per
# database) and the schemaversions sequence (the journals' rows are left out of the comparison). Exit status 0 whatever the differences.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REF="${1:-c7271a0}"
WORK="$ROOT/.local/compare-schema"
rm -rf "$WORK"; mkdir -p "$WORK/ref-src"

# SWITCHBOARD_ADMIN_CS: another cluster's admin connection string instead of this checkout's.
ADMIN_CS="${SWITCHBOARD_ADMIN_CS:-$(scripts/local-postgres.sh start | tail -n1)}"
field() { sed -n "s/.*$1=\([^;]*\).*/\1/p" <<<"$ADMIN_CS"; }
export PGHOST="$(field Host)" PGPORT="$(field Port)" PGUSER="$(field Username)" PGPASSWORD="$(field Password)"

migrate() { # $1 = built service dll, $2 = database
  psql -q -d postgres -c "drop database if exists $2 with (force)" -c "create database $2" >/dev/null
  ConnectionStrings__Switchboard="${ADMIN_CS/Database=postgres/Database=$2}" Access__SigningKeyFile="$WORK/signing-key" \
    Serilog__MinimumLevel__Default=Warning dotnet "$1" migrate >"$WORK/$2.log" 2>&1 \
    || { tail -n 30 "$WORK/$2.log" >&2; exit 1; }
}
dump() { # $1 = database
  pg_dump --schema-only --no-owner "$1" | grep -v '^\\\(un\)\?restrict' >"$WORK/$1.schema.sql"
  pg_dump --data-only --no-owner --exclude-table-data=schemaversions --exclude-table-data=schema_function_scripts "$1" 2>/dev/null | grep -v '^\\\(un\)\?restrict' >"$WORK/$1.data.sql"
}

git archive "$REF" | tar -x -C "$WORK/ref-src"
echo "building $REF …" >&2
dotnet build "$WORK/ref-src/src/Umearegionen.Switchboard" -v q -o "$WORK/ref-bin" >"$WORK/ref-build.log" 2>&1 \
  || { tail -n 30 "$WORK/ref-build.log" >&2; exit 1; }
echo "building this checkout …" >&2
dotnet build src/Umearegionen.Switchboard -v q -o "$WORK/here-bin" >"$WORK/here-build.log" 2>&1 \
  || { tail -n 30 "$WORK/here-build.log" >&2; exit 1; }

migrate "$WORK/ref-bin/Umearegionen.Switchboard.dll" schema_ref
migrate "$WORK/here-bin/Umearegionen.Switchboard.dll" schema_here
dump schema_ref; dump schema_here

echo "== pg_dump --schema-only: $REF against this checkout"
diff "$WORK/schema_ref.schema.sql" "$WORK/schema_here.schema.sql" || true
echo "== seeded rows (pg_dump --data-only): $REF against this checkout"
diff "$WORK/schema_ref.data.sql" "$WORK/schema_here.data.sql" || true
psql -q -d postgres -c "drop database schema_ref with (force)" -c "drop database schema_here with (force)" >/dev/null
