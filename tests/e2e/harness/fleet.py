"""What a user can observe of a site: its pages on published ports and its containers."""
from __future__ import annotations

import urllib.request

from .engine import Engine
from .sites import Site
from .specs import SERVICES
from .waiting import wait_until

CONVERGE_TIMEOUT = 120  # pull + create + start per site is seconds; rollouts may pace sites
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def page(port: int | str) -> str:
    with _opener.open(f"http://127.0.0.1:{port}/", timeout=3) as response:
        return response.read().decode(errors="replace").strip()


def parse_page(text: str) -> dict[str, str]:
    """"site=a version=1.0.0 service=web image=1.0.0" -> {"site": "a", ...}"""
    return dict(part.split("=", 1) for part in text.split() if "=" in part)


def expect_page(port: int | str, **expected: str) -> dict[str, str]:
    fields = parse_page(page(port))
    wrong = {key: fields.get(key) for key, value in expected.items() if fields.get(key) != value}
    assert not wrong, f"page on port {port} is {fields}, expected {expected}"
    return fields


def service_port(site: Site, service: str) -> str:
    return site.vars[SERVICES[service][1]]


def wait_site_serves(site: Site, version: str, timeout: float = CONVERGE_TIMEOUT) -> None:
    """Waits until every service of the test application answers on the site's ports with this
    site's name and the version (in the page and in the image)."""
    for service in SERVICES:
        port = service_port(site, service)
        wait_until(lambda: expect_page(port, site=site.name, version=version, service=service, image=version),
                   timeout, f"{site.name}/{service} to serve version {version} on 127.0.0.1:{port}")


def running_ids(engine: Engine, site: Site) -> dict[str, str]:
    """{service: container id} of the site's running containers."""
    found = {}
    for container in engine.site_containers(site.name, running_only=True):
        found[container["Labels"].get("outpost.service", "?")] = container["Id"]
    return found


def describe(containers: list[dict]) -> list[str]:
    return [f"{(c.get('Names') or ['?'])[0]} {c.get('State')} {c.get('Image')}" for c in containers]


def wait_site_container_count(engine: Engine, site: Site, count: int, timeout: float = CONVERGE_TIMEOUT) -> None:
    """Waits until the site has exactly `count` containers in any state (old ones removed)."""
    def settled() -> bool:
        containers = engine.site_containers(site.name)
        assert len(containers) == count, f"{site.name} has {describe(containers)}"
        return True

    wait_until(settled, timeout, f"{site.name} to have exactly {count} containers")


def wait_site_empty(engine: Engine, site: Site, timeout: float = CONVERGE_TIMEOUT) -> None:
    def empty() -> bool:
        containers = engine.site_containers(site.name)
        assert not containers, f"{site.name} still has {describe(containers)}"
        return True

    wait_until(empty, timeout, f"{site.name} to run no container")


def assert_serves_nothing(site: Site) -> None:
    for service in SERVICES:
        port = service_port(site, service)
        try:
            text = page(port)
        except OSError:
            continue
        raise AssertionError(f"{site.name} answers on port {port}: {text!r}")
