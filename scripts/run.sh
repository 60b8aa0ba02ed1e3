#!/usr/bin/env bash
# Runs the service with everything it needs.
#  - With ConnectionStrings__Switchboard set, it uses that database.
#  - Otherwise it provisions a project-local PostgreSQL cluster (scripts/local-postgres.sh),
#    turns on the demo data and generates a signing key, all under the ignored folder .local/.
# (scripts/lib/service-env.sh does both, for scripts/cluster.sh too.)
# Extra arguments go to the service (e.g. --urls http://127.0.0.1:6000).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/service-env.sh
. scripts/lib/service-env.sh
use_checkout_environment

exec dotnet run --project src/Umearegionen.Switchboard -c Release -- --urls "${SWITCHBOARD_URLS:-http://127.0.0.1:5080}" "$@"
