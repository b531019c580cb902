#!/usr/bin/env bash
# Installs everything Outpost needs to build, test and run its demo on Debian 12.
# Idempotent: packages already present are skipped by apt.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libssl-dev nlohmann-json3-dev libyaml-cpp-dev libsqlite3-dev
  libcli11-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  # the tower's memory allocator (docs/architecture.md)
  libjemalloc-dev
  # time zones of upgrade windows: the date/tz library reads the system tz database
  libhowardhinnant-date-dev tzdata
  # runtime parts: container engine, OCI registry, test images, HA store
  podman runc docker-registry busybox-static iproute2 iptables curl ca-certificates
  # end-to-end tests
  python3 python3-pytest python3-pytest-timeout python3-yaml
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "outpost: installing ${#missing[@]} Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "outpost: dependencies present"
