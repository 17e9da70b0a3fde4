"""Shared fixtures: a real venue server over loopback HTTP on a fresh SQLite file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from boxoffice.server.app import create_app
from boxoffice.server.config import ServerSettings
from tests.helpers.live_server import FakeClock, LiveServer, serve_in_thread


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> ServerSettings:
    return ServerSettings(data_dir=tmp_path / "data", load_demo=False, sweep_interval_seconds=3600)


@pytest.fixture
def live_server(settings: ServerSettings, clock: FakeClock) -> Iterator[LiveServer]:
    app = create_app(settings, clock=clock)
    with serve_in_thread(app) as base_url:
        yield LiveServer(app=app, base_url=base_url, clock=clock)
    app.state.server.engine.dispose()
