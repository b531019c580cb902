# Shared helpers for Outpost's scripts. Source it; it defines functions only.
# shellcheck shell=bash

outpost_log() { printf 'outpost: %s\n' "$*" >&2; }
outpost_die() { printf 'outpost: error: %s\n' "$*" >&2; exit 1; }

# Repository root, whatever the caller's working directory.
outpost_repo_root() { (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd); }

# A TCP port on 127.0.0.1 that nothing listens on right now.
outpost_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# outpost_wait_for SECONDS WHAT CMD...: runs CMD every 0.2 s until it succeeds; fails after
# SECONDS with WHAT in the message, so no wait can hang a script.
outpost_wait_for() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      outpost_log "timed out after ${seconds}s waiting for ${what}"
      return 1
    fi
    sleep 0.2
  done
}

# outpost_start_daemon PIDFILE LOGFILE CMD...: runs CMD in its own session (so its whole process
# group can be stopped later) with output to LOGFILE, and records its pid.
outpost_start_daemon() {
  local pidfile=$1 logfile=$2; shift 2
  setsid "$@" >"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

# outpost_stop_daemon PIDFILE NAME: stops the process group recorded in PIDFILE if its leader is
# still the program NAME (a stale pid file must not make us signal somebody else's process).
outpost_stop_daemon() {
  local pidfile=$1 name=$2 pid i
  [[ -f $pidfile ]] || return 0
  pid=$(<"$pidfile")
  rm -f "$pidfile"
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$name"; then
    return 0
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

# Unmounts every mount point below DIR, deepest first (container storage leaves bind mounts).
outpost_unmount_below() {
  local dir mount_point
  dir=$(realpath -m "$1")
  awk -v prefix="${dir}/" 'index($5, prefix) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r mount_point; do
    umount "$mount_point" 2>/dev/null || umount -l "$mount_point" 2>/dev/null || true
  done
}
