"""A real venue server on a loopback port, run by uvicorn in a background thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from boxoffice.server.api.state import ServerState
from boxoffice.server.app import create_app
from boxoffice.server.config import ServerSettings
from tests.helpers import factories
from tests.helpers.processes import free_port


class FakeClock:
    """A clock the tests move by hand; starts at the real time."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class LiveServer:
    app: FastAPI
    base_url: str
    clock: FakeClock

    @property
    def state(self) -> ServerState:
        state: ServerState = self.app.state.server
        return state


@contextmanager
def serve_in_thread(app: FastAPI, port: int | None = None) -> Iterator[str]:
    """Run `app` under uvicorn on 127.0.0.1 (`port`, default a free one) until the block
    ends; yields the base URL."""
    port = port or free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/event/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.02)
    else:
        raise RuntimeError("the test server did not start")
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def demo_live_server(
    folder: Path, clock: FakeClock, *, port: int | None = None, **settings: Any
) -> Iterator[LiveServer]:
    """A real venue server on a database in `folder` with the demo venue loaded and a staff
    user `clerk` (a server started again on the same folder keeps both); `settings` are more
    `ServerSettings` (Stripe keys…)."""
    config = ServerSettings(
        data_dir=folder, load_demo=True, sweep_interval_seconds=3600, **settings
    )
    app = create_app(config, clock=clock)
    with serve_in_thread(app, port) as base_url:
        server = LiveServer(app=app, base_url=base_url, clock=clock)
        if not factories.user_exists(server.state, "clerk"):
            factories.make_user(server.state, "clerk", role="staff")
        yield server
    app.state.server.engine.dispose()
