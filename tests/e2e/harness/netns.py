"""A network namespace of the test's own, joined to the host by a veth pair: an edge site behind
a link the test can cut (link down on the host side, as a dead uplink) and restore."""
from __future__ import annotations

import itertools
import os
import signal
import subprocess

_counter = itertools.count()


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if check and result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed: {result.stderr.strip()}")
    return result


class NetworkLink:
    """`NetworkLink.create()`: namespace `name` with address `site_address`, reaching the host at
    `host_address` (where the tower listens). Use as a context manager: leaving it kills every
    process still in the namespace and deletes namespace and link."""

    def __init__(self, index: int):
        self.name = f"op{index}"
        self.host_side = f"op{index}h"
        self.site_side = f"op{index}s"
        # One /30 per index (below 10000), so no two links of any run share a subnet.
        third, block = divmod(index % 10000, 64)
        self.host_address = f"10.213.{third}.{block * 4 + 1}"
        self.site_address = f"10.213.{third}.{block * 4 + 2}"

    @classmethod
    def create(cls) -> "NetworkLink":
        link = cls(os.getpid() % 1000 * 10 + next(_counter) % 10)
        link.delete()  # a namespace left by a crashed run under the same name
        _ip("netns", "add", link.name)
        _ip("link", "add", link.host_side, "type", "veth", "peer", "name", link.site_side)
        _ip("link", "set", link.site_side, "netns", link.name)
        _ip("addr", "add", f"{link.host_address}/30", "dev", link.host_side)
        _ip("link", "set", link.host_side, "up")
        link.run("ip", "addr", "add", f"{link.site_address}/30", "dev", link.site_side)
        link.run("ip", "link", "set", link.site_side, "up")
        link.run("ip", "link", "set", "lo", "up")
        return link

    def prefix(self) -> list[str]:
        """Argv prefix that runs a command inside the namespace."""
        return ["ip", "netns", "exec", self.name]

    def run(self, *argv: str) -> None:
        _ip("netns", "exec", self.name, *argv)

    def cut(self) -> None:
        """The uplink dies: packets vanish, nobody is told (no reset, no error)."""
        _ip("link", "set", self.host_side, "down")

    def restore(self) -> None:
        _ip("link", "set", self.host_side, "up")

    def delete(self) -> None:
        pids = _ip("netns", "pids", self.name, check=False).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        _ip("netns", "del", self.name, check=False)
        _ip("link", "del", self.host_side, check=False)

    def __enter__(self) -> "NetworkLink":
        return self

    def __exit__(self, *exc) -> None:
        self.delete()
