"""Applications land on exactly the sites their deployment selects, follow label changes, upgrade
and go away again: checked on the pages the containers serve and in the engine itself."""
from __future__ import annotations

from harness import specs
from harness.fleet import (assert_serves_nothing, running_ids, wait_site_container_count,
                           wait_site_empty, wait_site_serves)
from harness.specs import example_spec, site_ports
from harness.waiting import free_port, wait_until

APP = "shop-web"


def apply_text(cli, tmp_path, text: str, name: str = "spec.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return cli.ok("apply", "-f", path)


def deployment_status(api, name: str) -> dict:
    status, body = api.get(f"/v1/deployments/{name}/status")
    assert status == 200, f"GET /v1/deployments/{name}/status: {status} {body}"
    return body


def wait_status_running(api, name: str, sites: list[str]) -> dict:
    def running() -> dict:
        body = deployment_status(api, name)
        states = {entry["site"]: entry["state"] for entry in body["sites"]}
        assert states == {site: "running" for site in sites}, f"site states {states}"
        return body

    return wait_until(running, 60, f"deployment {name} to report running on {sites}")


def test_apply_runs_on_matching_sites(make_site, cli, api, engine, images, registry, tmp_path):
    north_1 = make_site("shop-north-1", {"region": "north"}, site_ports(free_port))
    north_2 = make_site("shop-north-2", {"region": "north"}, site_ports(free_port))
    south = make_site("depot-south", {"region": "south"}, site_ports(free_port))

    # The example the demo uses, pointed at this test's registry.
    result = apply_text(cli, tmp_path, example_spec(registry.address))
    assert "shop-web" in result.out

    for site in (north_1, north_2):
        wait_site_serves(site, "1.0.0")
    status = wait_status_running(api, APP, [north_1.name, north_2.name])
    assert status["version"] == "1.0.0"

    for site in (north_1, north_2):
        containers = engine.site_containers(site.name, running_only=True)
        services = sorted(c["Labels"]["outpost.service"] for c in containers)
        assert services == ["web", "worker"], f"{site.name} runs {services}"
        assert {c["Labels"]["outpost.host"] for c in containers} == {site.host}
        assert {c["Labels"]["outpost.app"] for c in containers} == {APP}

    # The south site is enrolled and connected, and runs nothing.
    assert engine.site_containers(south.name) == []
    assert_serves_nothing(south)
    status, body = api.get(f"/v1/sites/{south.name}/instances")
    assert status == 200 and body["items"] == [], f"{status} {body}"

    status, body = api.get("/v1/instances?selector=region%20%3D%20north")
    assert status == 200, body
    reported = {(i["site"], i["service"], i["state"]) for i in body["items"]}
    assert reported == {(s.name, svc, "running") for s in (north_1, north_2) for svc in ("web", "worker")}


def test_new_version_replaces_containers(make_site, cli, api, engine, images, registry, tmp_path):
    sites = [make_site(f"north-{n}", {"region": "north"}, site_ports(free_port)) for n in (1, 2)]
    app_v1 = specs.application(APP, "1.0.0", registry.address)
    apply_text(cli, tmp_path, specs.to_yaml(app_v1, specs.deployment(APP, APP, "1.0.0", "region = north")))
    for site in sites:
        wait_site_serves(site, "1.0.0")
    before = {site.name: running_ids(engine, site) for site in sites}

    app_v2 = specs.application(APP, "2.0.0", registry.address)
    apply_text(cli, tmp_path, specs.to_yaml(app_v2, specs.deployment(APP, APP, "2.0.0", "region = north")),
               name="v2.yaml")
    for site in sites:
        wait_site_serves(site, "2.0.0")
    wait_status_running(api, APP, [site.name for site in sites])

    for site in sites:
        # The old containers are gone, not merely stopped beside the new ones.
        wait_site_container_count(engine, site, 2)
        after = running_ids(engine, site)
        assert sorted(after) == ["web", "worker"]
        assert not set(after.values()) & set(before[site.name].values()), \
            f"{site.name}: containers not replaced: before {before[site.name]}, after {after}"

    status, body = api.get(f"/v1/applications/{APP}")
    assert status == 200, body
    assert body["version"] == "2.0.0"
    assert body["versions"][:2] == ["2.0.0", "1.0.0"]


def test_label_change_moves_application(make_site, cli, api, engine, images, registry, tmp_path):
    leaving = make_site("shop-a", {"region": "north"}, site_ports(free_port))
    arriving = make_site("shop-b", {"region": "south"}, site_ports(free_port))
    app = specs.application(APP, "1.0.0", registry.address)
    apply_text(cli, tmp_path, specs.to_yaml(app, specs.deployment(APP, APP, "1.0.0", "region = north")))
    wait_site_serves(leaving, "1.0.0")
    assert engine.site_containers(arriving.name) == []

    cli.ok("sites", "label", leaving.name, "region=south")
    cli.ok("sites", "label", arriving.name, "region=north")

    wait_site_serves(arriving, "1.0.0")
    wait_site_empty(engine, leaving)
    assert_serves_nothing(leaving)
    wait_status_running(api, APP, [arriving.name])


def test_delete_deployment_removes_containers(make_site, cli, api, engine, images, registry, tmp_path):
    sites = [make_site(f"north-{n}", {"region": "north"}, site_ports(free_port)) for n in (1, 2)]
    app = specs.application(APP, "1.0.0", registry.address)
    # Through standard input this time, as in `... | outpost apply -f -`.
    cli.ok("apply", "-f", "-", input=specs.to_yaml(app, specs.deployment(APP, APP, "1.0.0", "has(region)")))
    for site in sites:
        wait_site_serves(site, "1.0.0")

    cli.ok("delete", "deployment", APP)

    for site in sites:
        wait_site_empty(engine, site)
        assert_serves_nothing(site)
    status, body = api.get(f"/v1/deployments/{APP}")
    assert status == 404, f"{status} {body}"
    # The application itself stays stored: only the deployment went.
    status, body = api.get(f"/v1/applications/{APP}")
    assert status == 200, f"{status} {body}"
    for site in sites:
        wait_until(lambda: api.get(f"/v1/sites/{site.name}/instances")[1]["items"] == [], 60,
                   f"{site.name} to report no instances")
