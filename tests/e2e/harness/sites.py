"""Sites as a site provider makes them: create with the CLI, issue a join token, start an agent."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .engine import Engine
from .processes import Daemon
from .tower import Api, Cli, Tower
from .waiting import wait_until

ENROLL_TIMEOUT = 45


@dataclass
class Site:
    name: str
    labels: dict[str, str]
    vars: dict[str, str]
    agents: list[Daemon] = field(default_factory=list)

    @property
    def host(self) -> str:
        return f"{self.name}-h1"


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines, "expected output, got nothing"
    return lines[-1]


class SiteFactory:
    """`make_site(name, labels, vars)`; remembers every agent it started so teardown stops them."""

    def __init__(self, binary: Path, tower: Tower, cli: Cli, api: Api, engine: Engine, work_dir: Path):
        self.binary = binary
        self.tower = tower
        self.cli = cli
        self.api = api
        self.engine = engine
        self.work_dir = work_dir
        self.agents: list[Daemon] = []

    def __call__(self, name: str, labels: Mapping[str, str] | None = None, vars: Mapping[str, str] | None = None,
                 *, start_agent: bool = True, wait_connected: bool = True) -> Site:
        site = Site(name, dict(labels or {}), {k: str(v) for k, v in (vars or {}).items()})
        args: list[str] = ["sites", "create", name]
        for key, value in site.labels.items():
            args += ["--label", f"{key}={value}"]
        for key, value in site.vars.items():
            args += ["--var", f"{key}={value}"]
        self.cli.ok(*args)
        if start_agent:
            agent = self.start_agent(name, self.token(name), site.host)
            site.agents.append(agent)
            if wait_connected:
                self.wait_connected(name, site.host, agent)
        return site

    def token(self, site: str, *extra: str) -> str:
        """A fresh join token (`outpost sites token SITE`; the token is the last stdout line)."""
        return last_line(self.cli.ok("sites", "token", site, *extra).out)

    def start_agent(self, site: str, token: str, host: str) -> Daemon:
        data_dir = self.work_dir / "agents" / host
        argv = [self.binary, "agent", "--tower", self.tower.url, "--join", token, "--data", data_dir,
                "--engine", self.engine.url, "--host", host]
        agent = Daemon(f"agent {site}/{host}", argv, self.work_dir / "agents" / f"{host}.log")
        self.agents.append(agent)
        return agent

    def hosts(self, site: str) -> list[dict]:
        status, body = self.api.get(f"/v1/sites/{site}")
        assert status == 200, f"GET /v1/sites/{site}: {status} {body}"
        return body.get("hosts") or []

    def wait_connected(self, site: str, host: str, agent: Daemon | None = None,
                       timeout: float = ENROLL_TIMEOUT) -> dict:
        def connected() -> dict:
            if agent is not None and not agent.alive():
                raise RuntimeError(f"{agent.name} exited with {agent.exit_code()}:\n{agent.log_tail()}")
            hosts = self.hosts(site)
            match = [h for h in hosts if h.get("name") == host and h.get("connected")]
            assert match, f"hosts of {site}: {hosts}"
            return match[0]

        return wait_until(connected, timeout, f"host {site}/{host} to enroll and connect")

    def stop_all(self) -> None:
        for agent in self.agents:
            agent.stop()

    def logs(self) -> str:
        return "\n".join(f"===== {agent.name} (exit {agent.exit_code()})\n{agent.log_tail()}" for agent in self.agents)
