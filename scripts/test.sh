#!/usr/bin/env bash
# The one test command: installs dependencies, builds, runs the unit tests (ctest), then the
# end-to-end tests (pytest: real tower, real agents, private Podman, loopback registry).
# Exits non-zero if any stage fails. Extra arguments go to pytest (e.g. -k test_cli).
#   OUTPOST_BUILD_DIR  build directory (default: build/ci; the demo builds in build/release)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
repo_root=$(pwd)
build_dir=${OUTPOST_BUILD_DIR:-build/ci}
results_dir="$repo_root/$build_dir/test-results"
python=/usr/bin/python3  # Debian's: the one python3-pytest is installed for

stages=()
results=()
record() { stages+=("$1"); results+=("$2"); }

banner() { printf '\n=== %s\n' "$*"; }

summary() {
  banner "summary"
  local i
  for i in "${!stages[@]}"; do
    printf '  %-12s %s\n' "${stages[$i]}" "${results[$i]}"
  done
  # One closing line with the counts of both test layers, read from their JUnit reports.
  "$python" - "$results_dir" <<'EOF'
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

passed = failed = skipped = 0
for report in sorted(Path(sys.argv[1]).glob("*.xml")):
    try:
        root = ET.parse(report).getroot()
    except (ET.ParseError, OSError):
        failed += 1
        continue
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for suite in suites:
        tests = int(suite.get("tests", 0))
        bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skip = int(suite.get("skipped", 0) or suite.get("disabled", 0))
        failed += bad
        skipped += skip
        passed += max(tests - bad - skip, 0)
print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
EOF
}

finish() {
  summary
  local result
  for result in "${results[@]}"; do
    [[ $result == ok ]] || exit 1
  done
  exit 0
}

rm -rf "$results_dir"
mkdir -p "$results_dir"

banner "dependencies"
if bash scripts/install-deps.sh; then record deps ok; else record deps FAILED; finish; fi

banner "build ($build_dir)"
if cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=CI &&
   ninja -C "$build_dir" -j2; then
  record build ok
else
  record build FAILED
  finish
fi

# The engine client's own tests talk to a real Podman too: a private engine and registry, torn
# down whatever happens.
banner "private engine for the engine client's tests"
# shellcheck source=scripts/lib/engine.sh
source scripts/lib/engine.sh
unit_engine_dir=$(mktemp -d /tmp/outpost-unit-engine.XXXXXX)
cleanup_unit_engine() {
  outpost_engine_stop "$unit_engine_dir/engine" >/dev/null 2>&1
  outpost_registry_stop "$unit_engine_dir/registry" >/dev/null 2>&1
  rm -rf "$unit_engine_dir"
}
trap cleanup_unit_engine EXIT
if registry=$(outpost_registry_start "$unit_engine_dir/registry") &&
   socket=$(outpost_engine_start "$unit_engine_dir/engine" "$registry") &&
   CONTAINERS_CONF="$unit_engine_dir/engine/containers.conf" \
   CONTAINERS_REGISTRIES_CONF="$unit_engine_dir/engine/registries.conf" \
   bash scripts/build-images.sh --root "$unit_engine_dir/engine/root" --runroot "$unit_engine_dir/engine/runroot" \
     --registry "$registry" >/dev/null; then
  export OUTPOST_TEST_ENGINE_SOCKET="$socket"
  export OUTPOST_TEST_IMAGE="$registry/outpost-demo/web:1.0.0"
  echo "outpost: engine $socket, image $OUTPOST_TEST_IMAGE"
else
  echo "outpost: could not start a private engine; the engine client's real-engine tests will fail"
  export OUTPOST_TEST_ENGINE_SOCKET="$unit_engine_dir/engine/missing.sock"
  export OUTPOST_TEST_IMAGE="missing"
fi

banner "unit tests (ctest)"
if ctest --test-dir "$build_dir" --output-on-failure --timeout 600 --no-tests=ignore \
     --output-junit "$results_dir/unit.xml"; then
  record unit ok
else
  record unit FAILED
fi

banner "end-to-end tests (pytest)"
export OUTPOST_BIN="$repo_root/$build_dir/outpost"
"$python" -m pytest tests/e2e -v --junitxml="$results_dir/e2e.xml" "$@"
code=$?
case $code in
  0) record e2e ok ;;
  5) echo "outpost: pytest collected no end-to-end test"; record e2e FAILED ;;
  *) record e2e FAILED ;;
esac

finish
