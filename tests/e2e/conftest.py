"""Fixtures of the end-to-end suite: a real tower, real agents, a private Podman and a registry.

Session-scoped: `registry`, `engine`, `images` (expensive, and shared safely because every
container a test creates is removed after it). Function-scoped: `tower`, `cli`, `api`,
`make_site`, so every test starts from an empty tower.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.engine import Engine, Registry, build_images, run_engine_lib
from harness.faults import FaultReport
from harness.paths import outpost_binary
from harness.sites import SiteFactory
from harness.tower import Api, Cli, Tower
from harness.waiting import wait_until as _wait_until


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Lets fixtures see at teardown whether the test failed, to print the logs that explain it.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


_fault_report = FaultReport()


def pytest_terminal_summary(terminalreporter) -> None:
    if _fault_report.cases:
        terminalreporter.section("fault suite")
        for line in _fault_report.lines():
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def fault_report() -> FaultReport:
    """`fault_report.case(name)`: a row of the fault suite's report (see harness.faults)."""
    return _fault_report


def _failed(request) -> bool:
    return any(getattr(getattr(request.node, f"rep_{when}", None), "failed", False) for when in ("setup", "call"))


def _show(title: str, text: str) -> None:
    print(f"\n===== {title}\n{text}")


@pytest.fixture(scope="session")
def outpost_bin() -> Path:
    binary = outpost_binary()
    if not (binary.is_file() and binary.stat().st_mode & 0o111):
        pytest.fail(f"outpost binary not found at {binary}: build it (cmake + ninja) or set OUTPOST_BIN",
                    pytrace=False)
    return binary


@pytest.fixture(scope="session")
def container_tools() -> None:
    missing = [tool for tool in ("podman", "docker-registry") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (scripts/install-deps.sh installs them); "
                    "tests that run containers cannot run")


@pytest.fixture(scope="session")
def registry(container_tools, tmp_path_factory):
    state_dir = tmp_path_factory.mktemp("registry")
    try:
        yield Registry.start(state_dir)
    finally:
        run_engine_lib("outpost_registry_stop", str(state_dir))


@pytest.fixture(scope="session")
def engine(container_tools, registry, tmp_path_factory):
    state_dir = tmp_path_factory.mktemp("engine")
    try:
        yield Engine.start(state_dir, registry)
    finally:
        run_engine_lib("outpost_engine_stop", str(state_dir), timeout=300)


@pytest.fixture(scope="session")
def images(engine, registry) -> dict[str, str]:
    """{"1.0.0": "127.0.0.1:PORT/outpost-demo/web:1.0.0", "2.0.0": ...}, pushed to the registry."""
    built = build_images(engine, registry)
    assert sorted(built) == ["1.0.0", "2.0.0"], f"build-images.sh produced {built}"
    assert sorted(registry.tags("outpost-demo/web")) == ["1.0.0", "2.0.0"]
    return built


@pytest.fixture
def cli_config(tmp_path) -> Path:
    return tmp_path / "cli" / "config"


@pytest.fixture
def tower_options() -> dict:
    """Keyword arguments of the test's Tower (host, args); a module overrides this fixture to
    run its tower elsewhere or with other options."""
    return {}


@pytest.fixture
def tower(outpost_bin, tmp_path, cli_config, tower_options, request):
    """A started tower on a free loopback port, with the CLI logged in to it."""
    started = Tower(outpost_bin, tmp_path, **tower_options)
    try:
        started.start()
        Cli(outpost_bin, cli_config).ok("login", started.url, "--data", started.data_dir)
        yield started
    finally:
        if _failed(request):
            _show(f"tower log ({started.log_path})", started.log_tail())
        started.stop()


@pytest.fixture
def cli(outpost_bin, tower, cli_config) -> Cli:
    """`cli("get", "sites")` -> (rc, out, err); `cli.ok(...)` also asserts exit 0."""
    return Cli(outpost_bin, cli_config)


@pytest.fixture
def api(tower) -> Api:
    """REST client with the tower's CA and the admin token; methods return (status, json)."""
    return tower.api()


@pytest.fixture
def make_site(outpost_bin, tower, cli, api, engine, tmp_path, request):
    """`make_site(name, labels, vars)`: creates the site, issues a token, starts its agent
    (host NAME-h1) and waits until it is connected. Teardown stops every agent it started and
    removes every container agents created."""
    factory = SiteFactory(outpost_bin, tower, cli, api, engine, tmp_path)
    try:
        yield factory
    finally:
        if _failed(request):
            _show("agent logs", factory.logs())
        factory.stop_all()
        engine.remove_owned_containers()


@pytest.fixture(scope="session")
def wait_until():
    """`wait_until(predicate, timeout, what)`: bounded polling; see harness.waiting."""
    return _wait_until
