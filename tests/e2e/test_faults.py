"""Sites keep working without the tower: an agent killed with -9 adopts what runs, a site whose
tower is gone repairs its containers from its checkpoint, and an engine wiped while the tower
is unreachable is refilled by the agent alone. Each case counts unexpected restarts of the
containers that were already right: there must be none."""
from __future__ import annotations

import threading
import time
import urllib.parse

from harness import specs
from harness.fleet import running_ids, wait_site_serves
from harness.specs import site_ports
from harness.waiting import free_port, wait_until

APP = "shop-web"


def deploy(cli, tmp_path, registry, sites: str = "region = north") -> None:
    path = tmp_path / "app.yaml"
    path.write_text(specs.to_yaml(specs.application(APP, "1.0.0", registry.address),
                                  specs.deployment(APP, APP, "1.0.0", sites)))
    cli.ok("apply", "-f", path)


def started_at(engine, container_id: str) -> str:
    status, body = engine.request("GET", f"/containers/{container_id}/json")
    assert status == 200, body
    return body["State"]["StartedAt"]


def restart_agent(make_site, site):
    """kill -9 of the site's agent and a fresh start on the same data directory."""
    old = site.agents[-1]
    old.kill()
    agent = make_site.start_agent(site.name, "already-enrolled", site.host)
    site.agents.append(agent)
    make_site.wait_connected(site.name, site.host, agent)
    return agent


def test_killed_agent_adopts_running_containers_and_repairs_the_rest(make_site, cli, engine, images, registry,
                                                                      tmp_path):
    site = make_site("north-1", {"region": "north"}, site_ports(free_port))
    deploy(cli, tmp_path, registry)
    wait_site_serves(site, "1.0.0")
    before = running_ids(engine, site)
    web_started = started_at(engine, before["web"])

    site.agents[-1].kill()
    # While the agent is down: its worker disappears, and a container with its labels that its
    # checkpoint does not know appears.
    status, body = engine.request("DELETE", f"/containers/{before['worker']}?force=true")
    assert status in (200, 204), body
    ghost = {"Image": images["1.0.0"], "Labels": {"outpost.site": site.name, "outpost.host": site.host,
                                                   "outpost.app": "ghost", "outpost.instance": "ghost-0",
                                                   "outpost.container": "ghost", "outpost.spec-hash": "unknown"},
             "Env": ["PORT=8080"]}
    status, body = engine.request("POST", f"/containers/create?name=ghost-of-{site.name}", ghost)
    assert status == 201, body
    ghost_id = body["Id"]

    restart_agent(make_site, site)

    def repaired() -> dict:
        ids = running_ids(engine, site)
        assert set(ids) == {"web", "worker"}, ids
        names = [c["Names"][0] for c in engine.site_containers(site.name)]
        assert not any("ghost" in name for name in names), names
        return ids
    after = wait_until(repaired, 60, "the agent to recreate the worker and remove the unknown container")
    assert after["web"] == before["web"], "the running web container was adopted, not replaced"
    assert started_at(engine, after["web"]) == web_started, "and not restarted"
    assert after["worker"] != before["worker"]
    status, _ = engine.request("GET", f"/containers/{ghost_id}/json")
    assert status == 404
    wait_site_serves(site, "1.0.0")


def test_site_repairs_itself_while_the_tower_is_down(make_site, tower, cli, api, engine, images, registry,
                                                     tmp_path):
    site = make_site("north-1", {"region": "north"}, site_ports(free_port))
    deploy(cli, tmp_path, registry)
    wait_site_serves(site, "1.0.0")
    before = running_ids(engine, site)

    tower.kill()
    # The worker's process dies (restart: always) and the web container is removed outright.
    killed = engine.podman("kill", before["worker"])
    assert killed.returncode == 0, killed.stderr
    status, body = engine.request("DELETE", f"/containers/{before['web']}?force=true")
    assert status in (200, 204), body

    def recovered() -> dict:
        ids = running_ids(engine, site)
        assert set(ids) == {"web", "worker"}, ids
        return ids
    during = wait_until(recovered, 60, "the agent to restart the worker and recreate web with no tower")
    assert during["worker"] == before["worker"], "the worker was restarted in place"
    wait_site_serves(site, "1.0.0")
    worker_started = started_at(engine, during["worker"])

    tower.start()
    make_site.wait_connected(site.name, site.host)

    def reported() -> bool:
        items = api.items(f"/v1/sites/{site.name}/instances")
        assert sorted((i["service"], i["state"]) for i in items) == [("web", "running"), ("worker", "running")], items
        worker = next(i for i in items if i["service"] == "worker")
        assert worker["restarts"] == 1, worker
        return True
    wait_until(reported, 60, "the reconnected agent to report both instances")
    assert running_ids(engine, site) == during, "reconnecting restarted nothing"
    assert started_at(engine, during["worker"]) == worker_started


def test_engine_emptied_while_the_tower_is_unreachable_is_refilled_from_the_checkpoint(make_site, tower, cli,
                                                                                       engine, images, registry,
                                                                                       tmp_path):
    sites = [make_site(f"north-{n}", {"region": "north"}, site_ports(free_port)) for n in (1, 2)]
    deploy(cli, tmp_path, registry)
    for site in sites:
        wait_site_serves(site, "1.0.0")

    tower.kill()
    engine.remove_owned_containers()  # as after a reboot that lost every container
    for site in sites:
        wait_site_serves(site, "1.0.0")
        assert set(running_ids(engine, site)) == {"web", "worker"}


def test_corrupt_checkpoint_is_detected_and_the_tower_resends_everything(make_site, cli, engine, images,
                                                                         registry, tmp_path):
    site = make_site("north-1", {"region": "north"}, site_ports(free_port))
    deploy(cli, tmp_path, registry)
    wait_site_serves(site, "1.0.0")
    before = running_ids(engine, site)

    site.agents[-1].kill()
    checkpoint = tmp_path / "agents" / site.host / "checkpoint"
    damaged = bytearray(checkpoint.read_bytes())
    damaged[-5] ^= 0xFF  # one flipped byte in the stored state
    checkpoint.write_bytes(bytes(damaged))
    agent = restart_agent(make_site, site)

    wait_until(lambda: "checksum mismatch" in agent.log(), 30, "the agent to say its checkpoint is damaged")
    assert "asking the tower for the full desired state" in agent.log()

    def rewritten() -> bool:
        text = checkpoint.read_text(errors="replace")
        assert '"' + APP + '"' in text and text != bytes(damaged).decode(errors="replace"), "not yet rewritten"
        return True
    wait_until(rewritten, 30, "the full state from the tower to be checkpointed again")
    assert running_ids(engine, site) == before, "what ran was adopted, nothing restarted"


def test_tower_killed_during_writes_loses_no_acknowledged_write(tower, api):
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        for n in range(500):  # bounded: the tower is killed long before
            if stop.is_set():
                return
            try:
                status, _ = api.post("/v1/sites", {"name": f"w-{n}", "labels": {"batch": "crash"}}, timeout=5)
            except OSError:
                return  # the tower is gone mid-request: that write was never acknowledged
            if status == 201:
                acknowledged.append(f"w-{n}")

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    wait_until(lambda: len(acknowledged) >= 30, 60, "a stream of acknowledged writes")
    tower.kill()
    stop.set()
    thread.join(30)
    assert not thread.is_alive()

    tower.start()
    selector = urllib.parse.quote("batch = crash")
    stored = {site["name"] for site in api.items(f"/v1/sites?selector={selector}")}
    lost = [name for name in acknowledged if name not in stored]
    assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged writes lost: {lost[:5]}"


def test_site_shows_when_it_disconnected_and_raises_it_as_the_site_says(make_site, api):
    site = make_site("ship-1", {"region": "sea"})
    status, body = api.patch(f"/v1/sites/{site.name}", {"when-disconnected": "error"})
    assert status == 200, body
    assert body["connection"]["state"] == "connected" and body["connection"]["alert"] == "none", body
    assert body["connection"]["acknowledged"] > 0, "the agent acknowledged its desired state"

    stopped_at = int(time.time())
    site.agents[-1].stop()

    def disconnected() -> dict:
        status, body = api.get(f"/v1/sites/{site.name}")
        assert status == 200 and body["connection"]["state"] == "disconnected", body
        return body["connection"]
    connection = wait_until(disconnected, 30, "the tower to see the site disconnected")
    assert connection["since"] >= stopped_at - 1, connection
    assert connection["alert"] == "error"
    status, body = api.patch(f"/v1/sites/{site.name}", {"when-disconnected": "expected"})
    assert status == 200 and body["connection"]["alert"] == "none", body
