"""Servers run as processes: a free loopback port, and waiting until one answers. No server
modules are imported here, so the benchmarks' clients can use it too."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_healthy(
    base_url: str, process: subprocess.Popen[Any], log: Path, *, timeout: float = 30
) -> None:
    """Poll `GET /event/health` of a server started as `process` (its output in `log`)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base_url}/event/health", timeout=1).json()["status"] == "ok":
                return
        except httpx.TransportError:
            pass
        assert process.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, f"the server did not come up:\n{log.read_text()}"
        time.sleep(0.1)
