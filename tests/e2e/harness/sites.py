"""Sites as a site provider makes them: create with the CLI, issue a join token, start an agent."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from .engine import Engine
from .netns import NetworkLink
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
    netns: NetworkLink | None = None  # the agent runs behind this link
    agent_args: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        return f"{self.name}-h1"


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines, "expected output, got nothing"
    return lines[-1]


class SiteFactory:
    """`make_site(name, labels, vars)`; remembers every agent it started so teardown stops them."""

    def __init__(self, binary: Path, tower: Tower, cli: Cli, api: Api, engine: Engine, work_dir: Path,
                 agent_binary: Path | None = None):
        """`agent_binary`: run agents as that `outpost-agent` instead of `outpost agent`."""
        self.binary = binary
        self.agent_command = [agent_binary] if agent_binary else [binary, "agent"]
        self.tower = tower
        self.cli = cli
        self.api = api
        self.engine = engine
        self.work_dir = work_dir
        self.agents: list[Daemon] = []
        self.mounts: list[Path] = []

    def __call__(self, name: str, labels: Mapping[str, str] | None = None, vars: Mapping[str, str] | None = None,
                 *, start_agent: bool = True, wait_connected: bool = True, netns: NetworkLink | None = None,
                 agent_args: Sequence[str] = (), data_size: str | None = None) -> Site:
        """`netns`: run the agent inside that namespace; `agent_args`: extra `outpost agent`
        options; `data_size`: give the agent a data directory of that size (a tmpfs, e.g. "4m")."""
        site = Site(name, dict(labels or {}), {k: str(v) for k, v in (vars or {}).items()}, netns=netns,
                    agent_args=tuple(agent_args))
        if data_size:
            self.mount_data_dir(site.host, data_size)
        args: list[str] = ["sites", "create", name]
        for key, value in site.labels.items():
            args += ["--label", f"{key}={value}"]
        for key, value in site.vars.items():
            args += ["--var", f"{key}={value}"]
        self.cli.ok(*args)
        if start_agent:
            agent = self.start_agent(name, self.token(name), site.host, netns=netns, agent_args=agent_args)
            site.agents.append(agent)
            if wait_connected:
                self.wait_connected(name, site.host, agent)
        return site

    def token(self, site: str, *extra: str) -> str:
        """A fresh join token (`outpost sites token SITE`; the token is the last stdout line)."""
        return last_line(self.cli.ok("sites", "token", site, *extra).out)

    def data_dir(self, host: str) -> Path:
        return self.work_dir / "agents" / host

    def mount_data_dir(self, host: str, size: str) -> Path:
        data_dir = self.data_dir(host)
        data_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(data_dir)],
                       check=True, capture_output=True, timeout=30)
        self.mounts.append(data_dir)
        return data_dir

    def start_agent(self, site: str, token: str, host: str, *, netns: NetworkLink | None = None,
                    agent_args: Sequence[str] = ()) -> Daemon:
        prefix = netns.prefix() if netns else []
        argv = [*prefix, *self.agent_command, "--tower", self.tower.url, "--join", token, "--data",
                self.data_dir(host), "--engine", self.engine.url, "--host", host, *agent_args]
        agent = Daemon(f"agent {site}/{host}", argv, self.work_dir / "agents" / f"{host}.log")
        self.agents.append(agent)
        return agent

    def restart_agent(self, site: Site, *, wait_connected: bool = True) -> Daemon:
        """kill -9 of the site's agent and a fresh start on the same data directory."""
        site.agents[-1].kill()
        agent = self.start_agent(site.name, "already-enrolled", site.host, netns=site.netns,
                                 agent_args=site.agent_args)
        site.agents.append(agent)
        if wait_connected:
            self.wait_connected(site.name, site.host, agent)
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
        for mount in reversed(self.mounts):
            subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=30)
        self.mounts.clear()

    def logs(self) -> str:
        return "\n".join(f"===== {agent.name} (exit {agent.exit_code()})\n{agent.log_tail()}" for agent in self.agents)
