#!/usr/bin/env bash
# Outpost demo on one machine: a tower, three sites each with one agent, a private Podman and a
# local registry, and the example application of examples/demo-app.yaml running on the two
# northern sites.
#
# usage: scripts/demo.sh [start]   build, start everything, deploy, print what to try
#        scripts/demo.sh status    what is running
#        scripts/demo.sh stop      stop agents, tower, containers, Podman service and registry,
#                                  and remove the demo's state
# Settings (environment):
#   OUTPOST_DEMO_DIR            state and logs (default: demo-data in the repository)
#   OUTPOST_DEMO_PORT           tower port on 127.0.0.1 (default 7443)
#   OUTPOST_DEMO_REGISTRY_PORT  registry port on 127.0.0.1 (default 5000)
#   OUTPOST_BUILD_DIR           build directory (default build/release)
#   OUTPOST_BIN                 use this binary and skip the build
set -euo pipefail

# shellcheck source=scripts/lib/engine.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/engine.sh"

repo_root=$(outpost_repo_root)
demo_dir=${OUTPOST_DEMO_DIR:-$repo_root/demo-data}
tower_port=${OUTPOST_DEMO_PORT:-7443}
registry_port=${OUTPOST_DEMO_REGISTRY_PORT:-5000}
build_dir=${OUTPOST_BUILD_DIR:-build/release}
outpost_bin=${OUTPOST_BIN:-$repo_root/$build_dir/outpost}
tower_url="https://127.0.0.1:$tower_port"
export OUTPOST_CONFIG="$demo_dir/cli-config"

# name, region, web port, worker port
sites=(
  "shop-north-1 north 18081 19081"
  "shop-north-2 north 18082 19082"
  "depot-south south 18083 19083"
)
converge_timeout=180

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

outpost() { "$outpost_bin" "$@"; }

stop_demo() {
  [[ -d $demo_dir ]] || { outpost_log "no demo state in $demo_dir"; return 0; }
  local pidfile
  for pidfile in "$demo_dir"/agent-*.pid; do
    [[ -e $pidfile ]] && outpost_stop_daemon "$pidfile" outpost
  done
  outpost_stop_daemon "$demo_dir/tower.pid" outpost
  outpost_engine_stop "$demo_dir/engine"
  outpost_registry_stop "$demo_dir/registry"
  rm -rf "$demo_dir"
  outpost_log "demo stopped and its state removed"
}

status_demo() {
  [[ -d $demo_dir ]] || { echo "no demo running ($demo_dir does not exist)"; return 0; }
  local pidfile pid
  for pidfile in "$demo_dir"/*.pid "$demo_dir"/engine/pid "$demo_dir"/registry/pid; do
    [[ -e $pidfile ]] || continue
    pid=$(<"$pidfile")
    if kill -0 "$pid" 2>/dev/null; then echo "running  $pidfile (pid $pid)"; else echo "stopped  $pidfile"; fi
  done
  if [[ -x $outpost_bin ]]; then outpost get sites || true; fi
}

# Prints the last lines of every log, so a failed start explains itself.
show_logs() {
  local log
  for log in "$demo_dir"/logs/*.log "$demo_dir"/engine/log "$demo_dir"/registry/log; do
    [[ -s $log ]] || continue
    printf '\n--- %s\n' "$log" >&2
    # The registry logs every "blob unknown" probe of a push as an error: noise, not a cause.
    grep -v 'blob unknown' "$log" | tail -n 15 >&2 || true
  done
}

on_failure() {
  outpost_log "demo failed to start; last log lines:"
  show_logs
  outpost_log "tearing down what was started (logs kept in $demo_dir/logs)"
  local logs_copy
  logs_copy=$(mktemp -d)
  cp -r "$demo_dir/logs" "$logs_copy/" 2>/dev/null || true
  stop_demo
  mkdir -p "$demo_dir"
  cp -r "$logs_copy/logs" "$demo_dir/" 2>/dev/null || true
  rm -rf "$logs_copy"
}

exit_handler() {
  local code=$?
  ((code == 0)) || on_failure
  exit "$code"
}

wait_for_page() {
  local name=$1 port=$2 version=${3:-} deadline=$((SECONDS + converge_timeout)) page
  printf 'outpost: waiting for %s on http://127.0.0.1:%s/ ' "$name" "$port" >&2
  until page=$(curl -sf -m 2 "http://127.0.0.1:$port/") && [[ $page == *"site=$name "* ]] &&
    [[ -z $version || $page == *"version=$version "* ]]; do
    if ((SECONDS >= deadline)); then
      printf '\n' >&2
      outpost_log "timed out after ${converge_timeout}s; deployment status:"
      outpost describe deployment shop-web >&2 || true
      return 1
    fi
    printf '.' >&2
    sleep 1
  done
  printf ' %s\n' "$page" >&2
}

start_demo() {
  if [[ -e $demo_dir/tower.pid ]]; then
    outpost_die "a demo is already running (state in $demo_dir); run: scripts/demo.sh stop"
  fi
  rm -rf "$demo_dir"

  outpost_log "installing dependencies"
  bash "$repo_root/scripts/install-deps.sh"
  if [[ -z ${OUTPOST_BIN:-} ]]; then
    outpost_log "building $outpost_bin"
    cmake -S "$repo_root" -B "$repo_root/$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    ninja -C "$repo_root/$build_dir" -j2 outpost outpost-agent
  fi
  [[ -x $outpost_bin ]] || outpost_die "no outpost binary at $outpost_bin"

  port_taken "$tower_port" && outpost_die "port $tower_port is in use: set OUTPOST_DEMO_PORT"
  port_taken "$registry_port" && outpost_die "port $registry_port is in use: set OUTPOST_DEMO_REGISTRY_PORT"

  mkdir -p "$demo_dir/logs"
  # Whatever fails from here on (set -e, or a helper's exit), nothing is left running.
  trap exit_handler EXIT

  outpost_log "starting the registry and a private Podman engine"
  local registry socket
  registry=$(outpost_registry_start "$demo_dir/registry" "$registry_port")
  socket=$(outpost_engine_start "$demo_dir/engine" "$registry")
  outpost_log "building the demo images into $registry"
  CONTAINERS_CONF="$demo_dir/engine/containers.conf" CONTAINERS_REGISTRIES_CONF="$demo_dir/engine/registries.conf" \
    "$repo_root/scripts/build-images.sh" --root "$demo_dir/engine/root" --runroot "$demo_dir/engine/runroot" \
    --registry "$registry" >/dev/null

  outpost_log "starting the tower on $tower_url"
  outpost_start_daemon "$demo_dir/tower.pid" "$demo_dir/logs/tower.log" \
    "$outpost_bin" tower --data "$demo_dir/tower" --listen "127.0.0.1:$tower_port"
  outpost_wait_for 30 "the tower on $tower_url" curl -sfk -m 2 "$tower_url/v1/ca"
  outpost login "$tower_url" --data "$demo_dir/tower" >/dev/null

  local entry name region web_port worker_port token
  for entry in "${sites[@]}"; do
    read -r name region web_port worker_port <<<"$entry"
    outpost_log "site $name (region=$region, web on $web_port, worker on $worker_port) with one agent"
    outpost sites create "$name" --label "region=$region" --var "WEB_PORT=$web_port" --var "WORKER_PORT=$worker_port" >/dev/null
    token=$(outpost sites token "$name" | tail -n 1)
    outpost_start_daemon "$demo_dir/agent-$name.pid" "$demo_dir/logs/agent-$name.log" \
      "$(dirname "$outpost_bin")/outpost-agent" --tower "$tower_url" --join "$token" --data "$demo_dir/agents/$name" \
      --engine "unix://$socket" --host "$name-h1"
  done

  outpost_log "applying examples/demo-app.yaml"
  sed "s#127.0.0.1:5000#$registry#g" "$repo_root/examples/demo-app.yaml" >"$demo_dir/demo-app.yaml"
  outpost apply -f "$demo_dir/demo-app.yaml"

  for entry in "${sites[@]}"; do
    read -r name region web_port worker_port <<<"$entry"
    [[ $region == north ]] || continue
    wait_for_page "$name" "$web_port"
    wait_for_page "$name" "$worker_port"
  done

  outpost_log "rolling out 2.0.0: the canary site first, then the others once it has been ready for 10s"
  sed 's/1\.0\.0/2.0.0/g' "$demo_dir/demo-app.yaml" >"$demo_dir/demo-app-2.0.0.yaml"
  outpost apply -f "$demo_dir/demo-app-2.0.0.yaml"
  outpost rollout status shop-web --watch --interval 3s --timeout 5m --events 6
  for entry in "${sites[@]}"; do
    read -r name region web_port worker_port <<<"$entry"
    [[ $region == north ]] || continue
    wait_for_page "$name" "$web_port" 2.0.0
  done
  trap - EXIT

  local cli="$outpost_bin"
  [[ $cli == "$repo_root"/* ]] && cli=${cli#"$repo_root"/}
  cat <<EOF

Outpost demo is running.
  tower     $tower_url   (data and admin token in $demo_dir/tower)
  registry  http://$registry
  logs      $demo_dir/logs/

The application runs on the two sites labelled region=north:
  curl http://127.0.0.1:18081/     # shop-north-1, service web
  curl http://127.0.0.1:19081/     # shop-north-1, service worker
  curl http://127.0.0.1:18082/     # shop-north-2, service web
  curl http://127.0.0.1:18083/     # depot-south: nothing there (yet)

Drive it with the CLI (from the repository root):
  export OUTPOST_CONFIG=$OUTPOST_CONFIG
  $cli get sites
  $cli get deployments
  $cli describe deployment shop-web
  $cli get instances -o yaml
  $cli sites label depot-south region=north        # then: curl http://127.0.0.1:18083/
  $cli rollout status shop-web                     # how 2.0.0 went: canary, batches, events
  $cli apply -f $demo_dir/demo-app.yaml              # back to 1.0.0: a new rollout, same gates
  $cli rollout status shop-web --watch
  $cli delete deployment shop-web

Stop everything:
  scripts/demo.sh stop
EOF
}

case ${1:-start} in
  start) start_demo ;;
  stop) stop_demo ;;
  status) status_demo ;;
  -h|--help) sed -n '2,17p' "$0" ;;
  *) outpost_die "unknown command: $1 (start, status or stop)" ;;
esac
