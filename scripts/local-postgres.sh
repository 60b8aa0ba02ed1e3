#!/usr/bin/env bash
# A project-local PostgreSQL cluster for development and tests, from Debian's `postgresql` package.
# Data lives under .local/postgres (ignored by git); the server listens on 127.0.0.1 only, on a
# private port chosen at first start (under a machine-wide lock, so checkouts starting at once choose
# different ones; a stored port another program holds is given up for the next free one at start).
# The superuser's password is generated at first start.
#
#   scripts/local-postgres.sh start    install if missing, create if missing, start; print the admin connection string
#   scripts/local-postgres.sh stop     stop the server (data is kept)
#   scripts/local-postgres.sh status   say whether it runs
#   scripts/local-postgres.sh url      print the admin connection string (server must run)
#   scripts/local-postgres.sh drop-database NAME
#                                      drop a database of this cluster (e.g. the demo database `switchboard`,
#                                      when the service says it was migrated before the scripts were folded)
#
# SWITCHBOARD_PG_SETTINGS adds server settings, one "name = value" per line or separated by ";"
# (the load tests set track_commit_timestamp = on). A running cluster whose settings changed is restarted.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="${SWITCHBOARD_PG_DIR:-$ROOT/.local/postgres}"
DATA="$BASE/data"
SOCK="$BASE/socket"
LOG="$BASE/server.log"
PORT_FILE="$BASE/port"
PASS_FILE="$BASE/password"
SUPERUSER=switchboard

log() { echo "local-postgres: $*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to run: $* (install sudo or run as root)"; exit 1; fi
}

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

ensure_installed() {
  if [ -z "$(pg_bin)" ]; then
    log "PostgreSQL server not found; installing Debian's postgresql package"
    as_root apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql postgresql-contrib >&2
  fi
}

# initdb refuses to run as root, so as root the cluster belongs to the `postgres` system user.
# The server must not inherit the start lock's descriptor (9), or it would hold the lock for its life.
run_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@" 9>&-
  else
    "$@" 9>&-
  fi
}

owner_fix() {
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Every checkout on the machine chooses and starts under one lock, so two starting at once cannot
# both choose the same free port (the second waits until the first listens on it).
LOCK_FILE="${SWITCHBOARD_PG_LOCK:-${TMPDIR:-/tmp}/switchboard-local-postgres.lock}"
take_lock() {
  if ! command -v flock >/dev/null; then log "flock not found; starting without the machine-wide lock"; return; fi
  exec 9>>"$LOCK_FILE"
  chmod 666 "$LOCK_FILE" 2>/dev/null || true
  flock -w 300 9 || { log "waited 5 minutes for $LOCK_FILE; giving up"; exit 1; }
}

next_free_port() {
  local port="$1"
  while ! port_free "$port"; do port=$((port + 1)); done
  echo "$port"
}

choose_port() {
  if [ -f "$PORT_FILE" ]; then cat "$PORT_FILE"; return; fi
  local port; port="$(next_free_port "${SWITCHBOARD_PG_PORT:-55432}")"
  echo "$port" > "$PORT_FILE"
  echo "$port"
}

# Starts the stopped cluster on $1, moving to the next free port while the chosen one is taken: by a
# program that listens (seen before starting) or one that holds it without listening (seen as
# "Address already in use" when the server binds). Prints the port it listens on.
start_on_free_port() {
  local bin="$1" port="$2" attempt
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if ! port_free "$port"; then
      local taken="$port"
      port="$(next_free_port "$port")"
      log "port $taken is taken by another program; this cluster now uses $port"
    fi
    echo "$port" > "$PORT_FILE"
    local from; from=$(( $(wc -c < "$LOG") + 1 ))
    if run_pg "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 -o "-p $port" start >&2; then
      echo "$port"
      return
    fi
    if tail -c "+$from" "$LOG" | grep -q "Address already in use"; then
      log "port $port is in use by another program; trying the next"
      port=$((port + 1))
      continue
    fi
    tail -n 30 "$LOG" >&2
    exit 1
  done
  log "no free port found after $attempt tries"; tail -n 30 "$LOG" >&2; exit 1
}

url() {
  echo "Host=127.0.0.1;Port=$(cat "$PORT_FILE");Username=$SUPERUSER;Password=$(cat "$PASS_FILE");Database=postgres"
}

create_cluster() {
  local bin="$1"
  log "creating cluster in $DATA"
  mkdir -p "$BASE" "$SOCK" "$DATA"
  chmod 700 "$BASE" "$DATA"
  [ -f "$PASS_FILE" ] || (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$PASS_FILE")
  local pwfile="$SOCK/.pw"
  cp "$PASS_FILE" "$pwfile"
  owner_fix "$BASE"
  # As root the base folder must let the postgres user in.
  if [ "$(id -u)" -eq 0 ]; then chmod 711 "$BASE"; chmod 600 "$PASS_FILE"; chown root:root "$PASS_FILE" "$BASE"; fi
  run_pg "$bin/initdb" -D "$DATA" -U "$SUPERUSER" --pwfile="$pwfile" --auth=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$BASE/initdb.log" 2>&1 || { cat "$BASE/initdb.log" >&2; exit 1; }
  rm -f "$pwfile"
  cat >> "$DATA/postgresql.conf" <<CONF
# Project-local development cluster (scripts/local-postgres.sh)
listen_addresses = '127.0.0.1'
max_connections = 400
shared_buffers = 256MB
unix_socket_directories = '$SOCK'
CONF
}

# Settings the load tests showed to matter, kept in a file of their own that every start rewrites
# (so clusters created before they existed get them too). After a checkpoint starts, the first
# change to each page writes the whole page to the write-ahead log; at 200 calls/s that burst slowed
# every commit and stalled offers for about a second. Compressing those page images and a larger
# WAL buffer took the stall from 348 ms to 80 ms p99 (docs/performance.md, tuning rules).
write_tuning() {
  local bin="$1" compression=pglz
  if ldd "$bin/postgres" 2>/dev/null | grep -q liblz4; then compression=lz4; fi
  local file="$DATA/switchboard-tuning.conf" before=""
  [ -f "$file" ] && before="$(cat "$file")"
  {
    echo "# Written by scripts/local-postgres.sh at every start; edit that script, not this file."
    echo "wal_compression = $compression"
    echo "wal_buffers = 32MB"
    if [ -n "${SWITCHBOARD_PG_SETTINGS:-}" ]; then
      echo "# From SWITCHBOARD_PG_SETTINGS"
      echo "$SWITCHBOARD_PG_SETTINGS" | tr ';' '\n' | sed 's/^ *//; s/ *$//' | { grep -v '^$' || true; }
    fi
  } > "$file"
  owner_fix "$file"
  [ "$before" = "$(cat "$file")" ] || TUNING_CHANGED=1
  grep -q "^include_if_exists = 'switchboard-tuning.conf'" "$DATA/postgresql.conf" ||
    echo "include_if_exists = 'switchboard-tuning.conf'" >> "$DATA/postgresql.conf"
}

start() {
  take_lock
  ensure_installed
  local bin; bin="$(pg_bin)"
  mkdir -p "$BASE"
  local port; port="$(choose_port)"
  if [ ! -f "$DATA/PG_VERSION" ]; then create_cluster "$bin"; fi
  write_tuning "$bin"
  if run_pg "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    if [ -n "${TUNING_CHANGED:-}" ]; then
      log "settings changed; restarting"
      run_pg "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 -m fast -o "-p $port" restart >&2 || { tail -n 30 "$LOG" >&2; exit 1; }
    fi
    log "already running on 127.0.0.1:$port"
  else
    # The recorded port may have been taken while this cluster was stopped (another checkout's
    # cluster, another service): move to the next free one rather than fail.
    touch "$LOG"; owner_fix "$LOG" "$SOCK"
    port="$(start_on_free_port "$bin" "$port")"
    log "started on 127.0.0.1:$port (data: $DATA)"
  fi
  url
}

stop() {
  local bin; bin="$(pg_bin)" || true
  if [ -n "$bin" ] && [ -f "$DATA/PG_VERSION" ]; then
    run_pg "$bin/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true
  fi
}

status() {
  local bin; bin="$(pg_bin)" || { echo "not installed"; return 1; }
  run_pg "$bin/pg_ctl" -D "$DATA" status
}

drop_database() {
  local name="${1:-}"
  [[ "$name" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "usage: $0 drop-database NAME (lower-case letters, digits, _)" >&2; exit 2; }
  [ "$name" != postgres ] || { log "will not drop the postgres database"; exit 2; }
  PGPASSWORD="$(cat "$PASS_FILE")" psql -h 127.0.0.1 -p "$(cat "$PORT_FILE")" -U "$SUPERUSER" -d postgres \
    -v ON_ERROR_STOP=1 -qc "drop database if exists $name with (force)"
  log "dropped database $name (if it existed); the next start creates and migrates it afresh"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) url ;;
  drop-database) drop_database "${2:-}" ;;
  *) echo "usage: $0 start|stop|status|url|drop-database NAME" >&2; exit 2 ;;
esac
