#!/usr/bin/env bash
# Runs several nodes of the service on this machine behind haproxy, with a Redis backplane, on the
# same local PostgreSQL database scripts/run.sh uses (docs/cluster.md).
#
#   scripts/cluster.sh start [--nodes N]   build; start Redis, N nodes (1-3, default 2) and haproxy
#   scripts/cluster.sh stop                stop everything `start` started (PostgreSQL keeps running)
#   scripts/cluster.sh status              what runs, and whether each node and haproxy answer
#   scripts/cluster.sh stop PART           stop one part (SIGTERM: it shuts down cleanly)
#   scripts/cluster.sh kill PART           kill one part as a crash would (SIGKILL)
#   scripts/cluster.sh start PART          start one part again, as `start` did (same settings)
#   scripts/cluster.sh restart PART        stop PART, then start PART
# PART is node1, node2, node3, redis or haproxy; `kill-node 2` is short for `kill node2`, and so
# are stop-node, start-node and restart-node.
#
# Ports, all on 127.0.0.1 (read by `start`, then recorded): SWITCHBOARD_CLUSTER_LB_PORT (haproxy,
# 5090), SWITCHBOARD_CLUSTER_NODE_PORT (node N listens on this + N - 1; 5091), SWITCHBOARD_CLUSTER_REDIS_PORT
# (56379). A port another program holds stops `start` with a message naming the variable.
# Logs, pid files and the generated haproxy and Redis configurations are kept in .local/cluster.
# Processes are stopped by the ids recorded there, never by name: other checkouts may run their own.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/service-env.sh
. scripts/lib/service-env.sh

DIR="$ROOT/.local/cluster"
STATE="$DIR/cluster.env"          # node count and ports chosen by `start`
NODE_ENV="$DIR/node.env"          # the nodes' settings (the database password too: private)
BUILD_DIR="$ROOT/src/Umearegionen.Switchboard/bin/Release/net10.0"
DLL="$BUILD_DIR/Umearegionen.Switchboard.dll"
TEMPLATE="$ROOT/deploy/haproxy.cfg"

log() { echo "cluster: $*" >&2; }
die() { log "$*"; exit 1; }
rel() { echo "${1#"$ROOT"/}"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to run: $* (install sudo or run as root)"; fi
}

# Debian puts haproxy in /usr/sbin, which is not on an ordinary user's PATH.
tool() {
  local dir
  command -v "$1" 2>/dev/null && return
  for dir in /usr/sbin /usr/bin /sbin; do [ -x "$dir/$1" ] && { echo "$dir/$1"; return; }; done
  return 1
}

ensure_tools() {
  local missing=() name
  tool redis-server >/dev/null || missing+=(redis-server)
  tool redis-cli >/dev/null || missing+=(redis-tools)
  tool haproxy >/dev/null || missing+=(haproxy)
  tool curl >/dev/null || missing+=(curl)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian's ${missing[*]}"
    as_root apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >&2
  fi
  for name in redis-server redis-cli haproxy curl; do tool "$name" >/dev/null || die "$name not found after installing"; done
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# HTTP status of a GET on this machine (000 when nothing answers); never through a proxy.
# haproxy may take a few seconds to answer while it retries a node that has just died.
http_status() { curl -s -o /dev/null -m 5 --noproxy '*' -w '%{http_code}' "$1" || true; }

# ---- processes, recorded as "<pid> <start time>" in .local/cluster/<name>.pid ----

# The start time (in clock ticks since boot) tells a recorded process from a later one that got its id.
start_time() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"                       # drop "pid (command) ": the state is now field 1
  # shellcheck disable=SC2086
  set -- $stat                              # split on purpose
  [ "$1" != Z ] || return 1                 # a zombie has ended
  echo "${20}"
}

running() {
  local pid start
  [ -f "$DIR/$1.pid" ] || return 1
  read -r pid start < "$DIR/$1.pid" || return 1
  [ -n "$pid" ] && [ "$(start_time "$pid" || true)" = "$start" ]
}

recorded_pid() { cut -d' ' -f1 "$DIR/$1.pid"; }

# launch NAME LOG WORKDIR COMMAND...: starts COMMAND in a session of its own (a Ctrl-C in the
# terminal that ran this script does not reach it), output appended to LOG, and records it.
launch() {
  local name="$1" out="$2" workdir="$3" pid="" i
  shift 3
  rm -f "$DIR/$name.pid" "$DIR/$name.pid.new"
  # The child writes its own id before it becomes COMMAND (setsid may fork, so $! is not it), and a
  # first line to the log through the descriptor COMMAND inherits: haproxy turns off O_APPEND on its
  # standard output, and then writes where that descriptor's offset is, which is the end only after a write.
  # shellcheck disable=SC2016
  (cd "$workdir" && exec setsid bash -c 'echo $$ > "$0"; echo "$1"; shift; exec "$@"' "$DIR/$name.pid.new" \
    "=== $(date '+%F %T') cluster.sh starts $name" "$@" </dev/null >>"$out" 2>&1) &
  for i in $(seq 100); do
    [ -s "$DIR/$name.pid.new" ] && pid="$(cat "$DIR/$name.pid.new")" && [ -n "$pid" ] && break
    sleep 0.05
  done
  rm -f "$DIR/$name.pid.new"
  [ -n "$pid" ] || die "$name did not start; see $(rel "$out")"
  echo "$pid $(start_time "$pid" || echo gone)" > "$DIR/$name.pid"
}

# signal_process NAME [SIGNAL]: sends SIGNAL (TERM) to the recorded process, if it runs.
signal_process() {
  if running "$1"; then
    log "stopping $1 (pid $(recorded_pid "$1"))"
    kill -s "${2:-TERM}" "$(recorded_pid "$1")" 2>/dev/null || true
  fi
}

# await_stopped NAME SECONDS: waits for the recorded process to end, then kills it; forgets it.
await_stopped() {
  local name="$1" limit="$2" i
  for ((i = 0; i < limit * 10; i++)); do running "$name" || break; sleep 0.1; done
  if running "$name"; then
    log "$name (pid $(recorded_pid "$name")) did not stop within $limit s; killing it"
    kill -s KILL "$(recorded_pid "$name")" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do running "$name" || break; sleep 0.1; done
  fi
  rm -f "$DIR/$name.pid"
}

# stop_process NAME [SECONDS]: SIGTERM, then SIGKILL after SECONDS (10).
stop_process() { signal_process "$1"; await_stopped "$1" "${2:-10}"; }

# wait_ready NAME URL SECONDS LOG: until URL answers 200; fails early when NAME's process ended.
wait_ready() {
  local name="$1" url="$2" limit="$3" out="$4" code="000" deadline=$((SECONDS + $3))
  while [ "$SECONDS" -lt "$deadline" ]; do
    code="$(http_status "$url")"
    [ "$code" = 200 ] && return 0
    if ! running "$name"; then
      log "$name ended before it was ready; the end of $(rel "$out"):"
      tail -n 30 "$out" >&2
      return 1
    fi
    sleep 0.5
  done
  log "$name did not answer 200 at $url within $limit s (last answer: $code); see $(rel "$out")"
  return 1
}

# ---- configuration ----

load_state() {
  [ -f "$STATE" ] || die "no cluster recorded in $(rel "$DIR"); start one with: scripts/cluster.sh start"
  # shellcheck source=/dev/null
  . "$STATE"
}

node_port() { echo $((NODE_PORT + $1 - 1)); }

check_node_arg() {
  if ! [[ "${1:-}" =~ ^[1-9]$ ]] || [ "$1" -gt "$NODES" ]; then die "no node '${1:-}': this cluster has nodes 1 to $NODES"; fi
}

write_haproxy_config() {
  local servers="" n
  for ((n = 1; n <= NODES; n++)); do
    servers+="    server node$n 127.0.0.1:$(node_port "$n") cookie node$n"$'\n'
  done
  # The committed file with its compose-only lines left out, bound to 127.0.0.1 and with our servers.
  awk -v bind="127.0.0.1:$LB_PORT" -v servers="$servers" -v template="$(rel "$TEMPLATE")" '
    NR == 1 { print "# Written by scripts/cluster.sh from " template " at every start; edit that file." }
    /# compose only/ { next }
    /^[ \t]*$/ { if (blank) next; blank = 1 }
    /[^ \t]/ { blank = 0 }
    /^[ \t]*bind / { sub(/bind .*/, "bind " bind) }
    { print }
    /^[ \t]*# Servers/ { printf "%s", servers; done = 1 }
    END { if (!done) exit 1 }
  ' "$TEMPLATE" > "$DIR/haproxy.cfg" || die "$(rel "$TEMPLATE") has no '# Servers' line to write the server lines after"
  "$(tool haproxy)" -c -q -f "$DIR/haproxy.cfg" || die "haproxy refuses $(rel "$DIR")/haproxy.cfg (made from $(rel "$TEMPLATE"))"
}

redis_password() { cat "$DIR/redis-password"; }

# ---- parts ----

start_redis() {
  mkdir -p "$DIR/redis"
  [ -s "$DIR/redis-password" ] || (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$DIR/redis-password")
  # The password goes in a private file rather than on the command line, which every user can read.
  (umask 077; echo "requirepass $(redis_password)" > "$DIR/redis.conf")
  launch redis "$DIR/redis.log" "$DIR" "$(tool redis-server)" "$DIR/redis.conf" --bind 127.0.0.1 \
    --port "$REDIS_PORT" --dir "$DIR/redis" --save '' --appendonly no --daemonize no
  local i
  for ((i = 0; i < 100; i++)); do
    [ "$(REDISCLI_AUTH="$(redis_password)" "$(tool redis-cli)" -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && return 0
    running redis || break
    sleep 0.1
  done
  log "Redis did not answer on 127.0.0.1:$REDIS_PORT; the end of $(rel "$DIR")/redis.log:"
  tail -n 20 "$DIR/redis.log" >&2
  return 1
}

start_node() {
  local n="$1" port
  port="$(node_port "$n")"
  port_free "$port" || die "port $port (node$n) is taken by another program; choose other node ports with SWITCHBOARD_CLUSTER_NODE_PORT"
  [ -f "$DLL" ] || die "$(rel "$DLL") is missing; scripts/cluster.sh start builds it"
  (
    # Exported rather than passed on a command line, which every user can read (passwords).
    while IFS= read -r setting; do export "${setting?}"; done < "$NODE_ENV"
    export ASPNETCORE_URLS="http://127.0.0.1:$port" Cluster__NodeName="node$n"
    # haproxy, on this machine, names the client in X-Forwarded-For: the login limit counts that client.
    export Proxy__KnownProxies__0=127.0.0.1
    # From the build output folder, as the container image runs it: that folder is its content
    # root. From the repository's root it would watch every file under it (.local too) for changes.
    launch "node$n" "$DIR/node$n.log" "$BUILD_DIR" dotnet "$DLL"
  )
}

start_haproxy() {
  port_free "$LB_PORT" || die "port $LB_PORT (haproxy) is taken by another program; choose another with SWITCHBOARD_CLUSTER_LB_PORT"
  launch haproxy "$DIR/haproxy.log" "$DIR" "$(tool haproxy)" -f "$DIR/haproxy.cfg"
}

# ---- commands ----

any_running() {
  local name
  for name in haproxy redis node1 node2 node3; do running "$name" && return 0; done
  return 1
}

stop_all() {
  local n
  stop_process haproxy
  # Every node at once; each may take a while to close its connections.
  for n in 1 2 3; do signal_process "node$n"; done
  for n in 1 2 3; do await_stopped "node$n" 40; done
  stop_process redis
}

cmd_start() {
  local nodes=2 n
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes) [ $# -ge 2 ] || die "--nodes needs a number"; nodes="$2"; shift 2 ;;
      --nodes=*) nodes="${1#--nodes=}"; shift ;;
      *) die "unknown option '$1' (start takes --nodes N)" ;;
    esac
  done
  [[ "$nodes" =~ ^[1-3]$ ]] || die "--nodes must be 1, 2 or 3 (got '$nodes')"
  mkdir -p "$DIR"
  chmod 700 "$DIR"   # node logs show the demo passwords; node.env holds the database's
  if any_running; then
    cmd_status >&2 || true
    die "a cluster from this checkout is already running; stop it first: scripts/cluster.sh stop"
  fi

  NODES="$nodes"
  LB_PORT="${SWITCHBOARD_CLUSTER_LB_PORT:-5090}"
  NODE_PORT="${SWITCHBOARD_CLUSTER_NODE_PORT:-5091}"
  REDIS_PORT="${SWITCHBOARD_CLUSTER_REDIS_PORT:-56379}"
  local ports=("$LB_PORT" "$REDIS_PORT") port
  for ((n = 1; n <= NODES; n++)); do ports+=("$(node_port "$n")"); done
  for port in "${ports[@]}"; do
    if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1024 ] || [ "$port" -gt 65535 ]; then
      die "port '$port' is not a number from 1024 to 65535"
    fi
  done
  [ "$(printf '%s\n' "${ports[@]}" | sort -u | wc -l)" -eq "${#ports[@]}" ] || die "the ports overlap: ${ports[*]}"
  port_free "$LB_PORT" || die "port $LB_PORT (haproxy) is taken by another program; choose another with SWITCHBOARD_CLUSTER_LB_PORT"
  port_free "$REDIS_PORT" || die "port $REDIS_PORT (Redis) is taken by another program; choose another with SWITCHBOARD_CLUSTER_REDIS_PORT"
  for ((n = 1; n <= NODES; n++)); do
    port_free "$(node_port "$n")" || die "port $(node_port "$n") (node$n) is taken by another program; choose other node ports with SWITCHBOARD_CLUSTER_NODE_PORT"
  done

  ensure_tools
  DATABASE=local
  [ -z "${ConnectionStrings__Switchboard:-}" ] || DATABASE=configured
  use_checkout_environment
  printf 'NODES=%s\nLB_PORT=%s\nNODE_PORT=%s\nREDIS_PORT=%s\nDATABASE=%s\n' \
    "$NODES" "$LB_PORT" "$NODE_PORT" "$REDIS_PORT" "$DATABASE" > "$STATE"
  write_haproxy_config

  log "building the service (Release)"
  # Without build servers: nothing of the build stays running after `stop`.
  dotnet build src/Umearegionen.Switchboard -c Release -v q -nologo --disable-build-servers >&2 || die "the build failed"

  # From here on a failure stops whatever was started (the logs stay).
  trap 'log "start failed; stopping what was started (logs are in $(rel "$DIR"))"; stop_all' EXIT
  start_redis
  # The nodes share what one node's pool would open (24 connections): more statements at once than the
  # database server has cores only queue inside PostgreSQL (docs/scaling.md). A connection string that
  # sets its own size keeps it.
  if [[ "${ConnectionStrings__Switchboard,,}" != *"maximum pool size"* && "${ConnectionStrings__Switchboard,,}" != *"maxpoolsize"* ]]; then
    ConnectionStrings__Switchboard="${ConnectionStrings__Switchboard};Maximum Pool Size=$(( 24 / NODES ))"
  fi
  (
    umask 077
    local name
    {
      for name in ConnectionStrings__Switchboard Demo__Enabled Demo__CredentialsFile Access__SigningKeyFile ASPNETCORE_ENVIRONMENT; do
        [ -z "${!name:-}" ] || echo "$name=${!name}"
      done
      echo "ConnectionStrings__Redis=127.0.0.1:$REDIS_PORT,password=$(redis_password)"
    } > "$NODE_ENV"
  )

  # Node 1 alone first: on a new database it loads the demo data and creates the signing key file.
  log "starting node1 on 127.0.0.1:$(node_port 1)"
  start_node 1
  wait_ready node1 "http://127.0.0.1:$(node_port 1)/health/ready" 120 "$DIR/node1.log"
  for ((n = 2; n <= NODES; n++)); do
    log "starting node$n on 127.0.0.1:$(node_port "$n")"
    start_node "$n"
  done
  for ((n = 2; n <= NODES; n++)); do
    wait_ready "node$n" "http://127.0.0.1:$(node_port "$n")/health/ready" 120 "$DIR/node$n.log"
  done
  log "starting haproxy on 127.0.0.1:$LB_PORT"
  start_haproxy
  wait_ready haproxy "http://127.0.0.1:$LB_PORT/health/ready" 20 "$DIR/haproxy.log"
  trap - EXIT

  echo
  echo "─── Umeåregionens växel: $NODES node(s) behind haproxy ───"
  echo "Load balancer:     http://127.0.0.1:$LB_PORT/   (sticky cookie SWITCHBOARD_NODE)"
  for ((n = 1; n <= NODES; n++)); do
    printf 'node%s:             http://127.0.0.1:%s/   log %s\n' "$n" "$(node_port "$n")" "$(rel "$DIR/node$n.log")"
  done
  echo "Redis (backplane): 127.0.0.1:$REDIS_PORT   password in $(rel "$DIR/redis-password"), log $(rel "$DIR/redis.log")"
  echo "haproxy:           log $(rel "$DIR/haproxy.log"), configuration $(rel "$DIR/haproxy.cfg")"
  if [ "$DATABASE" = local ]; then
    echo "PostgreSQL:        127.0.0.1:$(cat "${SWITCHBOARD_PG_DIR:-$ROOT/.local/postgres}/port"), database switchboard (scripts/local-postgres.sh)"
  else
    echo "PostgreSQL:        the database of ConnectionStrings__Switchboard"
  fi
  if [ -n "${Demo__Enabled:-}" ]; then echo "Demo credentials:  $(rel "$Demo__CredentialsFile")"; fi
  echo "Stop everything:   scripts/cluster.sh stop   (PostgreSQL keeps running: scripts/local-postgres.sh stop)"
}

cmd_stop() {
  if ! any_running; then log "nothing of this checkout's cluster runs"; rm -f "$NODE_ENV"; return 0; fi
  stop_all
  rm -f "$NODE_ENV"
  log "stopped (PostgreSQL keeps running; scripts/local-postgres.sh stop stops it)"
}

# One line per part; exits 0 only when every part runs and every node and haproxy answer 200.
cmd_status() {
  if [ ! -f "$STATE" ]; then echo "no cluster started from this checkout"; return 1; fi
  # shellcheck source=/dev/null
  . "$STATE"
  local ok=0 n line
  describe() {  # NAME ADDRESS [READY-URL]
    if running "$1"; then
      line="running (pid $(recorded_pid "$1"))"
      if [ -n "${3:-}" ]; then
        local code; code="$(http_status "$3")"
        line+=", /health/ready $code"
        [ "$code" = 200 ] || ok=1
      fi
    else
      line="not running"; ok=1
    fi
    printf '%-9s %-26s %s\n' "$1" "$2" "$line"
  }
  describe haproxy "http://127.0.0.1:$LB_PORT" "http://127.0.0.1:$LB_PORT/health/ready"
  for ((n = 1; n <= NODES; n++)); do
    describe "node$n" "http://127.0.0.1:$(node_port "$n")" "http://127.0.0.1:$(node_port "$n")/health/ready"
  done
  describe redis "127.0.0.1:$REDIS_PORT"
  if [ "${DATABASE:-local}" = local ]; then
    printf '%-9s %-26s %s\n' postgres "scripts/local-postgres.sh" "$(scripts/local-postgres.sh status 2>&1 | head -n1 || true)"
  else
    printf '%-9s %-26s %s\n' postgres "(not started here)" "ConnectionStrings__Switchboard"
  fi
  return "$ok"
}

# stop|kill|start|restart PART, PART being node1..node3, redis or haproxy.
cmd_part() {
  local action="$1" part="${2:-}" limit=10
  load_state
  case "$part" in
    node[0-9]) check_node_arg "${part#node}"; limit=40 ;;
    redis | haproxy) ;;
    *) die "no part '$part' (parts: node1 to node$NODES, redis, haproxy)" ;;
  esac
  case "$action" in
    stop) running "$part" || log "$part is not running"; stop_process "$part" "$limit" ;;
    kill)
      running "$part" || die "$part is not running"
      kill -s KILL "$(recorded_pid "$part")"
      log "killed $part (pid $(recorded_pid "$part"))"
      case "$part" in node*) log "haproxy takes $part out after two failed checks (about 2 s)" ;; esac
      ;;
    start | restart)
      [ -f "$NODE_ENV" ] || die "the cluster is stopped; start all of it with: scripts/cluster.sh start"
      if [ "$action" = restart ]; then stop_process "$part" "$limit"; fi
      if running "$part"; then die "$part is already running (pid $(recorded_pid "$part"))"; fi
      case "$part" in
        node*)
          start_node "${part#node}"
          wait_ready "$part" "http://127.0.0.1:$(node_port "${part#node}")/health/ready" 120 "$DIR/$part.log"
          log "$part ready on http://127.0.0.1:$(node_port "${part#node}"); haproxy sends to it again after two passed checks (about 2 s)"
          ;;
        redis)
          start_redis
          log "redis answers on 127.0.0.1:$REDIS_PORT"
          ;;
        haproxy)
          start_haproxy
          wait_ready haproxy "http://127.0.0.1:$LB_PORT/health/ready" 20 "$DIR/haproxy.log"
          log "haproxy answers on http://127.0.0.1:$LB_PORT"
          ;;
      esac
      ;;
  esac
}

usage() {
  echo "usage: $0 start [--nodes N] | stop | status | start|stop|restart|kill PART  (PART: node1-node3, redis, haproxy)" >&2
  echo "       $0 start-node|stop-node|restart-node|kill-node N  (the same as start|stop|restart|kill nodeN)" >&2
  exit 2
}

case "${1:-}" in
  start | stop | restart | kill)
    if [ $# -ge 2 ] && [[ "$2" != -* ]]; then cmd_part "$1" "$2"
    elif [ "$1" = start ]; then shift; cmd_start "$@"
    elif [ "$1" = stop ] && [ $# -eq 1 ]; then cmd_stop
    else usage; fi
    ;;
  status) cmd_status ;;
  start-node | stop-node | restart-node | kill-node) [ $# -eq 2 ] || usage; cmd_part "${1%-node}" "node$2" ;;
  *) usage ;;
esac
