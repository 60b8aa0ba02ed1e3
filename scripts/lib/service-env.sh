# shellcheck shell=bash
# Sourced by scripts/run.sh and scripts/cluster.sh, not run by itself: the environment the service
# gets in a checkout. Needs ROOT (the repository's root) and `set -e` in the sourcing script.

# With ConnectionStrings__Switchboard unset: the project-local PostgreSQL cluster
# (scripts/local-postgres.sh), its `switchboard` database and the demo data. In any case the token
# signing key file, the environment and the demo credentials file, each unless already set.
use_checkout_environment() {
  mkdir -p "$ROOT/.local"
  if [ -z "${ConnectionStrings__Switchboard:-}" ]; then
    local admin pg_dir="${SWITCHBOARD_PG_DIR:-$ROOT/.local/postgres}"
    admin="$("$ROOT/scripts/local-postgres.sh" start)"
    export ConnectionStrings__Switchboard="${admin/Database=postgres/Database=switchboard}"
    # The database itself is created here once; the service's migrations create the schema.
    if ! PGPASSWORD="$(cat "$pg_dir/password")" psql -h 127.0.0.1 -p "$(cat "$pg_dir/port")" -U switchboard \
        -d postgres -tAc "select 1 from pg_database where datname = 'switchboard'" | grep -q 1; then
      PGPASSWORD="$(cat "$pg_dir/password")" psql -h 127.0.0.1 -p "$(cat "$pg_dir/port")" -U switchboard \
        -d postgres -qc "create database switchboard" >/dev/null
    fi
    export Demo__Enabled="${Demo__Enabled:-true}"
  fi

  # The service generates its token-signing key into this file on first start.
  export Access__SigningKeyFile="${Access__SigningKeyFile:-$ROOT/.local/signing-key}"

  export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
  export Demo__CredentialsFile="${Demo__CredentialsFile:-$ROOT/.local/demo-credentials.txt}"
}
