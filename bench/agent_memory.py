#!/usr/bin/env python3
"""Agent memory benchmark: one real agent beside a real Podman, running five containers, idle.

    bench/agent_memory.py [--containers 5] [--idle 30] [--agent outpost-agent|"outpost agent"]

Starts a private Podman and a loopback registry (the end-to-end suite's harness), builds the demo
image, starts a tower and one site whose agent runs an application of N one-container services,
waits until all N run, lets the agent idle, and prints its resident memory (VmRSS, VmHWM) and the
breakdown from /proc/PID/smaps_rollup, sampled over the idle window. Everything it starts is
stopped and removed at the end, also on failure. Figures only: nothing passes or fails.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from harness.engine import Engine, Registry, build_images, run_engine_lib  # noqa: E402
from harness.sites import SiteFactory  # noqa: E402
from harness.specs import to_yaml  # noqa: E402
from harness.tower import Cli, Tower  # noqa: E402
from harness.waiting import wait_until  # noqa: E402


def application(image: str, services: int) -> dict:
    return {"kind": "application", "name": "footprint", "version": "1.0.0",
            "services": [{"name": f"s{i}", "replicas": 1,
                          "containers": [{"name": "main", "image": image, "restart": "always",
                                          "env": {"PORT": str(8080 + i), "SERVICE": f"s{i}"}}]}
                         for i in range(1, services + 1)]}


def memory(pid: int) -> dict[str, int]:
    """KiB figures of the process: VmRSS and VmHWM from status, the rest from smaps_rollup."""
    figures: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:", "RssAnon:", "RssFile:")):
            name, value = line.split(":", 1)
            figures[name] = int(value.split()[0])
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        if name in ("Pss", "Private_Dirty", "Shared_Clean", "Private_Clean"):
            figures[name] = int(value.split()[0])
    return figures


def by_mapping(pid: int) -> list[tuple[int, str]]:
    """(resident KiB, file or [anon]/[heap]/[stack]) per mapped object, largest first."""
    totals: dict[str, int] = {}
    name = "[anon]"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if fields and "-" in fields[0] and len(fields) >= 5 and ":" not in fields[0]:
            name = fields[5] if len(fields) > 5 else "[anon]"
        elif fields and fields[0] == "Rss:":
            totals[name] = totals.get(name, 0) + int(fields[1])
    return sorted(((kib, Path(name).name if name.startswith("/") else name) for name, kib in totals.items()),
                  reverse=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--containers", type=int, default=5)
    parser.add_argument("--idle", type=float, default=30, help="seconds of the idle window")
    parser.add_argument("--binary", type=Path, default=Path(os.environ.get("OUTPOST_BIN", ROOT / "build/release/outpost")))
    parser.add_argument("--agent", choices=["outpost-agent", "outpost agent"], default="outpost-agent",
                        help="the agent binary beside --binary, or the all-in-one binary's agent command")
    args = parser.parse_args()
    agent_binary = args.binary.parent / "outpost-agent" if args.agent == "outpost-agent" else None
    if not args.binary.is_file():
        print(f"no outpost binary at {args.binary}: build it with\n  cmake -S . -B build/release -G Ninja "
              "-DCMAKE_BUILD_TYPE=Release && ninja -C build/release outpost", file=sys.stderr)
        return 2
    for tool in ("podman", "docker-registry"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed: scripts/install-deps.sh installs it", file=sys.stderr)
            return 2
    work = Path(tempfile.mkdtemp(prefix="outpost-agent-memory-"))
    registry = engine = tower = sites = None
    try:
        registry = Registry.start(work / "registry")
        engine = Engine.start(work / "engine", registry)
        image = build_images(engine, registry)["1.0.0"]
        tower = Tower(args.binary, work)
        tower.start()
        cli = Cli(args.binary, work / "cli" / "config")
        cli.ok("login", tower.url, "--data", tower.data_dir)
        sites = SiteFactory(args.binary, tower, cli, tower.api(), engine, work, agent_binary=agent_binary)
        site = sites("footprint-1", {"bench": "memory"})
        spec = work / "footprint.yaml"
        spec.write_text(to_yaml(application(image, args.containers),
                                {"kind": "deployment", "name": "footprint", "application": "footprint",
                                 "version": "1.0.0", "placement": {"sites": "bench = memory"}}))
        started = time.perf_counter()
        cli.ok("apply", "-f", spec)
        wait_until(lambda: len(engine.site_containers(site.name, running_only=True)) == args.containers, 180,
                   f"{args.containers} containers running")
        print(f"agent memory benchmark: `{args.agent}`, {args.containers} containers of {image.split('/', 1)[1]} "
              f"running {time.perf_counter() - started:.1f} s after the apply")
        pid = site.agents[0].pid
        print(f"  after start-up: {memory(pid)['VmRSS'] / 1024:.1f} MiB resident")
        samples = []
        deadline = time.time() + args.idle
        while time.time() < deadline:
            samples.append(memory(pid))
            time.sleep(1)
        last = samples[-1]
        rss = [s["VmRSS"] for s in samples]
        print(f"  idle {args.idle:.0f} s: VmRSS min {min(rss) / 1024:.1f}, max {max(rss) / 1024:.1f}, "
              f"last {last['VmRSS'] / 1024:.1f} MiB; peak ever (VmHWM) {last['VmHWM'] / 1024:.1f} MiB")
        print(f"  last sample, KiB: anonymous {last['RssAnon']}, file-backed {last['RssFile']} "
              f"(shared clean {last['Shared_Clean']}, private clean {last['Private_Clean']}), "
              f"private dirty {last['Private_Dirty']}, PSS {last['Pss']}")
        print("  resident KiB by mapping: " + ", ".join(f"{name} {kib}" for kib, name in by_mapping(pid)[:10]))
        return 0
    finally:
        if sites:
            sites.stop_all()
        if engine:
            engine.remove_owned_containers()
        if tower:
            tower.stop()
        if engine:
            run_engine_lib("outpost_engine_stop", str(work / "engine"), timeout=300)
        if registry:
            run_engine_lib("outpost_registry_stop", str(work / "registry"))
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
