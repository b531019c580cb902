"""The harness itself: the private engine runs the demo image pulled from the loopback registry
exactly as an agent would drive it (Docker-compatible API over the engine's unix socket)."""
from __future__ import annotations

import urllib.parse

from harness.engine import OWNED_LABEL
from harness.fleet import expect_page
from harness.waiting import free_port, wait_until

SITE = "harness-check"


def pull(engine, reference: str) -> None:
    repository, tag = reference.rsplit(":", 1)
    query = urllib.parse.urlencode({"fromImage": repository, "tag": tag})
    status, body = engine.request("POST", f"/images/create?{query}", timeout=120)
    assert status == 200, f"pull {reference}: {status} {body}"


def run_web(engine, reference: str, version: str, port: int) -> str:
    pull(engine, reference)
    spec = {
        "Image": reference,
        "Env": [f"SITE={SITE}", f"VERSION={version}", "SERVICE=web", "PORT=8080"],
        "Labels": {OWNED_LABEL: SITE, "outpost.service": "web"},
        "ExposedPorts": {"8080/tcp": {}},
        "HostConfig": {"PortBindings": {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(port)}]}},
    }
    status, body = engine.request("POST", f"/containers/create?name={SITE}-{version}", spec)
    assert status == 201, f"create: {status} {body}"
    container_id = body["Id"]
    status, body = engine.request("POST", f"/containers/{container_id}/start")
    assert status == 204, f"start: {status} {body}"
    return container_id


def test_engine_runs_each_demo_image_version_from_the_registry(engine, images):
    try:
        for version in ("1.0.0", "2.0.0"):
            port = free_port()
            run_web(engine, images[version], version, port)
            wait_until(lambda: expect_page(port, site=SITE, version=version, service="web", image=version),
                       30, f"demo web {version} on port {port}")
        owned = engine.site_containers(SITE, running_only=True)
        assert len(owned) == 2, owned
    finally:
        engine.remove_owned_containers()
    assert engine.site_containers(SITE) == []


def test_demo_image_stops_gracefully_on_sigterm(engine, images):
    # A stop must not wait out the engine's grace period and SIGKILL (exit 137): the entrypoint
    # traps SIGTERM and exits 0, which keeps upgrades and deletions quick.
    try:
        port = free_port()
        container_id = run_web(engine, images["1.0.0"], "1.0.0", port)
        # Serving means the entrypoint runs and has set its trap: the stop then tests the image,
        # not how fast the engine gets a shell going.
        wait_until(lambda: expect_page(port, site=SITE, version="1.0.0"), 30, "demo web to serve")
        status, body = engine.request("POST", f"/containers/{container_id}/stop?t=20")
        assert status in (204, 304), f"stop: {status} {body}"
        status, body = engine.request("GET", f"/containers/{container_id}/json")
        assert status == 200, body
        assert body["State"]["Status"] == "exited"
        assert body["State"]["ExitCode"] == 0
    finally:
        engine.remove_owned_containers()


def test_engine_holds_no_leftover_containers(engine):
    # The engine's storage is its own, so the machine's containers never show up in it, and
    # every test removes what it created: the next test starts from an empty engine.
    result = engine.podman("ps", "-a", "--format", "{{.Names}}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"unexpected containers in the private engine: {result.stdout}"
