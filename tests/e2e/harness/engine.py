"""The private Podman engine and loopback registry of a test session.

Starting and stopping them is done by scripts/lib/engine.sh, the same code the demo uses; this
module wraps it and talks to the engine's Docker-compatible API over its unix socket.
"""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from .paths import BUILD_IMAGES, ENGINE_LIB

ENGINE_API = "/v1.41"
OWNED_LABEL = "outpost.site"  # every container an agent creates carries it


def run_engine_lib(function: str, *args: str, timeout: float = 120) -> str:
    """Runs one function of scripts/lib/engine.sh and returns its stdout (last line stripped)."""
    result = subprocess.run(["bash", str(ENGINE_LIB), function, *args], capture_output=True,
                            text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{function} {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout}\n{result.stderr}")
    return result.stdout.strip()


@dataclass
class Registry:
    state_dir: Path
    address: str  # 127.0.0.1:PORT

    @classmethod
    def start(cls, state_dir: Path) -> "Registry":
        address = run_engine_lib("outpost_registry_start", str(state_dir)).splitlines()[-1]
        return cls(state_dir, address)

    def stop(self) -> None:
        run_engine_lib("outpost_registry_stop", str(self.state_dir))

    def tags(self, repository: str) -> list[str]:
        connection = http.client.HTTPConnection(self.address, timeout=10)
        try:
            connection.request("GET", f"/v2/{repository}/tags/list")
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                return []
            return json.loads(body).get("tags") or []
        finally:
            connection.close()


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, socket_path: str, timeout: float):
        super().__init__("engine", timeout=timeout)
        self._socket_path = socket_path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._socket_path)


class Engine:
    """A running private engine: its socket, its podman command line and a tiny API client."""

    def __init__(self, state_dir: Path, socket_path: str):
        self.state_dir = state_dir
        self.socket_path = socket_path

    @classmethod
    def start(cls, state_dir: Path, registry: Registry) -> "Engine":
        socket_path = run_engine_lib("outpost_engine_start", str(state_dir), registry.address)
        return cls(state_dir, socket_path.splitlines()[-1])

    def stop(self) -> None:
        run_engine_lib("outpost_engine_stop", str(self.state_dir), timeout=300)

    def restart_service(self, registry: Registry) -> None:
        """Stops and starts the engine's API service on the same storage and socket, as a host
        reboot would (containers keep whatever state they had)."""
        run_engine_lib("outpost_stop_daemon", str(self.state_dir / "pid"), "podman")
        socket_path = run_engine_lib("outpost_engine_start", str(self.state_dir), registry.address).splitlines()[-1]
        assert socket_path == self.socket_path, f"the engine came back on {socket_path}, not {self.socket_path}"

    @property
    def url(self) -> str:
        """What `outpost agent --engine` takes."""
        return f"unix://{self.socket_path}"

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["CONTAINERS_CONF"] = str(self.state_dir / "containers.conf")
        env["CONTAINERS_REGISTRIES_CONF"] = str(self.state_dir / "registries.conf")
        return env

    def podman(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        argv = ["podman", "--root", str(self.state_dir / "root"),
                "--runroot", str(self.state_dir / "runroot"), *args]
        return subprocess.run(argv, capture_output=True, text=True, env=self.env, timeout=timeout)

    def request(self, method: str, path: str, body: Any = None, timeout: float = 60) -> tuple[int, Any]:
        connection = _UnixConnection(self.socket_path, timeout)
        try:
            payload = None if body is None else json.dumps(body).encode()
            headers = {"Content-Type": "application/json"} if payload is not None else {}
            connection.request(method, ENGINE_API + path, body=payload, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            try:
                return response.status, json.loads(raw) if raw else None
            except ValueError:
                return response.status, raw.decode(errors="replace")
        finally:
            connection.close()

    def containers(self, labels: Mapping[str, str] | Sequence[str] = ()) -> list[dict]:
        """Every container (all states) whose labels match: a mapping of key=value pairs, or a
        sequence of bare keys that must be present."""
        if isinstance(labels, Mapping):
            wanted = [f"{key}={value}" for key, value in labels.items()]
        else:
            wanted = list(labels)
        query = "all=1"
        if wanted:
            query += "&filters=" + urllib.parse.quote(json.dumps({"label": wanted}))
        status, body = self.request("GET", f"/containers/json?{query}")
        if status != 200:
            raise RuntimeError(f"engine list failed: {status} {body}")
        return body

    def site_containers(self, site: str, running_only: bool = False) -> list[dict]:
        found = self.containers({OWNED_LABEL: site})
        return [c for c in found if c.get("State") == "running"] if running_only else found

    def remove_owned_containers(self) -> None:
        """Removes every container an agent created, so the next test starts from nothing."""
        run_engine_lib("outpost_engine_remove_containers", str(self.state_dir), OWNED_LABEL)


def build_images(engine: Engine, registry: Registry) -> dict[str, str]:
    """Builds and pushes the demo images; returns {version: image reference}."""
    result = subprocess.run(
        ["bash", str(BUILD_IMAGES), "--root", str(engine.state_dir / "root"),
         "--runroot", str(engine.state_dir / "runroot"), "--registry", registry.address],
        capture_output=True, text=True, env=engine.env, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"build-images.sh failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    references = [line for line in result.stdout.splitlines() if "/outpost-demo/web:" in line]
    return {reference.rsplit(":", 1)[1]: reference for reference in references}
