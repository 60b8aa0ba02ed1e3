#!/usr/bin/env bash
# Checks that scripts/local-postgres.sh claims its port safely, using two temporary copies of the
# script as two checkouts (each with its own .local/postgres):
#  1. both started at the same moment get different ports and both run;
#  2. a stored port that another cluster now uses is given up for a free one;
#  3. a port held by a program that has bound it without listening ("Address already in use" only
#     when the server binds) is skipped (needs python3 to hold the port; skipped without it).
# Prints "local-postgres ports: ok" and exits 0 when all hold. Usage: scripts/tests/local-postgres-ports.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$(mktemp -d)"
chmod 755 "$WORK"
export SWITCHBOARD_PG_PORT=$((56000 + RANDOM % 2000))
unset SWITCHBOARD_PG_DIR SWITCHBOARD_PG_SETTINGS
HOLDER=""

cleanup() {
  [ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null || true
  for c in a b; do "$WORK/$c/scripts/local-postgres.sh" stop >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "local-postgres ports: FAILED: $*" >&2; for c in a b; do tail -n 5 "$WORK/$c.err" 2>/dev/null >&2 || true; done; exit 1; }
port_of() { cat "$WORK/$1/.local/postgres/port"; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for c in a b; do
  mkdir -p "$WORK/$c/scripts"
  cp "$ROOT/scripts/local-postgres.sh" "$WORK/$c/scripts/"
done

# 1. Two starts at once.
"$WORK/a/scripts/local-postgres.sh" start >"$WORK/a.out" 2>"$WORK/a.err" & first=$!
"$WORK/b/scripts/local-postgres.sh" start >"$WORK/b.out" 2>"$WORK/b.err" & second=$!
wait "$first" || fail "the first start failed"
wait "$second" || fail "the second start failed"
[ "$(port_of a)" != "$(port_of b)" ] || fail "both chose port $(port_of a)"
listening "$(port_of a)" && listening "$(port_of b)" || fail "not both listening"
grep -q "Port=$(port_of b);" "$WORK/b.out" || fail "start printed another port than it stored"
"$WORK/a/scripts/local-postgres.sh" start 2>/dev/null | cmp -s - "$WORK/a.out" || fail "a second start of a running cluster printed another address"

# 2. A stored port now used by another checkout's cluster.
"$WORK/b/scripts/local-postgres.sh" stop 2>/dev/null
port_of a > "$WORK/b/.local/postgres/port"
"$WORK/b/scripts/local-postgres.sh" start >"$WORK/b.out" 2>"$WORK/b.err" || fail "restart on a taken stored port failed"
[ "$(port_of b)" != "$(port_of a)" ] && listening "$(port_of b)" || fail "kept the taken port $(port_of a)"

# 3. A port bound by another program that does not listen.
if command -v python3 >/dev/null; then
  "$WORK/b/scripts/local-postgres.sh" stop 2>/dev/null
  held="$(port_of b)"
  python3 -c "
import socket, sys, time
s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); time.sleep(120)" "$held" & HOLDER=$!
  sleep 0.5
  "$WORK/b/scripts/local-postgres.sh" start >"$WORK/b.out" 2>"$WORK/b.err" || fail "start beside a bound port failed"
  [ "$(port_of b)" != "$held" ] && listening "$(port_of b)" || fail "did not move off the bound port $held"
  grep -q "in use by another program" "$WORK/b.err" || fail "the bound port was not met at start"
else
  echo "local-postgres ports: python3 missing, the bound-port case is skipped" >&2
fi

echo "local-postgres ports: ok"
