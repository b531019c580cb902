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
        assert "running 16 simulated hosts for 25 s" in log, log
        assert "simulation ended after 25 s" in log
    finally:
        sim.stop()
