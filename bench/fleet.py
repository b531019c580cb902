#!/usr/bin/env python3
"""Fleet benchmark: one real tower driven by `outpost sim`, figures printed phase by phase.

    bench/fleet.py [--sites N] [--changes 1,5,20] [--idle 30] [--binary build/release/outpost]

Starts a tower in a temporary directory on a loopback port and `outpost sim` with N sites of
one host each, then prints:
  1. enrollment: sites created, enrolled, and every host holding a session (seconds, rate);
  2. tower resident memory and CPU with every session idle;
  3. fan-out: a first deployment on every site, then an update to a new version moving every
     site at once; per host the time from the apply until the host checkpointed the new
     desired state (it acknowledges at once), and until the new version runs (p50, p99, max),
     from the simulator's timing file rather than by polling the tower; tower memory and CPU;
  4. REST latency (keep-alive HTTPS) for reads and writes while every site is connected;
  5. bytes on the wire per host (payload of TCP, so TLS and WebSocket framing included, TCP/IP
     headers not), from the kernel's per-socket counters (`ss -ti`) of the tower's sockets:
     at enrollment (each host's session socket, which carried its enrollment too), idle per
     hour, per deployment update, and on reconnect after an outage with K changes.
Everything it starts is stopped and removed at the end, also on failure or Ctrl-C. Every wait
is bounded. Figures only: nothing here passes or fails on a time.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_resources(pid: int) -> tuple[int, float]:
    """(resident KiB, CPU seconds so far) of one process."""
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return rss, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def percentiles(values: list[float]) -> str:
    if not values:
        return "no samples"
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (f"p50 {statistics.median(ordered):.3f}  p99 {p99:.3f}  max {ordered[-1]:.3f}"
            f"  (n={len(ordered)})")


class Tower:
    def __init__(self, binary: Path, work: Path):
        self.port = free_port()
        self.data = work / "tower"
        self.log = open(work / "tower.log", "w")
        self.process = subprocess.Popen(
            [str(binary), "tower", "--data", str(self.data), "--listen", f"127.0.0.1:{self.port}",
             "--log-level", "warn"], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while not (self.data / "admin.token").exists():
            if time.time() > deadline or self.process.poll() is not None:
                raise RuntimeError("the tower did not start; see tower.log")
            time.sleep(0.1)
        time.sleep(0.5)
        self.token = (self.data / "admin.token").read_text().strip()
        context = ssl.create_default_context(cafile=None)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # loopback benchmark; the CLI verifies the CA itself
        self.connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=context, timeout=60)

    def request(self, method: str, path: str, body: str | None = None,
                content_type: str = "application/json") -> tuple[int, object, float]:
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": content_type})
        response = self.connection.getresponse()
        raw = response.read()
        took = time.perf_counter() - started
        return response.status, json.loads(raw) if raw else None, took

    def ok(self, method: str, path: str, body: str | None = None, content_type: str = "application/json"):
        status, payload, _ = self.request(method, path, body, content_type)
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {payload}")
        return payload

    def resources(self) -> tuple[int, float]:
        return process_resources(self.process.pid)

    def socket_bytes(self) -> list[tuple[int, int]]:
        """(bytes sent, bytes received) by the tower over each established socket, from TCP_INFO."""
        self.connection.close()  # the benchmark's own REST connection is not a session
        out = subprocess.run(["ss", "-tinH", "state", "established", f"( sport = :{self.port} )"],
                             capture_output=True, text=True, timeout=60).stdout
        sockets: list[str] = []
        for line in out.splitlines():  # a socket's line, then its indented TCP_INFO line
            if line[:1].isspace() and sockets:
                sockets[-1] += line
            else:
                sockets.append(line)
        counted = []
        for text in sockets:
            sent, received = re.search(r"bytes_acked:(\d+)", text), re.search(r"bytes_received:(\d+)", text)
            counted.append((int(sent.group(1)) if sent else 0, int(received.group(1)) if received else 0))
        return counted

    def session_bytes(self) -> tuple[int, int]:
        """(bytes sent, bytes received) by the tower over its established sockets, from TCP_INFO."""
        counted = self.socket_bytes()
        return sum(sent for sent, _ in counted), sum(received for _, received in counted)

    def sessions(self) -> int:
        self.connection.close()
        out = subprocess.run(["ss", "-tnH", "state", "established", f"( sport = :{self.port} )"],
                             capture_output=True, text=True, timeout=60).stdout
        return len(out.splitlines())

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


class TimingLog:
    """What the simulated hosts saw, from `outpost sim --timing-file`: one line per change of a
    host's checkpointed revision or running images, stamped by the simulator's clock when it
    noticed (it looks every 50 ms). Read incrementally as the simulator appends."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0
        self.partial = ""
        self.revision: dict[str, int] = {}

    def read(self) -> list[tuple[int, str, int, list[str]]]:
        if not self.path.exists():
            return []
        with open(self.path) as f:
            f.seek(self.offset)
            chunk = f.read()
            self.offset = f.tell()
        lines = (self.partial + chunk).split("\n")
        self.partial = lines.pop()
        events = []
        for line in lines:
            stamp, host, revision, images = line.split("\t")
            self.revision[host] = int(revision)
            events.append((int(stamp), host, int(revision), [] if images == "-" else images.split(",")))
        return events


class Simulator:
    def __init__(self, binary: Path, work: Path, hosts: Path, sites: int, concurrency: int):
        self.binary, self.work, self.hosts, self.sites, self.concurrency = binary, work, hosts, sites, concurrency
        self.env = dict(os.environ, OUTPOST_CONFIG=str(work / "cli-config"))
        self.log_path = work / "sim.log"
        self.process: subprocess.Popen | None = None
        self.runs = 0
        self.timing: TimingLog | None = None

    def start(self):
        """Starts the simulator; each run writes its own timing file (the agents' view)."""
        self.runs += 1
        timing_path = self.work / f"timing-{self.runs}.tsv"
        self.timing = TimingLog(timing_path)
        self.log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [str(self.binary), "sim", "--sites", str(self.sites), "--duration", "3600s",
             "--work-dir", str(self.hosts), "--enroll-concurrency", str(self.concurrency),
             "--timing-file", str(timing_path)],
            stdout=self.log, stderr=subprocess.STDOUT, env=self.env)

    def enrolled_line(self) -> str:
        lines = [l for l in self.log_path.read_text().splitlines() if l.startswith("enrolled")]
        return lines[-1] if lines else ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.log.close()


def wait_for(what: str, predicate, timeout: float, every: float = 0.25):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise RuntimeError(f"gave up after {timeout:.0f} s waiting for {what}")


def image(name: str, version: str) -> str:
    return f"registry.example/{name}:{version}"


def application(name: str, version: str) -> str:
    return (f"kind: application\nname: {name}\nversion: {version}\nservices:\n  - name: main\n"
            f"    containers:\n      - name: main\n        image: {image(name, version)}\n")


def deployment(name: str, version: str, sites: int) -> str:
    return (f"kind: deployment\nname: {name}\napplication: {name}\nversion: {version}\n"
            f"placement: {{sites: sim = true}}\n"
            f"rollout: {{sites-in-parallel: {sites}, healthy-for: 0s}}\n")


def fan_out(tower: Tower, sim: Simulator, documents: str, image: str, sites: int, timeout: float) -> None:
    """Times one apply on the agents' side: per host, from just before the request until it has
    checkpointed a newer desired state (it acknowledges at once) and until `image` runs."""
    timing = sim.timing
    timing.read()
    before = dict(timing.revision)
    bytes_before = tower.session_bytes()
    rss_before, cpu_before = tower.resources()
    sim_cpu_before = process_resources(sim.process.pid)[1]
    acked: dict[str, float] = {}
    running: dict[str, float] = {}
    started_ns = time.time_ns()
    started = time.perf_counter()
    tower.ok("POST", "/v1/apply", documents, "application/yaml")
    answered = time.perf_counter() - started
    peak_rss = rss_before
    deadline = time.time() + timeout
    while (len(acked) < sites or len(running) < sites) and time.time() < deadline:
        for stamp, host, revision, images in timing.read():
            seconds = (stamp - started_ns) / 1e9
            if host not in acked and revision > before.get(host, 0):
                acked[host] = seconds
            if host not in running and image in images:
                running[host] = seconds
        peak_rss = max(peak_rss, tower.resources()[0])
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    rss_after, cpu_after = tower.resources()
    sim_cpu = process_resources(sim.process.pid)[1] - sim_cpu_before
    bytes_after = tower.session_bytes()
    first = min(acked.values(), default=float("nan"))
    print(f"  the apply answered after {answered:.3f} s; the first host checkpointed at {first:.3f} s")
    print(f"  checkpointed by the host (acknowledged)  {percentiles(list(acked.values()))} s  ({len(acked)}/{sites})")
    print(f"  {image} running  {percentiles(list(running.values()))} s  ({len(running)}/{sites})")
    print(f"  tower: {rss_after / 1024:.0f} MiB resident (peak seen {peak_rss / 1024:.0f} MiB), "
          f"CPU {100 * (cpu_after - cpu_before) / elapsed:.0f}% of one core over {elapsed:.1f} s")
    # CPU time varies less than wall time on a shared machine: the work each host costs.
    print(f"  CPU per host until every host ran it: tower {1e6 * (cpu_after - cpu_before) / sites:.0f} µs, "
          f"simulator {1e6 * sim_cpu / sites:.0f} µs")
    sent, received = bytes_after[0] - bytes_before[0], bytes_after[1] - bytes_before[1]
    print(f"  bytes per host: {sent / sites:.0f} to the host, {received / sites:.0f} from it")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--changes", default="1,5,20", help="K values of the reconnect-after-outage phase")
    parser.add_argument("--idle", type=float, default=30, help="seconds of the idle window")
    parser.add_argument("--enroll-concurrency", type=int, default=32)
    parser.add_argument("--binary", type=Path, default=Path(os.environ.get("OUTPOST_BIN", ROOT / "build/release/outpost")))
    args = parser.parse_args()
    if not args.binary.is_file():
        print(f"no outpost binary at {args.binary}: build it with\n  cmake -S . -B build/release -G Ninja "
              "-DCMAKE_BUILD_TYPE=Release && ninja -C build/release outpost", file=sys.stderr)
        return 2
    changes = [int(k) for k in args.changes.split(",") if k]
    n = args.sites
    timeout = 120 + n * 0.05
    work = Path(tempfile.mkdtemp(prefix="outpost-fleet-bench-"))
    # The simulated hosts' identities and checkpoints (five small files each) go to memory when
    # there is a tmpfs, so that creating 50,000 files does not time the benchmark's own disk.
    hosts = Path(tempfile.mkdtemp(prefix="outpost-fleet-hosts-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    tower = sim = None
    try:
        tower = Tower(args.binary, work)
        subprocess.run([str(args.binary), "login", f"https://127.0.0.1:{tower.port}", "--data", str(tower.data)],
                       env=dict(os.environ, OUTPOST_CONFIG=str(work / "cli-config")), check=True,
                       capture_output=True, timeout=30)
        print(f"fleet benchmark: {n} sites of one host, tower on loopback port {tower.port}")

        print("1. enrollment")
        sim = Simulator(args.binary, work, hosts, n, args.enroll_concurrency)
        started = time.perf_counter()
        tower_cpu_before = tower.resources()[1]
        sim.start()
        # The simulator's own progress first: listing 10,000 sockets with `ss` twice a second
        # takes CPU from the tower and the simulator, which share this machine.
        wait_for(f"{n} enrollments", lambda: sim.enrolled_line().startswith(f"enrolled {n}/{n} "), timeout, every=0.2)
        wait_for(f"{n} sessions", lambda: tower.sessions() >= n, timeout, every=0.5)
        all_sessions = time.perf_counter() - started
        print(f"  {sim.enrolled_line()}")
        print(f"  every host holding a session {all_sessions:.1f} s after the start ({n / all_sessions:.0f} sites/s)")
        # Each host enrolled on the connection its session now holds, so its socket's counters are
        # the enrollment: handshake, request and answer, upgrade, hello, first state and reports,
        # and the pings since. The median socket is a site's; the simulator's own API
        # connections (sites created, join tokens) are a few sockets among N and do not move it.
        per_socket = tower.socket_bytes()
        print(f"  bytes per host at enrollment (median socket): "
              f"{statistics.median(sent for sent, _ in per_socket):.0f} to the host, "
              f"{statistics.median(received for _, received in per_socket):.0f} from it")
        print(f"  CPU per host: tower {1e3 * (tower.resources()[1] - tower_cpu_before) / n:.2f} ms, "
              f"simulator {1e3 * process_resources(sim.process.pid)[1] / n:.2f} ms")

        print(f"2. idle, {args.idle:.0f} s window")
        time.sleep(5)  # first status reports and events settle
        rss0, cpu0 = tower.resources()
        sim_idle0 = process_resources(sim.process.pid)[1]
        bytes0 = tower.session_bytes()
        time.sleep(args.idle)
        rss1, cpu1 = tower.resources()
        sim_idle1 = process_resources(sim.process.pid)[1]
        bytes1 = tower.session_bytes()
        print(f"  tower: {rss1 / 1024:.0f} MiB resident ({rss1 / n:.0f} KiB per site), "
              f"CPU {100 * (cpu1 - cpu0) / args.idle:.1f}% of one core")
        # What the simulated agents cost while idle is taken from the cores the fan-out shares.
        print(f"  simulator: CPU {100 * (sim_idle1 - sim_idle0) / args.idle:.1f}% of one core "
              f"({1e6 * (sim_idle1 - sim_idle0) / args.idle / n:.1f} µs per host per second)")
        per_hour = 3600 / args.idle
        print(f"  bytes per host per idle hour: {(bytes1[0] - bytes0[0]) * per_hour / n:.0f} to the host, "
              f"{(bytes1[1] - bytes0[1]) * per_hour / n:.0f} from it")

        print("3. fan-out: first deployment on every site")
        fan_out(tower, sim, application("fleet", "1.0.0") + "---\n" + deployment("fleet", "1.0.0", n),
                image("fleet", "1.0.0"), n, timeout)
        time.sleep(3)
        print("   fan-out: update to 2.0.0, every site at once")
        fan_out(tower, sim, application("fleet", "2.0.0") + "---\n" + deployment("fleet", "2.0.0", n),
                image("fleet", "2.0.0"), n, timeout)

        print("4. REST latency with every site connected (one keep-alive connection)")
        reads = {"GET /v1/sites/NAME": [], "GET /v1/sites?limit=100": [], "GET /v1/deployments/fleet": []}
        writes: list[float] = []
        for i in range(100):
            site = f"sim-{random.randint(1, n):06d}"
            reads["GET /v1/sites/NAME"].append(tower.request("GET", f"/v1/sites/{site}")[2] * 1000)
            reads["GET /v1/sites?limit=100"].append(tower.request("GET", "/v1/sites?limit=100")[2] * 1000)
            reads["GET /v1/deployments/fleet"].append(tower.request("GET", "/v1/deployments/fleet")[2] * 1000)
            status, _, took = tower.request("PATCH", f"/v1/sites/{site}", json.dumps({"labels": {"bench": str(i)}}))
            if status != 200:
                raise RuntimeError(f"PATCH /v1/sites/{site}: {status}")
            writes.append(took * 1000)
            time.sleep(0.02)
        for name, values in reads.items():
            print(f"  {name:<28} {percentiles(values)} ms")
        print(f"  {'PATCH /v1/sites/NAME':<28} {percentiles(writes)} ms (a label: the site is placed again)")

        print("5. reconnect after an outage with K changes (bytes per host, whole new session until acknowledged)")
        for k in [0] + changes:
            sim.stop()
            wait_for("the sessions to close", lambda: tower.sessions() == 0, 60, every=0.5)
            sim.timing.read()
            before = dict(sim.timing.revision)
            for i in range(k):
                name = f"change-{k}-{i}"
                tower.ok("POST", "/v1/apply", application(name, "1.0.0") + "---\n" + deployment(name, "1.0.0", n),
                         "application/yaml")
            time.sleep(1)
            started = time.perf_counter()
            sim.start()
            if k == 0:
                wait_for("every session", lambda: tower.sessions() >= n, timeout, every=0.5)
            else:
                acked: set[str] = set()

                def all_acknowledged() -> bool:
                    for _, host, revision, _ in sim.timing.read():
                        if revision > before.get(host, 0):
                            acked.add(host)
                    return len(acked) >= n
                wait_for("every host to acknowledge", all_acknowledged, timeout, every=0.2)
            took = time.perf_counter() - started
            sent, received = tower.session_bytes()
            print(f"  K={k:<3} {sent / n:8.0f} to the host, {received / n:8.0f} from it; "
                  f"every host acknowledged {took:.1f} s after the agents restarted")
        return 0
    finally:
        if sim:
            sim.stop()
        if tower:
            tower.stop()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(hosts, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
