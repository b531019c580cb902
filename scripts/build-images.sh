#!/usr/bin/env bash
# Builds Outpost's demo image and pushes it to a registry:
#   REGISTRY/outpost-demo/web:1.0.0 and :2.0.0
# A busybox root filesystem (no base image, no network) whose entrypoint /bin/outpost-demo-web
# serves one page naming the site, version and service it runs as. The two versions differ only
# by /etc/demo-version, so an upgrade is visible on the page.
#
# usage: scripts/build-images.sh --root DIR --runroot DIR --registry 127.0.0.1:PORT [--keep-local]
#   --root/--runroot  the podman storage to build in (never the machine's own storage)
#   --keep-local      keep the built images in that storage; by default they are removed after
#                     the push, so an engine using the same storage has to pull them for real.
# CONTAINERS_CONF / CONTAINERS_REGISTRIES_CONF are honoured if set.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

root="" runroot="" registry="" keep_local=false
while (($#)); do
  case $1 in
    --root) root=$2; shift 2 ;;
    --runroot) runroot=$2; shift 2 ;;
    --registry) registry=$2; shift 2 ;;
    --keep-local) keep_local=true; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) outpost_die "unknown argument: $1 (see --help)" ;;
  esac
done
[[ -n $root && -n $runroot && -n $registry ]] || outpost_die "--root, --runroot and --registry are required (see --help)"

busybox=/bin/busybox
[[ -x $busybox ]] || outpost_die "$busybox missing: install busybox-static"
# A dynamically linked busybox would find no libc inside the image.
if readelf -l "$busybox" 2>/dev/null | grep -q 'INTERP'; then
  outpost_die "$busybox is dynamically linked: install busybox-static"
fi

podman_cmd=(podman --root "$root" --runroot "$runroot")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The entrypoint. SITE, VERSION and SERVICE come from the application spec (set there to
# ${SYS_SITE}, ${SYS_VERSION}, ${SYS_SERVICE}); PORT picks the listening port. httpd runs as a
# child so that the shell, as PID 1, can honour SIGTERM and a stop takes no grace period.
write_entrypoint() {
  cat >"$1" <<'EOF'
#!/bin/sh
port="${PORT:-8080}"
image_version="$(cat /etc/demo-version 2>/dev/null || echo unknown)"
mkdir -p /www
echo "site=${SITE:-} version=${VERSION:-} service=${SERVICE:-} image=${image_version}" >/www/index.html
echo ok >/www/healthz
echo "outpost-demo-web: serving site=${SITE:-} version=${VERSION:-} service=${SERVICE:-} on port ${port}"
# The trap comes first: a stop that arrives while httpd is starting still ends in exit 0.
child=""
trap 'if [ -n "${child}" ]; then kill "${child}" 2>/dev/null; wait "${child}"; fi; exit 0' TERM INT
httpd -f -p "${port}" -h /www &
child=$!
wait "${child}"
EOF
  chmod 0755 "$1"
}

make_rootfs() {
  local rootfs=$1 version=$2
  mkdir -p "$rootfs"/{bin,etc,tmp,www}
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  # Every applet as a relative symlink; one process instead of hundreds of `ln` forks.
  "$busybox" --list | python3 -c '
import os, sys
bin_dir = sys.argv[1]
for applet in sys.stdin.read().split():
    if applet != "busybox":
        os.symlink("busybox", os.path.join(bin_dir, applet))
' "$rootfs/bin"
  write_entrypoint "$rootfs/bin/outpost-demo-web"
  printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  echo "$version" >"$rootfs/etc/demo-version"
}

for version in 1.0.0 2.0.0; do
  image="$registry/outpost-demo/web:$version"
  rootfs="$work/rootfs-$version"
  make_rootfs "$rootfs" "$version"
  # Fixed order, owners and times: the same inputs give the same layer digest on every build.
  tar -C "$rootfs" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - . |
    "${podman_cmd[@]}" import --quiet \
      --change 'CMD ["/bin/outpost-demo-web"]' \
      --change 'ENV PATH=/bin' \
      --change 'EXPOSE 8080' \
      --change "LABEL org.opencontainers.image.version=$version" \
      - "$image" >/dev/null
  "${podman_cmd[@]}" push --quiet --tls-verify=false "$image" "docker://$image"
  $keep_local || "${podman_cmd[@]}" rmi "$image" >/dev/null
  echo "$image"
done
