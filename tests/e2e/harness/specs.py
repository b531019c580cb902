"""Application and deployment specifications used by the end-to-end tests.

The test application mirrors examples/demo-app.yaml: two services from the demo image, `web`
published on the site variable ${WEB_PORT} and `worker` on ${WORKER_PORT}.
"""
from __future__ import annotations

from typing import Any

import yaml

from .paths import EXAMPLES

# The registry address written in examples/demo-app.yaml (the demo runs its registry there).
EXAMPLE_REGISTRY = "127.0.0.1:5000"
SERVICES = {"web": ("8080", "WEB_PORT"), "worker": ("9090", "WORKER_PORT")}


def example_spec(registry: str) -> str:
    """examples/demo-app.yaml, pointing at the test's own registry."""
    return (EXAMPLES / "demo-app.yaml").read_text().replace(EXAMPLE_REGISTRY, registry)


def image(registry: str, version: str) -> str:
    return f"{registry}/outpost-demo/web:{version}"


def application(name: str, version: str, registry: str, image_version: str | None = None) -> dict[str, Any]:
    services = []
    for service, (port, port_var) in SERVICES.items():
        services.append({
            "name": service,
            "replicas": 1,
            "containers": [{
                "name": service,
                "image": image(registry, image_version or version),
                "env": {"SITE": "${SYS_SITE}", "VERSION": "${SYS_VERSION}",
                        "SERVICE": "${SYS_SERVICE}", "PORT": port},
                "ports": [{"container": int(port), "host": "${" + port_var + "}"}],
                "restart": "always",
            }],
        })
    return {"kind": "application", "name": name, "version": version, "services": services}


def deployment(name: str, app: str, version: str, sites: str) -> dict[str, Any]:
    return {"kind": "deployment", "name": name, "application": app, "version": version,
            "placement": {"sites": sites}}


def to_yaml(*documents: dict[str, Any]) -> str:
    """A multi-document YAML stream, as a user would write for `outpost apply -f`."""
    return yaml.safe_dump_all(list(documents), sort_keys=False, default_flow_style=False)


def site_ports(free_port) -> dict[str, str]:
    """Site variables giving a site its own published ports."""
    return {port_var: str(free_port()) for _, port_var in SERVICES.values()}
