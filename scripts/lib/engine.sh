# A private container engine (Podman's Docker-compatible API service) and a private OCI registry
# on loopback, each living entirely in a state directory of its own, so that tests and the demo
# never see or disturb other containers or images on the machine.
#
# Source it to get the functions, or run it: `bash scripts/lib/engine.sh FUNCTION ARGS...`.
# shellcheck shell=bash

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# ---------------------------------------------------------------------------------------------
# Registry: `docker-registry serve` on 127.0.0.1, plain HTTP, storage in DIR/data.

# outpost_registry_start DIR [PORT]: prints the registry address (127.0.0.1:PORT).
outpost_registry_start() {
  local dir=$1 port=${2:-} attempt address
  command -v docker-registry >/dev/null || outpost_die "docker-registry is not installed (scripts/install-deps.sh)"
  mkdir -p "$dir/data"
  dir=$(realpath "$dir")
  for attempt in 1 2 3; do
    local chosen=${port:-$(outpost_free_port)}
    address="127.0.0.1:${chosen}"
    cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: $address
  secret: outpost-private-registry
EOF
    outpost_start_daemon "$dir/pid" "$dir/log" docker-registry serve "$dir/config.yml"
    if outpost_wait_for 15 "registry on $address" curl -sf -m 2 "http://$address/v2/"; then
      echo "$address" >"$dir/address"
      echo "$address"
      return 0
    fi
    outpost_stop_daemon "$dir/pid" docker-registry
    # A port picked as free may have been taken meanwhile; a port the caller chose is final.
    [[ -z $port ]] || break
    outpost_log "registry did not start (attempt $attempt): $(tail -n 3 "$dir/log" 2>/dev/null)"
  done
  outpost_die "registry did not start; log: $dir/log"
}

# outpost_registry_stop DIR [--keep]: stops it and removes DIR unless --keep.
outpost_registry_stop() {
  local dir=$1 keep=${2:-}
  [[ -d $dir ]] || return 0
  outpost_stop_daemon "$dir/pid" docker-registry
  [[ $keep == --keep ]] || rm -rf "$dir"
}

# ---------------------------------------------------------------------------------------------
# Engine: `podman system service` on DIR/podman.sock with storage in DIR/root and DIR/runroot.

# Podman's defaults do not work on every host: crun fails on hybrid cgroups, and the default
# nofile ulimit (1048576) can exceed the host's hard limit so that every container fails.
outpost_engine_write_config() {
  local dir=$1 registry=$2
  cat >"$dir/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
events_logger = "file"
EOF
  cat >"$dir/registries.conf" <<EOF
unqualified-search-registries = []

# The private registry speaks plain HTTP on loopback.
[[registry]]
location = "$registry"
insecure = true
EOF
}

# outpost_engine_podman DIR ARGS...: podman on this engine's storage and configuration.
outpost_engine_podman() {
  local dir=$1; shift
  CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_REGISTRIES_CONF="$dir/registries.conf" \
    podman --root "$dir/root" --runroot "$dir/runroot" "$@"
}

# outpost_engine_start DIR REGISTRY: prints the engine's socket path.
outpost_engine_start() {
  local dir=$1 registry=$2
  command -v podman >/dev/null || outpost_die "podman is not installed (scripts/install-deps.sh)"
  mkdir -p "$dir/root" "$dir/runroot"
  dir=$(realpath "$dir")
  local socket="$dir/podman.sock"
  ((${#socket} < 100)) || outpost_die "engine socket path too long for a unix socket: $socket"
  outpost_engine_write_config "$dir" "$registry"
  rm -f "$socket"
  CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_REGISTRIES_CONF="$dir/registries.conf" \
    outpost_start_daemon "$dir/pid" "$dir/log" \
    podman --root "$dir/root" --runroot "$dir/runroot" system service --time=0 "unix://$socket"
  if ! outpost_wait_for 30 "podman service on $socket" \
      curl -sf -m 2 --unix-socket "$socket" http://engine/_ping; then
    outpost_die "podman service did not start; log: $dir/log"
  fi
  echo "$socket"
}

# outpost_engine_remove_containers DIR [LABEL]: force-removes this engine's containers (those
# carrying LABEL, a key or key=value, if given) without waiting for a graceful stop.
outpost_engine_remove_containers() {
  local dir=$1 label=${2:-} ids
  [[ -d $dir/root ]] || return 0
  if [[ -n $label ]]; then
    ids=$(outpost_engine_podman "$dir" ps -aq --filter "label=$label")
  else
    ids=$(outpost_engine_podman "$dir" ps -aq)
  fi
  [[ -z $ids ]] && return 0
  # shellcheck disable=SC2086  # one id per word
  outpost_engine_podman "$dir" rm -f -t 0 $ids >/dev/null
}

# outpost_engine_stop DIR [--keep]: removes every container, stops the service, unmounts its
# storage and removes DIR unless --keep. Safe to call on a half-started or stopped engine.
outpost_engine_stop() {
  local dir=$1 keep=${2:-}
  [[ -d $dir ]] || return 0
  dir=$(realpath "$dir")
  outpost_engine_remove_containers "$dir" || outpost_log "could not remove every container of $dir"
  outpost_stop_daemon "$dir/pid" podman
  outpost_unmount_below "$dir"
  [[ $keep == --keep ]] || rm -rf "$dir"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  [[ $# -ge 1 ]] || outpost_die "usage: $0 FUNCTION ARGS... (e.g. outpost_engine_start DIR REGISTRY)"
  fn=$1; shift
  if [[ $fn != outpost_* ]] || ! declare -F "$fn" >/dev/null; then outpost_die "no such function: $fn"; fi
  "$fn" "$@"
fi
