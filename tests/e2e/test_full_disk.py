"""An agent whose disk fills up: it keeps its containers running and takes new desired states
from memory, says what is wrong, and catches up by itself once there is room again."""
from __future__ import annotations

import errno
import time

from harness.faults import APP, deploy, serving_site, site_events, snapshot, started_at
from harness.fleet import running_ids, wait_site_serves
from harness.waiting import wait_until


def fill(path) -> int:
    """Writes `path` until the file system is full; returns the bytes written."""
    written = 0
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as out:
        for _ in range(10_000):  # bounded: far more than the few MiB the data dir has
            try:
                written += out.write(chunk)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
                return written
    raise AssertionError(f"{path} never filled up")


def host_view(api, site) -> dict:
    status, body = api.get(f"/v1/sites/{site.name}")
    assert status == 200, body
    return next(h for h in body["hosts"] if h["name"] == site.host) | {"connection": body["connection"]}


def test_full_disk_degrades_the_agent_without_touching_its_containers(make_site, cli, api, engine, images,
                                                                      registry, tmp_path, fault_report):
    case = fault_report.case("agent disk full; worker killed; new version deployed meanwhile")
    # A small event buffer makes the journal rewrite its file often: appends alone may fit in
    # the slack of a page the file system already gave it, a rewrite needs new space.
    site = serving_site(make_site, cli, tmp_path, registry, data_size="4m", agent_args=("--event-buffer", "10"))
    acknowledged_before = host_view(api, site)["connection"]["acknowledged"]
    ids = running_ids(engine, site)

    filler = make_site.data_dir(site.host) / "filler"
    fill(filler)
    case.started = time.monotonic()
    worker_started = started_at(engine, ids["worker"])
    assert engine.podman("kill", ids["worker"]).returncode == 0
    wait_until(lambda: started_at(engine, ids["worker"]) != worker_started and running_ids(engine, site) == ids,
               60, "the worker to be restarted in place with the disk full")
    deploy(cli, tmp_path, registry, version="2.0.0")  # acknowledged by the tower; the site cannot checkpoint it
    wait_site_serves(site, "2.0.0")

    def degraded() -> dict:
        host = host_view(api, site)
        problems = " ".join(host.get("problems", []))
        assert "No space left on device" in problems, host
        assert "checkpoint cannot be written" in problems, host
        assert "keeping events in memory only" in problems, host
        return host
    host = wait_until(degraded, 30, "the host to report its full disk")
    assert host["connection"]["acknowledged"] == acknowledged_before, \
        "a revision that is not on the site's disk must not be acknowledged"
    assert site.agents[-1].alive(), "the agent degrades, it does not crash"
    full = snapshot(engine, site.name)

    filler.unlink()

    def recovered() -> dict:
        host = host_view(api, site)
        assert host.get("problems") == [], host
        assert host["connection"]["acknowledged"] > acknowledged_before, host
        return host
    wait_until(recovered, 45, "the agent to checkpoint and buffer on disk again once there is room")
    case.recovered()

    def told() -> list[str]:
        items, dropped = site_events(api, site)
        kinds = [e["kind"] for e in items]
        for kind in ("checkpoint-failed", "disk-degraded", "checkpoint-saved", "disk-recovered"):
            assert kind in kinds, (kind, kinds)
        assert dropped.get(site.host, 0) == 0, dropped
        return kinds
    kinds = wait_until(told, 30, "the events of the full disk to reach the tower")
    assert kinds.index("checkpoint-failed") < kinds.index("checkpoint-saved")

    # What reached the disk after recovery is complete: a restarted agent loads the revision the
    # tower saw acknowledged and adopts everything (a checkpoint still at 1.0.0 would replace
    # the containers twice).
    acknowledged = host_view(api, site)["connection"]["acknowledged"]
    agent = make_site.restart_agent(site)
    wait_site_serves(site, "2.0.0")
    case.check_restarts(full, snapshot(engine, site.name))
    on_disk = f"checkpoint loaded: revision {acknowledged} "
    case.check_writes([f"deployment {APP} 2.0.0 on the site's disk"],
                      {f"deployment {APP} 2.0.0 on the site's disk"} if on_disk in agent.log() else set())
