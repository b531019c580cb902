"""A real `outpost tower` process, the CLI bound to it, and a REST client for its API."""
from __future__ import annotations

import json
import os
import ssl
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Mapping, NamedTuple

from .processes import Daemon
from .waiting import free_port, wait_until

_NO_PROXY = urllib.request.ProxyHandler({})  # loopback traffic must never go to a proxy


class TowerDied(RuntimeError):
    """Not a transient condition: waiting any longer is pointless."""


def _read_body(raw: bytes) -> Any:
    text = raw.decode(errors="replace")
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


def _encode(body: Any, content_type: str | None) -> tuple[bytes | None, str | None]:
    if body is None:
        return None, content_type
    if isinstance(body, (bytes, bytearray)):
        return bytes(body), content_type or "application/octet-stream"
    if isinstance(body, str):
        looks_json = body.lstrip()[:1] in ("{", "[")
        return body.encode(), content_type or ("application/json" if looks_json else "application/yaml")
    return json.dumps(body).encode(), content_type or "application/json"


class Api:
    """HTTPS client for the tower's REST API. Every call returns (status, parsed JSON body); a body
    that is not JSON comes back as text. HTTP errors are returned, never raised."""

    def __init__(self, base_url: str, context: ssl.SSLContext, token: str | None):
        self.base_url = base_url
        self.token = token
        self._opener = urllib.request.build_opener(_NO_PROXY, urllib.request.HTTPSHandler(context=context))

    def request(self, method: str, path: str, body: Any = None, *, headers: Mapping[str, str] | None = None,
                content_type: str | None = None, token: str | None = "", timeout: float = 30) -> tuple[int, Any]:
        """`token=""` uses the client's token, `token=None` sends no Authorization header."""
        payload, content_type = _encode(body, content_type)
        if payload is None and method in ("POST", "PUT", "PATCH"):
            payload = b""
        request = urllib.request.Request(self.base_url + path, data=payload, method=method)
        chosen = self.token if token == "" else token
        if chosen is not None:
            request.add_header("Authorization", f"Bearer {chosen}")
        if content_type:
            request.add_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with self._opener.open(request, timeout=timeout) as response:
                return response.status, _read_body(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _read_body(error.read())

    def get(self, path: str, **kwargs) -> tuple[int, Any]:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs) -> tuple[int, Any]:
        return self.request("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs) -> tuple[int, Any]:
        return self.request("PUT", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs) -> tuple[int, Any]:
        return self.request("PATCH", path, body, **kwargs)

    def delete(self, path: str, **kwargs) -> tuple[int, Any]:
        return self.request("DELETE", path, **kwargs)

    def items(self, path: str) -> list[dict]:
        """Every item of a list endpoint, following `next` cursors (bounded)."""
        collected: list[dict] = []
        cursor = None
        for _ in range(100):
            separator = "&" if "?" in path else "?"
            page = f"{separator}continue={urllib.parse.quote(str(cursor), safe='')}" if cursor else ""
            status, body = self.get(path + page)
            assert status == 200, f"GET {path}: {status} {body}"
            collected.extend(body["items"])
            cursor = body.get("next")
            if not cursor:
                return collected
        raise AssertionError(f"GET {path}: more than 100 pages")


class CliResult(NamedTuple):
    rc: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.rc}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


class Cli:
    """Runs `outpost VERB...` as a user would, with its own config file (OUTPOST_CONFIG)."""

    def __init__(self, binary: Path, config_path: Path):
        self.binary = binary
        self.config_path = config_path

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["OUTPOST_CONFIG"] = str(self.config_path)
        return env

    def __call__(self, *args: Any, input: str | None = None, timeout: float = 60) -> CliResult:
        argv = [str(self.binary), *[str(a) for a in args]]
        try:
            done = subprocess.run(argv, input=input, capture_output=True, text=True,
                                  env=self.env(), timeout=timeout)
        except subprocess.TimeoutExpired as expired:
            raise AssertionError(f"`outpost {' '.join(argv[1:])}` still running after {timeout}s") from expired
        return CliResult(done.returncode, done.stdout, done.stderr)

    def ok(self, *args: Any, input: str | None = None, timeout: float = 60) -> CliResult:
        """Runs the command and fails the test, showing its output, unless it exits 0."""
        result = self(*args, input=input, timeout=timeout)
        assert result.rc == 0, f"`outpost {' '.join(map(str, args))}` failed: {result}"
        return result


class Tower:
    def __init__(self, binary: Path, work_dir: Path, host: str = "127.0.0.1", args: tuple[str, ...] = ()):
        self.binary = binary
        self.work_dir = work_dir
        self.data_dir = work_dir / "tower-data"
        self.host = host
        self.args = tuple(args)
        self.port = free_port()
        self.url = f"https://{host}:{self.port}"
        self.log_path = work_dir / "tower.log"
        self.daemon: Daemon | None = None

    @property
    def ca_path(self) -> Path:
        return self.data_dir / "pki" / "ca.pem"

    @property
    def admin_token(self) -> str:
        return (self.data_dir / "admin.token").read_text().strip()

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_path))

    def api(self, token: str | None = "") -> Api:
        return Api(self.url, self.ssl_context(), self.admin_token if token == "" else token)

    def start(self, timeout: float = 30) -> None:
        argv = [self.binary, "tower", "--data", self.data_dir, "--listen", f"{self.host}:{self.port}", *self.args]
        self.daemon = Daemon("tower", argv, self.log_path)
        wait_until(self._serves_ca, timeout, f"tower on {self.url} to answer GET /v1/ca")

    def _serves_ca(self) -> bool:
        if not self.daemon.alive():
            raise TowerDied(f"tower exited with {self.daemon.exit_code()}:\n{self.daemon.log_tail()}")
        # Before we trust the CA file we only ask whether it answers; then we verify with it.
        unverified = ssl.create_default_context()
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        status, body = Api(self.url, unverified, None).get("/v1/ca", timeout=5)
        assert status == 200 and "certificate" in body, f"GET /v1/ca: {status} {body}"
        assert self.ca_path.exists(), f"{self.ca_path} missing"
        status, body = Api(self.url, self.ssl_context(), None).get("/v1/ca", timeout=5)
        assert status == 200, f"GET /v1/ca with the tower's CA: {status} {body}"
        return True

    def stop(self) -> None:
        if self.daemon:
            self.daemon.stop()

    def kill(self) -> None:
        if self.daemon:
            self.daemon.kill()

    def log_tail(self, lines: int = 80) -> str:
        return self.daemon.log_tail(lines) if self.daemon else ""
