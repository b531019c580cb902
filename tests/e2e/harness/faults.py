"""What every fault case measures: are the containers running as desired after the fault, how
many containers that were already right were restarted or replaced anyway (must be 0), and how
many acknowledged writes were lost (must be 0). Each case adds a row to the suite's report,
printed at the end of the run."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from . import specs
from .engine import Engine
from .fleet import wait_site_serves
from .sites import Site
from .tower import Api, Cli
from .waiting import free_port

APP = "shop-web"


def deploy(cli: Cli, tmp_path, registry, sites: str = "region = north", version: str = "1.0.0") -> None:
    """The test application APP at `version` on the sites the expression selects."""
    path = tmp_path / f"app-{version}.yaml"
    path.write_text(specs.to_yaml(specs.application(APP, version, registry.address),
                                  specs.deployment(APP, APP, version, sites)))
    cli.ok("apply", "-f", path)


def serving_site(make_site, cli: Cli, tmp_path, registry, name: str = "north-1", **site_options) -> Site:
    """A site labelled region=north with its own ports (make_site's options otherwise), APP
    deployed at 1.0.0 and served on both of its ports."""
    site = make_site(name, {"region": "north"}, specs.site_ports(free_port), **site_options)
    deploy(cli, tmp_path, registry)
    wait_site_serves(site, "1.0.0")
    return site


def started_at(engine: Engine, container_id: str) -> str:
    status, body = engine.request("GET", f"/containers/{container_id}/json")
    assert status == 200, body
    return body["State"]["StartedAt"]


def container_name(engine: Engine, site: Site, service: str) -> str:
    return next(c["Names"][0].lstrip("/") for c in engine.site_containers(site.name)
                if c["Labels"].get("outpost.service") == service)


def stored_deployments(api: Api) -> set[str]:
    """"deployment NAME" for every deployment the tower holds, to check acknowledged writes by."""
    return {f"deployment {d['name']}" for d in api.items("/v1/deployments")}


def site_events(api: Api, site: Site) -> tuple[list[dict], dict]:
    """The site's events as the tower stored them (oldest first) and its dropped counts."""
    status, body = api.get(f"/v1/sites/{site.name}/events?limit=500")
    assert status == 200, f"GET events of {site.name}: {status} {body}"
    return body["items"], body.get("dropped", {})


def assert_in_order(events: list[dict]) -> None:
    """One host's events: numbered without gaps and never going back in time."""
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), f"gaps or disorder in {seqs}"
    times = [e["time"] for e in events]
    assert times == sorted(times), f"events out of time order: {times}"

# {container name: (id, started at)} of the given sites' containers.
Snapshot = dict[str, tuple[str, str]]


def snapshot(engine: Engine, *site_names: str) -> Snapshot:
    taken: Snapshot = {}
    for site in site_names:
        for container in engine.site_containers(site):
            status, body = engine.request("GET", f"/containers/{container['Id']}/json")
            if status != 200:
                continue  # removed between list and inspect
            taken[body["Name"].lstrip("/")] = (body["Id"], body["State"]["StartedAt"])
    return taken


def changed(before: Snapshot, after: Snapshot, allowed: set[str] = frozenset()) -> list[str]:
    """Containers of `before` that are gone, replaced or restarted in `after`, except `allowed`
    (those the fault itself hit and that had to come back)."""
    return sorted(name for name, identity in before.items()
                  if name not in allowed and after.get(name) != identity)


@dataclass
class FaultCase:
    name: str
    started: float = field(default_factory=time.monotonic)
    recovery_seconds: float | None = None
    as_desired: bool = False
    unexpected_restarts: int | None = None
    lost_writes: int | None = None
    detail: str = ""

    def recovered(self) -> None:
        """The site is back as desired: the time since the fault began is the recovery time."""
        self.recovery_seconds = time.monotonic() - self.started
        self.as_desired = True

    def check_restarts(self, before: Snapshot, after: Snapshot, allowed: set[str] = frozenset()) -> None:
        restarted = changed(before, after, allowed)
        self.unexpected_restarts = len(restarted)
        assert not restarted, f"{self.name}: restarted or replaced although already right: {restarted}"

    def check_writes(self, acknowledged: list[str], present: set[str]) -> None:
        lost = [write for write in acknowledged if write not in present]
        self.lost_writes = len(lost)
        assert not lost, f"{self.name}: {len(lost)} of {len(acknowledged)} acknowledged writes lost: {lost[:5]}"


class FaultReport:
    def __init__(self) -> None:
        self.cases: list[FaultCase] = []

    def case(self, name: str) -> FaultCase:
        case = FaultCase(name)
        self.cases.append(case)
        return case

    def lines(self) -> list[str]:
        def show(value) -> str:
            if value is None:
                return "-"
            return f"{value:.1f}" if isinstance(value, float) else str(value)

        rows = [("case", "as desired", "recovery s", "unexpected restarts", "acknowledged writes lost", "detail")]
        rows += [(c.name, "yes" if c.as_desired else "NO", show(c.recovery_seconds), show(c.unexpected_restarts),
                  show(c.lost_writes), c.detail) for c in self.cases]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
        return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1] for row in rows]
