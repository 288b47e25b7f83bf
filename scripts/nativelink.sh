#!/usr/bin/env bash
# Starts, stops and reports on a NativeLink (remote cache + remote execution, one local worker) for strata.
#
#   bash scripts/nativelink.sh start  [--dir DIR] [--port N] [--worker-port N] [--listen HOST]
#   bash scripts/nativelink.sh stop   [--dir DIR]
#   bash scripts/nativelink.sh status [--dir DIR]
#
# DIR (default $STRATA_NATIVELINK_DIR, else ~/.cache/strata/nativelink) holds the stores (cas/, ac/: kept across
# restarts), the worker's action directories (work/, purged at start), nativelink.pid, nativelink.log and
# nativelink.env (the addresses, for scripts). --port (default 50051) is where Buck2 connects ([buck2_re_client] in
# remote/*.buckconfig); --worker-port (default PORT+10) is the scheduler's worker API, always on 127.0.0.1;
# --listen (default 127.0.0.1) is the address Buck2's port is served on (0.0.0.0 to serve a team).
#
# The binary: $STRATA_NATIVELINK, else ../shared/tools/nativelink beside this repository, else `nativelink` on PATH.
# The configuration is remote/nativelink.json5; this script fills in its variables.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

cmd=${1:-}; [ $# -gt 0 ] && shift
dir=${STRATA_NATIVELINK_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/nativelink}
port=50051; worker_port=""; listen=127.0.0.1
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=${2:?--dir needs a directory}; shift 2 ;;
    --dir=*) dir=${1#--dir=}; shift ;;
    --port) port=${2:?--port needs a number}; shift 2 ;;
    --port=*) port=${1#--port=}; shift ;;
    --worker-port) worker_port=${2:?--worker-port needs a number}; shift 2 ;;
    --worker-port=*) worker_port=${1#--worker-port=}; shift ;;
    --listen) listen=${2:?--listen needs an address}; shift 2 ;;
    --listen=*) listen=${1#--listen=}; shift ;;
    -h|--help) usage ;;
    *) echo "error: nativelink.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
for n in "$port" ${worker_port:+"$worker_port"}; do
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 65535 ] || { echo "error: nativelink.sh: '$n' is not a port number" >&2; exit 2; }
done
[ -n "$worker_port" ] || worker_port=$((port + 10))
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pidfile=$dir/nativelink.pid
logfile=$dir/nativelink.log
envfile=$dir/nativelink.env

running_pid() {
  local pid
  [ -s "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  # the pid file may outlive its process, and the pid be reused: it must still be a nativelink
  case "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" in *nativelink*) echo "$pid" ;; *) return 1 ;; esac
}

port_answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

find_binary() {
  if [ -n "${STRATA_NATIVELINK:-}" ]; then echo "$STRATA_NATIVELINK"; return; fi
  if [ -x "$repo/../shared/tools/nativelink" ]; then (cd "$repo/../shared/tools" && echo "$PWD/nativelink"); return; fi
  command -v nativelink || { echo "error: no NativeLink: set STRATA_NATIVELINK to its binary, or put nativelink on PATH" >&2; exit 1; }
}

case "$cmd" in
  start)
    if pid=$(running_pid); then
      echo "nativelink already running (pid $pid, $dir)"; exit 0
    fi
    bin=$(find_binary)
    [ -x "$bin" ] || { echo "error: NativeLink binary '$bin' is not executable" >&2; exit 1; }
    connect_host=$listen; [ "$listen" = 0.0.0.0 ] && connect_host=127.0.0.1
    for p in "$port" "$worker_port"; do
      if port_answers "$connect_host" "$p" || port_answers 127.0.0.1 "$p"; then
        echo "error: port $p is already in use (pick another with --port/--worker-port)" >&2; exit 1
      fi
    done
    # Remote actions get no PATH from Buck2; the worker gives them one, with this host's node first, so the
    # toolchain's `node` (a bare name unless [strata] node says otherwise) resolves as it does locally.
    node_dir=""
    if node_bin=$(command -v node 2>/dev/null); then node_dir=$(dirname "$(readlink -f "$node_bin")"); fi
    case "$(uname -m)" in x86_64|amd64) isa=x86-64 ;; aarch64|arm64) isa=aarch64 ;; *) isa=$(uname -m) ;; esac
    mkdir -p "$dir/cas" "$dir/ac" "$dir/work" "$dir/tmp/cas" "$dir/tmp/ac"
    export NATIVELINK_DIR=$dir
    export NATIVELINK_LISTEN=$listen:$port
    export NATIVELINK_WORKER_API=127.0.0.1:$worker_port
    export NATIVELINK_ISA=$isa
    export NATIVELINK_WORKER_PATH=${node_dir:+$node_dir:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    {
      echo "NATIVELINK_ADDRESS=grpc://$connect_host:$port"
      echo "NATIVELINK_PORT=$port"
      echo "NATIVELINK_WORKER_PORT=$worker_port"
      echo "NATIVELINK_DIR=$dir"
    } >"$envfile"
    echo "--- $(date -u +%FT%TZ) start: $bin $repo/remote/nativelink.json5 (listen $listen:$port, worker api $worker_port)" >>"$logfile"
    # its own session: it outlives this script and the terminal or test run that started it
    setsid "$bin" "$repo/remote/nativelink.json5" </dev/null >>"$logfile" 2>&1 &
    pid=$!
    echo "$pid" >"$pidfile"
    # the first run unpacks the shared binary (a few seconds); then NativeLink answers within a second
    for _ in $(seq 1 600); do
      if ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$pidfile"
        echo "error: nativelink exited during start; the end of $logfile:" >&2
        tail -n 20 "$logfile" >&2
        exit 1
      fi
      if port_answers "$connect_host" "$port" && port_answers 127.0.0.1 "$worker_port"; then
        echo "nativelink running (pid $pid) on grpc://$connect_host:$port, stores in $dir, log $logfile"
        exit 0
      fi
      sleep 0.1
    done
    echo "error: nativelink did not answer on port $port within 60 s; stopping it. The end of $logfile:" >&2
    tail -n 20 "$logfile" >&2
    kill "$pid" 2>/dev/null || true
    rm -f "$pidfile"
    exit 1
    ;;
  stop)
    if ! pid=$(running_pid); then
      rm -f "$pidfile"; echo "nativelink not running ($dir)"; exit 0
    fi
    kill -TERM "$pid"
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; echo "nativelink stopped (pid $pid)"; exit 0; }
      sleep 0.1
    done
    echo "nativelink (pid $pid) did not stop within 10 s of SIGTERM; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$pidfile"
    echo "nativelink stopped (pid $pid, killed)"
    ;;
  status)
    if pid=$(running_pid); then
      # shellcheck disable=SC1090
      addr=$(. "$envfile" 2>/dev/null && echo "$NATIVELINK_ADDRESS")
      echo "nativelink running (pid $pid) on ${addr:-?}, stores in $dir"
    else
      echo "nativelink not running ($dir)"; exit 3
    fi
    ;;
  *) usage ;;
esac
