"""Sites keep working without the tower: an agent killed with -9 adopts what runs, a site whose
tower is gone repairs its containers from its checkpoint, an engine wiped or restarted while the
tower is unreachable is refilled by the agent alone, a damaged checkpoint is recovered from the
tower, and the tower loses no acknowledged write when killed. Each case adds a row to the fault
report (harness.faults): containers as desired, unexpected restarts (0), lost writes (0).
Partitions in network namespaces are in test_partitions.py, full disks in test_full_disk.py."""
from __future__ import annotations

import threading
import time
import urllib.parse

from harness.faults import (assert_in_order, container_name, deploy, serving_site, site_events, snapshot,
                            started_at, stored_deployments)
from harness.fleet import running_ids, wait_site_serves
from harness.specs import site_ports
from harness.waiting import free_port, wait_until

APP = "shop-web"  # what harness.faults.deploy places


def test_killed_agent_adopts_running_containers_and_repairs_the_rest(make_site, cli, api, engine, images, registry,
                                                                      tmp_path, fault_report):
    case = fault_report.case("agent kill -9, worker removed, unknown container added")
    site = serving_site(make_site, cli, tmp_path, registry)
    before = running_ids(engine, site)
    web_started = started_at(engine, before["web"])
    snapshot_before = snapshot(engine, site.name)
    worker_name = container_name(engine, site, "worker")
    case.started = time.monotonic()

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

    make_site.restart_agent(site)

    def repaired() -> dict:
        ids = running_ids(engine, site)
        assert set(ids) == {"web", "worker"}, ids
        names = [c["Names"][0] for c in engine.site_containers(site.name)]
        assert not any("ghost" in name for name in names), names
        return ids
    after = wait_until(repaired, 60, "the agent to recreate the worker and remove the unknown container")
    case.recovered()
    case.check_restarts(snapshot_before, snapshot(engine, site.name), allowed={worker_name})
    assert after["web"] == before["web"], "the running web container was adopted, not replaced"
    assert started_at(engine, after["web"]) == web_started, "and not restarted"
    assert after["worker"] != before["worker"]
    status, _ = engine.request("GET", f"/containers/{ghost_id}/json")
    assert status == 404
    wait_site_serves(site, "1.0.0")
    case.check_writes([f"deployment {APP}"], stored_deployments(api))


def test_site_repairs_itself_while_the_tower_is_down(make_site, tower, cli, api, engine, images, registry,
                                                     tmp_path, fault_report):
    case = fault_report.case("tower down; worker killed, web removed")
    site = serving_site(make_site, cli, tmp_path, registry)
    before = running_ids(engine, site)

    case.started = time.monotonic()
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
    case.recovered()
    worker_started = started_at(engine, during["worker"])
    repaired = snapshot(engine, site.name)

    tower.start()
    make_site.wait_connected(site.name, site.host)

    def reported() -> bool:
        items = api.items(f"/v1/sites/{site.name}/instances")
        assert sorted((i["service"], i["state"]) for i in items) == [("web", "running"), ("worker", "running")], items
        worker = next(i for i in items if i["service"] == "worker")
        assert worker["restarts"] == 1, worker
        return True
    wait_until(reported, 60, "the reconnected agent to report both instances")
    case.check_restarts(repaired, snapshot(engine, site.name))  # reconnecting restarted nothing
    assert started_at(engine, during["worker"]) == worker_started
    case.check_writes([f"deployment {APP}"], stored_deployments(api))

    def delivered() -> list[str]:
        status, body = api.get(f"/v1/sites/{site.name}/events")
        assert status == 200, body
        kinds = [(e["kind"], e.get("instance", "")) for e in body["items"]]
        assert ("session-restored", "") in kinds, kinds
        return kinds
    kinds = wait_until(delivered, 30, "the events of the outage to reach the tower")
    outage = kinds[kinds.index(("session-lost", "")):]
    assert outage.index(("exited", "worker-0")) < outage.index(("started", "worker-0")) < \
        outage.index(("session-restored", "")), f"events out of order: {outage}"


def test_engine_emptied_while_the_tower_is_unreachable_is_refilled_from_the_checkpoint(make_site, tower, cli, api,
                                                                                       engine, images, registry,
                                                                                       tmp_path, fault_report):
    case = fault_report.case("tower down; engine wiped of every container (2 sites)")
    sites = [make_site(f"north-{n}", {"region": "north"}, site_ports(free_port)) for n in (1, 2)]
    deploy(cli, tmp_path, registry)
    for site in sites:
        wait_site_serves(site, "1.0.0")

    tower.kill()
    case.started = time.monotonic()
    engine.remove_owned_containers()  # as after a reboot that lost every container
    for site in sites:
        wait_site_serves(site, "1.0.0")
        assert set(running_ids(engine, site)) == {"web", "worker"}
    case.recovered()
    refilled = snapshot(engine, *(site.name for site in sites))
    tower.start()
    for site in sites:
        make_site.wait_connected(site.name, site.host)
    case.check_restarts(refilled, snapshot(engine, *(site.name for site in sites)))
    case.check_writes([f"deployment {APP}"], stored_deployments(api))


def test_engine_restarted_with_every_container_stopped_while_offline_comes_back(make_site, tower, cli, api, engine,
                                                                              images, registry, tmp_path,
                                                                              fault_report):
    """A reboot with the uplink down: the engine restarts with every container stopped, and the
    agent starts again with no tower to ask."""
    case = fault_report.case("reboot offline: engine restarted, containers stopped, agent restarted")
    site = serving_site(make_site, cli, tmp_path, registry)
    before = running_ids(engine, site)

    tower.kill()
    site.agents[-1].kill()
    case.started = time.monotonic()
    stopped = engine.podman("stop", "-t", "2", *before.values())
    assert stopped.returncode == 0, stopped.stderr
    engine.restart_service(registry)
    make_site.restart_agent(site, wait_connected=False)

    def back() -> dict:
        ids = running_ids(engine, site)
        assert set(ids) == {"web", "worker"}, ids
        return ids
    after = wait_until(back, 60, "the agent to start every container again from its checkpoint alone")
    wait_site_serves(site, "1.0.0")
    case.recovered()
    assert after == before, "the stopped containers were started again, not recreated"
    restarted = snapshot(engine, site.name)

    tower.start()
    make_site.wait_connected(site.name, site.host)
    wait_site_serves(site, "1.0.0")
    case.check_restarts(restarted, snapshot(engine, site.name))
    case.check_writes([f"deployment {APP}"], stored_deployments(api))


def test_corrupt_checkpoint_is_detected_and_the_tower_resends_everything(make_site, tower, cli, api, engine, images,
                                                                         registry, tmp_path, fault_report):
    """First with the tower down: the agent cannot recover, says so, and touches nothing. Then
    the tower returns and the agent takes its full state and adopts what runs."""
    case = fault_report.case("checkpoint damaged (one flipped byte), agent restarted, tower down")
    site = serving_site(make_site, cli, tmp_path, registry)
    before = running_ids(engine, site)
    snapshot_before = snapshot(engine, site.name)

    tower.kill()
    site.agents[-1].kill()
    checkpoint = make_site.data_dir(site.host) / "checkpoint"
    damaged = bytearray(checkpoint.read_bytes())
    damaged[-5] ^= 0xFF  # one flipped byte in the stored state
    checkpoint.write_bytes(bytes(damaged))
    case.started = time.monotonic()
    agent = make_site.restart_agent(site, wait_connected=False)

    wait_until(lambda: "checksum mismatch" in agent.log(), 30, "the agent to say its checkpoint is damaged")
    wait_until(lambda: agent.log().count("cannot connect") >= 4, 30,
               "the agent to try the tower four times (0.5 + 1 + 2 + 4 s: past a reconcile period)")
    assert "nothing is changed on this host until the tower sends the desired state again; still waiting for " \
           "the tower" in agent.log(), agent.log_tail()
    assert snapshot(engine, site.name) == snapshot_before, "an agent that cannot know what to run touches nothing"

    tower.start()
    make_site.wait_connected(site.name, site.host, agent)

    def rewritten() -> bool:
        text = checkpoint.read_text(errors="replace")
        assert '"' + APP + '"' in text and text != bytes(damaged).decode(errors="replace"), "not yet rewritten"
        return True
    wait_until(rewritten, 30, "the full state from the tower to be checkpointed again")
    case.recovered()
    assert running_ids(engine, site) == before, "what ran was adopted, nothing restarted"
    case.check_restarts(snapshot_before, snapshot(engine, site.name))
    case.check_writes([f"deployment {APP}"], stored_deployments(api))

    def told() -> list[str]:
        items, _ = site_events(api, site)
        kinds = [e["kind"] for e in items]
        assert "checkpoint-restored" in kinds, kinds
        return kinds
    kinds = wait_until(told, 30, "the agent's account of its damaged checkpoint to reach the tower")
    assert kinds.index("checkpoint-damaged") < kinds.index("checkpoint-restored")
    status, body = api.get(f"/v1/sites/{site.name}")
    assert status == 200 and all(host["problems"] == [] for host in body["hosts"]), body


def test_tower_killed_during_writes_loses_no_acknowledged_write(tower, api, fault_report):
    case = fault_report.case("tower kill -9 during a stream of writes")
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

    case.started = time.monotonic()
    tower.start()
    case.recovered()
    selector = urllib.parse.quote("batch = crash")
    stored = {site["name"] for site in api.items(f"/v1/sites?selector={selector}")}
    case.detail = f"{len(acknowledged)} writes acknowledged before the kill"
    case.check_writes(acknowledged, stored)


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


def test_events_kept_while_the_tower_is_down_arrive_in_order_and_the_overflow_is_counted(
        make_site, tower, cli, api, engine, images, registry, tmp_path, fault_report):
    case = fault_report.case("tower down; 3 rounds of crashes into a 10-event buffer")
    site = serving_site(make_site, cli, tmp_path, registry, agent_args=("--event-buffer", "10"))

    def both_ready() -> bool:
        items, _ = site_events(api, site)
        assert len([e for e in items if e["kind"] == "ready"]) == 2, items
        return True
    wait_until(both_ready, 30, "the first events to reach the tower")

    tower.kill()
    case.started = time.monotonic()
    ids = running_ids(engine, site)
    for round_ in range(3):  # each round: web and worker exit and start again: 4 events
        starts = {service: started_at(engine, ids[service]) for service in ids}
        for service in ids:
            assert engine.podman("kill", ids[service]).returncode == 0

        def restarted() -> bool:
            for service in ids:
                status, body = engine.request("GET", f"/containers/{ids[service]}/json")
                assert status == 200 and body["State"]["Running"], f"{service} not running yet"
                assert body["State"]["StartedAt"] != starts[service], f"{service} not restarted yet"
            return True
        wait_until(restarted, 60, f"round {round_ + 1}: both containers restarted in place")
    wait_site_serves(site, "1.0.0")
    case.recovered()
    repaired = snapshot(engine, site.name)

    tower.start()
    make_site.wait_connected(site.name, site.host)

    def delivered() -> tuple[list[dict], dict]:
        items, dropped = site_events(api, site)
        assert any(e["kind"] == "session-restored" for e in items), [e["kind"] for e in items]
        return items, dropped
    items, dropped = wait_until(delivered, 30, "the buffered events to reach the tower")
    # Delivered before the outage: the unbroken run of numbers from 1; the gap after it is what
    # the full buffer dropped.
    seqs = [e["seq"] for e in items]
    delivered_before = next(s for i, s in enumerate(seqs) if i + 1 == len(seqs) or seqs[i + 1] != s + 1)
    after_outage = [e for e in items if e["seq"] > delivered_before]
    assert after_outage, f"no gap in {seqs}: nothing was dropped"
    assert_in_order(after_outage)
    lost_to_overflow = after_outage[0]["seq"] - delivered_before - 1
    assert lost_to_overflow > 0, "14 events (12 of crashes, session lost and restored) cannot fit in 10"
    assert dropped.get(site.host) == lost_to_overflow, (dropped, delivered_before, after_outage[0])
    kinds = [e["kind"] for e in after_outage]
    assert len(after_outage) <= 10 + 1, f"more than the buffer held: {kinds}"
    assert kinds.count("exited") >= 2 and kinds.count("started") >= 2, f"the newest crashes are kept: {kinds}"
    shown = cli.ok("events", site.name, "--limit", "500").out
    assert f"host {site.host} dropped {lost_to_overflow} event(s)" in shown, shown
    assert "session-restored" in shown and "exited" in shown, shown
    case.detail = f"{lost_to_overflow} oldest events dropped and counted, {len(after_outage)} delivered in order"
    case.check_restarts(repaired, snapshot(engine, site.name))
    case.check_writes([f"deployment {APP}"], stored_deployments(api))
