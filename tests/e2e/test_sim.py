"""`outpost sim`: simulated sites (the real agent code over a simulated engine) enroll with join
tokens, hold sessions, take a deployment and report it running, and the simulator stops by
itself after --duration."""
from __future__ import annotations

from harness.processes import Daemon
from harness.waiting import wait_until

APP = """
kind: application
name: kiosk
version: 1.0.0
services:
  - name: web
    replicas: 2
    containers:
      - {name: web, image: "registry.local/kiosk/web:1"}
---
kind: deployment
name: kiosk
application: kiosk
version: 1.0.0
placement: {sites: "sim = true and fleet = test"}
"""


def test_simulated_sites_enroll_take_a_deployment_and_stop_by_themselves(outpost_bin, tower, cli, api, tmp_path):
    (tmp_path / "kiosk.yaml").write_text(APP)
    cli.ok("apply", "-f", tmp_path / "kiosk.yaml")
    sim = Daemon("sim", [outpost_bin, "sim", "--sites", "8", "--hosts-per-site", "2", "--label", "fleet=test",
                         "--duration", "25s"], tmp_path / "sim.log", env=cli.env())
    try:
        def all_running() -> bool:
            items = api.items("/v1/instances")
            running = [i for i in items if i["app"] == "kiosk" and i["state"] == "running"]
            assert len(running) == 16, f"{len(running)} of 16 instances running"  # 8 sites × 2 replicas
            assert {i["site"] for i in running} == {f"sim-{n:06d}" for n in range(1, 9)}
            return True
        wait_until(all_running, 30, "every simulated site to run its two kiosk instances")
        sites = api.items("/v1/sites?selector=sim%20%3D%20true")
        assert len(sites) == 8 and all(s["connection"]["state"] == "connected" for s in sites), sites
        assert sim.wait_exit(40) == 0, sim.log_tail()
        log = sim.log()
        assert "sessions 16/16, containers running 16" in log, log
        assert "running up to 16 simulated hosts for 25 s" in log, log
        assert "simulation ended after 25 s" in log
    finally:
        sim.stop()


def test_simulated_sites_run_their_own_applications_fail_where_told_and_time_each_change(outpost_bin, tower, cli, api, tmp_path):
    timing = tmp_path / "timing.tsv"
    sim = Daemon("sim", [outpost_bin, "sim", "--sites", "4", "--prefix", "simx", "--apps-per-site", "2",
                         "--failing", "25", "--threads", "2", "--timing-file", timing, "--duration", "25s"],
                 tmp_path / "sim.log", env=cli.env())
    try:
        def settled() -> bool:
            items = [i for i in api.items("/v1/instances") if i["site"].startswith("simx-")]
            assert len(items) == 8, f"{len(items)} of 8 instances reported"  # 4 sites × 2 applications
            running = {(i["site"], i["app"]) for i in items if i["state"] == "running"}
            healthy_sites = ["simx-000001", "simx-000002", "simx-000003"]
            assert running == {(s, f"simx-app-{n}") for s in healthy_sites for n in (1, 2)}, running
            broken = [i for i in items if i["site"] == "simx-000004"]
            assert all(i["state"] != "running" for i in broken), broken
            return True
        wait_until(settled, 30, "three simulated sites to run both applications and the fourth to fail them")

        # The timing file: per host, each change of its checkpointed revision or running images.
        last = {}
        for line in timing.read_text().splitlines():
            stamp, host, revision, images = line.split("\t")
            assert int(stamp) > 0
            last[host] = (int(revision), images)
        assert set(last) == {f"simx-{n:06d}/h1" for n in range(1, 5)}, last
        for n in range(1, 4):
            revision, images = last[f"simx-{n:06d}/h1"]
            assert revision > 0
            assert images == "registry.local/sim/simx-app-1:1,registry.local/sim/simx-app-2:1"
        revision, images = last["simx-000004/h1"]
        assert revision > 0 and images == "-"
        assert sim.wait_exit(40) == 0, sim.log_tail()
        assert "sessions 4/4, containers running 6" in sim.log(), sim.log()
    finally:
        sim.stop()


def test_a_simulation_whose_duration_ends_while_sites_enroll_stops_cleanly(outpost_bin, tower, cli, tmp_path):
    # One site at a time: 600 enrollments take longer than the one-second duration, so it ends
    # with enrollments under way, which is not a failure.
    sim = Daemon("sim", [outpost_bin, "sim", "--sites", "600", "--enroll-concurrency", "1", "--duration", "1s"],
                 tmp_path / "sim.log", env=cli.env())
    try:
        assert sim.wait_exit(120) == 0, sim.log_tail()
        log = sim.log()
        assert "simulation ended after 1 s" in log, log
        assert "enrolled 600/600" not in log, "every site enrolled within the duration: the test proves nothing"
    finally:
        sim.stop()
