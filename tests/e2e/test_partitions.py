"""A site behind a cut link: its agent runs in a network namespace of the test's own, reaching
the tower over a veth pair whose host side the test takes down (packets vanish, nobody is told)
and brings back. The site must repair itself meanwhile, take what changed while it was away
without restarting what was already right, and deliver what happened in order."""
from __future__ import annotations

import time

import pytest

from harness import specs
from harness.faults import assert_in_order, serving_site, site_events, snapshot, started_at, stored_deployments
from harness.fleet import running_ids, wait_site_serves
from harness.netns import NetworkLink
from harness.waiting import wait_until

SESSION_TIMEOUT = ("--session-timeout", "6")  # both ends notice a dead link within 6 s


@pytest.fixture
def link():
    with NetworkLink.create() as created:
        yield created


@pytest.fixture
def tower_options(link) -> dict:
    """The tower listens on the host side of the link: the site reaches it only through the veth."""
    return {"host": link.host_address, "args": SESSION_TIMEOUT}


def tools_application(registry: str) -> str:
    app = {"kind": "application", "name": "shop-tools", "version": "1.0.0", "services": [{
        "name": "tool", "replicas": 1, "containers": [{
            "name": "tool", "image": specs.image(registry, "1.0.0"), "restart": "always",
            "env": {"SITE": "${SYS_SITE}", "VERSION": "1.0.0", "SERVICE": "tool", "PORT": "7070"}}]}]}
    return specs.to_yaml(app, specs.deployment("shop-tools", "shop-tools", "1.0.0", "region = north"))


def connection(api, site) -> dict:
    status, body = api.get(f"/v1/sites/{site.name}")
    assert status == 200, body
    return body["connection"]


def test_partitioned_site_repairs_itself_and_reconnects_without_churn(link, make_site, tower, cli, api, engine,
                                                                      images, registry, tmp_path, fault_report):
    case = fault_report.case("partition (veth cut); worker killed; second app deployed meanwhile")
    site = serving_site(make_site, cli, tmp_path, registry, netns=link, agent_args=SESSION_TIMEOUT)
    ids = running_ids(engine, site)
    worker_started = started_at(engine, ids["worker"])
    acknowledged_before = connection(api, site)["acknowledged"]

    link.cut()
    case.started = time.monotonic()
    assert engine.podman("kill", ids["worker"]).returncode == 0

    def worker_back() -> bool:
        assert running_ids(engine, site) == ids, running_ids(engine, site)
        assert started_at(engine, ids["worker"]) != worker_started, "not restarted yet"
        return True
    wait_until(worker_back, 60, "the cut-off site to restart its worker in place")
    wait_site_serves(site, "1.0.0")

    wait_until(lambda: connection(api, site)["state"] == "disconnected", 30,
               "the tower to notice the silent link")
    # A write the tower acknowledges while the site cannot hear it.
    path = tmp_path / "tools.yaml"
    path.write_text(tools_application(registry.address))
    cli.ok("apply", "-f", path)
    assert not [c for c in engine.site_containers(site.name) if c["Labels"].get("outpost.app") == "shop-tools"]
    during = snapshot(engine, site.name)

    link.restore()
    restored_at = time.monotonic()
    cut_for = restored_at - case.started
    make_site.wait_connected(site.name, site.host, timeout=60)
    reconnected_after = time.monotonic() - restored_at

    def tools_running() -> bool:
        tools = [c for c in engine.site_containers(site.name, running_only=True)
                 if c["Labels"].get("outpost.app") == "shop-tools"]
        assert len(tools) == 1, tools
        return True
    wait_until(tools_running, 60, "the change made during the partition to reach the site")
    wait_site_serves(site, "1.0.0")
    case.recovered()
    case.check_restarts(during, snapshot(engine, site.name))
    case.check_writes(["deployment shop-tools"], stored_deployments(api))
    assert connection(api, site)["acknowledged"] > acknowledged_before

    def story() -> list[dict]:
        items, dropped = site_events(api, site)
        assert dropped.get(site.host, 0) == 0, dropped
        kinds = [e["kind"] for e in items]
        assert "created" in kinds[kinds.index("session-restored"):], kinds
        return items
    items = wait_until(story, 30, "the events of the partition to reach the tower")
    assert_in_order(items)
    worker = "worker-0"
    position = {(e["kind"], e.get("instance", "")): i for i, e in enumerate(items)}
    restored = position[("session-restored", "")]
    assert position[("session-lost", "")] < restored
    assert position[("exited", worker)] < position[("started", worker)] < restored
    assert restored < position[("desired", "")], "the new desired state came after the reconnect"
    case.detail = (f"link down {cut_for:.0f} s, session back {reconnected_after:.1f} s after the link; "
                   f"{len(items)} events delivered in order, 0 dropped")
