"""Shared fixtures: a real venue server over loopback HTTP on a fresh database per test."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from boxoffice import i18n
from boxoffice.server.app import create_app
from boxoffice.server.config import ServerSettings
from tests.helpers import postgres, qt
from tests.helpers.live_server import FakeClock, LiveServer, serve_in_thread

_db_counter = itertools.count()

qt.configure_environment()  # before any test imports Qt

# The tests speak English whatever this machine's locale is (and so do the programs they start);
# a test of another language asks for it.
for _variable in i18n.LOCALE_VARIABLES:
    os.environ.pop(_variable, None)
os.environ["LANG"] = "C.UTF-8"


@pytest.fixture(autouse=True)
def _english_again() -> Iterator[None]:
    """A test that switched the program's language leaves English behind."""
    yield
    if i18n.current() != i18n.DEFAULT:
        if "PySide6.QtCore" in sys.modules:
            from boxoffice.ui import language

            language.apply(i18n.DEFAULT)
        else:
            i18n.use(i18n.DEFAULT)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[str]:
    """One PostgreSQL cluster for the session; each test gets its own database in it."""
    if not postgres.available():
        pytest.fail("PostgreSQL is not installed: run scripts/setup --dev")
    with postgres.temporary_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """SQLite by default; tests parametrised with `postgres` get a fresh PostgreSQL database."""
    if request.param == "postgres":
        cluster: str = request.getfixturevalue("pg_cluster")
        return postgres.fresh_database(cluster, f"test_{next(_db_counter)}")
    return None


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> ServerSettings:
    return ServerSettings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        load_demo=False,
        sweep_interval_seconds=3600,
    )


@pytest.fixture
def live_server(settings: ServerSettings, clock: FakeClock) -> Iterator[LiveServer]:
    app = create_app(settings, clock=clock)
    with serve_in_thread(app) as base_url:
        yield LiveServer(app=app, base_url=base_url, clock=clock)
    app.state.server.engine.dispose()


BOTH_DATABASES = pytest.mark.parametrize(
    "database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
