"""Bounded waiting and loopback ports: nothing in the end-to-end suite may wait forever."""
from __future__ import annotations

import socket
import time
from typing import Callable, TypeVar

T = TypeVar("T")

# Exceptions a probe may raise while the thing it watches is not there yet. Anything else is a
# bug in the test and surfaces at once.
_TRANSIENT = (AssertionError, OSError, ValueError, KeyError, IndexError, TypeError)


class WaitTimeout(AssertionError):
    pass


def wait_until(predicate: Callable[[], T], timeout: float, what: str, interval: float = 0.25) -> T:
    """Calls `predicate` until it returns a truthy value, and returns that value.

    The predicate may also raise AssertionError (or an I/O error) to say "not yet": its message
    is kept, so a timeout reports the last thing observed, e.g. the page that still shows the
    old version, instead of just "condition not met".
    """
    deadline = time.monotonic() + timeout
    last = "predicate never ran"
    while True:
        try:
            value = predicate()
            if value:
                return value
            last = f"returned {value!r}"
        except _TRANSIENT as error:
            last = f"{type(error).__name__}: {error}"
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"timed out after {timeout:g}s waiting for {what}; last observed: {last}")
        time.sleep(interval)


_handed_out: set[int] = set()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now and was not handed out before in this run."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port
    raise RuntimeError("no free loopback port found")
