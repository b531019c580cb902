"""Health-gated rollouts over real sites: a good version goes canary first and then batch by
batch; a version that never becomes ready stops after the canary; a version that fails on the
second batch is rolled back everywhere; a container whose liveness fails is restarted.

Readiness is measured by real probes: HTTP against the published port, and `exec` inside the
container through the engine. Which sites a version breaks on is chosen with a site variable
(HEALTHY) that the version's exec readiness probe checks."""
from __future__ import annotations

import copy

from harness import specs
from harness.fleet import expect_page, service_port, wait_site_serves
from harness.specs import site_ports
from harness.waiting import free_port, wait_until

APP = "shop-web"
FAST_PROBE = {"period": "1s", "timeout": "2s", "failure-threshold": 2}


def apply(cli, tmp_path, *documents, name="spec.yaml"):
    path = tmp_path / name
    path.write_text(specs.to_yaml(*documents))
    return cli.ok("apply", "-f", path)


def app_with_probes(version: str, registry: str, image_version: str, readiness: dict,
                    liveness: dict | None = None) -> dict:
    app = specs.application(APP, version, registry, image_version=image_version)
    for service in app["services"]:
        container = service["containers"][0]
        container["env"]["HEALTHY"] = "${HEALTHY}"
        container["probes"] = {"readiness": on_port(readiness, container["ports"][0]["container"])}
        if liveness:
            container["probes"]["liveness"] = on_port(liveness, container["ports"][0]["container"])
    return app


def on_port(probe: dict, port: int) -> dict:
    """The probe aimed at the port this service's container listens on."""
    probe = copy.deepcopy(probe)
    for check in ("http", "tcp"):
        if check in probe:
            probe[check]["port"] = port
    return probe


def http_ready(path: str = "/healthz") -> dict:
    return {"http": {"path": path, "port": 0}, **FAST_PROBE}  # port: see on_port


def deployment(version: str, rollout: dict) -> dict:
    spec = specs.deployment(APP, APP, version, "region = north")
    spec["rollout"] = rollout
    return spec


def rollout(api) -> dict:
    status, body = api.get(f"/v1/deployments/{APP}/rollout")
    assert status == 200, f"GET rollout: {status} {body}"
    return body


def wait_phase(api, phases: set[str], timeout: float = 150) -> dict:
    def reached() -> dict:
        body = rollout(api)
        assert body["phase"] in phases, f"phase {body['phase']}; sites " + \
            str({name: site["state"] for name, site in body["sites"].items()})
        return body
    return wait_until(reached, timeout, f"rollout of {APP} to reach {sorted(phases)}")


def upgrade_order(body: dict) -> list[str]:
    return [event["site"] for event in body["events"] if event["kind"] == "site-upgrading"]


def make_north_sites(make_site, names_and_health: list[tuple[str, str, bool]]):
    sites = []
    for name, healthy, canary in names_and_health:
        labels = {"region": "north"}
        if canary:
            labels["canary"] = "true"
        sites.append(make_site(name, labels, {**site_ports(free_port), "HEALTHY": healthy}))
    return sites


def wait_instances_ready(api, site, version: str, timeout: float = 90) -> None:
    def ready() -> None:
        status, body = api.get(f"/v1/sites/{site.name}/instances")
        assert status == 200, body
        items = body["items"]
        assert len(items) == 2 and all(i["version"] == version and i["state"] == "running" and i["ready"]
                                       for i in items), [(i["service"], i["version"], i["state"], i["ready"])
                                                         for i in items]
        return True
    wait_until(ready, timeout, f"{site.name} to run {version}, every instance ready")


def deploy_first_version(cli, api, tmp_path, registry, sites, policy: dict) -> None:
    """1.0.0 with an HTTP readiness probe, serving on every site: where each test starts from."""
    apply(cli, tmp_path, app_with_probes("1.0.0", registry.address, "1.0.0", http_ready()),
          deployment("1.0.0", policy))
    for site in sites:
        wait_site_serves(site, "1.0.0")
    wait_phase(api, {"complete"})


def test_good_version_goes_canary_then_batches_to_complete(make_site, cli, api, images, registry, tmp_path):
    sites = make_north_sites(make_site, [("north-a", "yes", True), ("north-b", "yes", False),
                                         ("north-c", "yes", False), ("north-d", "yes", False)])
    policy = {"canary": {"sites": "canary = true", "healthy-for": "3s"}, "sites-in-parallel": 2,
              "healthy-for": "2s", "site-deadline": "60s", "on-failure": "rollback"}
    deploy_first_version(cli, api, tmp_path, registry, sites, policy)

    apply(cli, tmp_path, app_with_probes("2.0.0", registry.address, "2.0.0", http_ready()),
          deployment("2.0.0", policy), name="v2.yaml")
    body = wait_phase(api, {"complete"})
    assert body["from-version"] == "1.0.0" and body["to-version"] == "2.0.0"
    assert body["progress"]["done"] == 4 and body["progress"]["percent"] == 100, body["progress"]
    for site in sites:
        wait_site_serves(site, "2.0.0")

    kinds = [event["kind"] for event in body["events"]]
    assert kinds.index("canary-passed") < kinds.index("rollout-complete"), kinds
    order = upgrade_order(body)
    assert order[0] == "north-a", f"the canary goes first: {order}"
    assert sorted(order[1:]) == ["north-b", "north-c", "north-d"], order
    # Batches of two: the canary pass, then b and c together, then d after they were healthy.
    upgraded_at = {event["site"]: event["at"] for event in body["events"] if event["kind"] == "site-upgrading"}
    healthy_at = {event["site"]: event["at"] for event in body["events"] if event["kind"] == "site-healthy"}
    canary_passed = next(e["at"] for e in body["events"] if e["kind"] == "canary-passed")
    assert min(upgraded_at["north-b"], upgraded_at["north-c"]) >= canary_passed
    assert upgraded_at["north-d"] >= max(healthy_at["north-b"], healthy_at["north-c"]) + 2000

    shown = cli.ok("rollout", "status", APP).out
    assert "complete" in shown and "100%" in shown, shown


def test_unready_version_stops_after_the_canary_and_rolls_back_on_request(make_site, cli, api, images, registry,
                                                                         tmp_path):
    sites = make_north_sites(make_site, [("north-a", "yes", True), ("north-b", "yes", False),
                                         ("north-c", "yes", False), ("north-d", "yes", False)])
    policy = {"canary": {"sites": "canary = true", "healthy-for": "2s"}, "sites-in-parallel": 2,
              "healthy-for": "2s", "site-deadline": "10s", "on-failure": "pause"}
    deploy_first_version(cli, api, tmp_path, registry, sites, policy)

    # 2.0.0 probes a path the image does not serve: its containers run and are never ready.
    apply(cli, tmp_path, app_with_probes("2.0.0", registry.address, "2.0.0", http_ready("/missing")),
          deployment("2.0.0", policy), name="v2.yaml")
    body = wait_phase(api, {"paused"})
    assert body["sites"]["north-a"]["state"] == "failed", body["sites"]
    assert "not healthy on 2.0.0 within 10s" in body["sites"]["north-a"]["reason"]
    assert "canary site north-a failed" in body["paused-reason"], body["paused-reason"]
    assert upgrade_order(body) == ["north-a"], "nothing but the canary moved"
    for site in sites[1:]:
        assert body["sites"][site.name]["version"] == "1.0.0"
        expect_page(service_port(site, "web"), site=site.name, version="1.0.0")
    instances = api.items(f"/v1/sites/{sites[0].name}/instances")
    assert all(i["version"] == "2.0.0" and not i["ready"] for i in instances), instances
    assert any("HTTP 404" in (i.get("last_probe") or {}).get("message", "") for i in instances), instances

    cli.ok("rollout", "rollback", APP)
    body = wait_phase(api, {"rolled-back"})
    wait_site_serves(sites[0], "1.0.0")
    for site in sites:
        wait_instances_ready(api, site, "1.0.0")
    reasons = " | ".join(f"{e['kind']}: {e['reason']}" for e in body["events"])
    assert "rollback requested by a person" in reasons, reasons


def test_failure_in_the_second_batch_rolls_every_site_back(make_site, cli, api, images, registry, tmp_path):
    # Sites take their turn by name: a and b first, then c and d, where 2.0.0 is never ready.
    sites = make_north_sites(make_site, [("north-a", "yes", False), ("north-b", "yes", False),
                                         ("north-c", "no", False), ("north-d", "no", False)])
    exec_ready = {"exec": {"command": ["sh", "-c", 'test "$HEALTHY" = yes']}, **FAST_PROBE}
    policy = {"sites-in-parallel": 2, "healthy-for": "2s", "site-deadline": "10s",
              "max-failed-sites": 1, "on-failure": "rollback"}
    deploy_first_version(cli, api, tmp_path, registry, sites, policy)

    apply(cli, tmp_path, app_with_probes("2.0.0", registry.address, "2.0.0", exec_ready),
          deployment("2.0.0", policy), name="v2.yaml")
    body = wait_phase(api, {"rolled-back"})
    assert {name: site["version"] for name, site in body["sites"].items()} == {s.name: "1.0.0" for s in sites}
    kinds = [event["kind"] for event in body["events"]]
    assert "rollout-failed" in kinds and "rollback-complete" in kinds, kinds
    failed = next(e for e in body["events"] if e["kind"] == "rollout-failed")
    assert "2 site(s) failed, more than max-failed-sites 1" in failed["reason"], failed
    assert {e["site"] for e in body["events"] if e["kind"] == "site-failed"} == {"north-c", "north-d"}
    assert {e["site"] for e in body["events"] if e["kind"] == "site-healthy" and e["at"] > failed["at"] - 60_000} \
        >= {"north-a", "north-b"}
    for site in sites:
        wait_site_serves(site, "1.0.0")
        wait_instances_ready(api, site, "1.0.0")


def test_liveness_failure_restarts_the_container(make_site, cli, api, engine, images, registry, tmp_path):
    site = make_site("north-a", {"region": "north"}, {**site_ports(free_port), "HEALTHY": "yes"})
    liveness = {"http": {"path": "/healthz", "port": 0}, "period": "1s", "timeout": "2s", "failure-threshold": 2}
    app = app_with_probes("1.0.0", registry.address, "1.0.0", http_ready(), liveness=liveness)
    apply(cli, tmp_path, app, deployment("1.0.0", {}))
    wait_site_serves(site, "1.0.0")
    wait_instances_ready(api, site, "1.0.0")

    web = next(c for c in engine.site_containers(site.name, running_only=True)
               if c["Labels"]["outpost.service"] == "web")
    # The page's health file goes away: liveness fails, the agent restarts the container, and the
    # image's entrypoint writes the file again.
    removed = engine.podman("exec", web["Id"], "rm", "/www/healthz")
    assert removed.returncode == 0, removed.stderr

    def restarted() -> dict:
        item = next(i for i in api.items(f"/v1/sites/{site.name}/instances") if i["service"] == "web")
        assert item["restarts"] >= 1 and item["ready"], item
        return item
    item = wait_until(restarted, 60, "the web container to be restarted and ready again")
    assert item["container_id"] == web["Id"], "restarted in place, not replaced"
    worker = next(i for i in api.items(f"/v1/sites/{site.name}/instances") if i["service"] == "worker")
    assert worker["restarts"] == 0, worker
    expect_page(service_port(site, "web"), site=site.name, version="1.0.0")


def test_rollout_continues_where_it_was_after_a_tower_restart(make_site, tower, cli, api, images, registry,
                                                               tmp_path):
    sites = make_north_sites(make_site, [(f"north-{n}", "yes", False) for n in "abcd"])
    policy = {"sites-in-parallel": 1, "healthy-for": "4s", "site-deadline": "60s", "on-failure": "rollback"}
    deploy_first_version(cli, api, tmp_path, registry, sites, policy)
    apply(cli, tmp_path, app_with_probes("2.0.0", registry.address, "2.0.0", http_ready()),
          deployment("2.0.0", policy), name="v2.yaml")

    def midway() -> dict:
        body = rollout(api)
        states = [site["state"] for site in body["sites"].values()]
        assert states.count("healthy") >= 1 and states.count("waiting") >= 2, states
        return body
    before = wait_until(midway, 90, "the rollout to be midway")

    tower.kill()  # kill -9: nothing is flushed on the way out
    tower.start()
    body = wait_phase(api, {"complete"})
    assert body["started-at"] == before["started-at"], "the same rollout continued"
    assert body["events"][:len(before["events"])] == before["events"], "its history was kept"
    order = upgrade_order(body)
    assert sorted(order) == [s.name for s in sites], f"every site upgraded exactly once: {order}"
    for site in sites:
        wait_site_serves(site, "2.0.0")
