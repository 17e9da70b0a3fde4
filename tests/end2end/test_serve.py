"""`boxoffice serve` and `boxoffice users add` as real processes, the way a venue runs them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.helpers.live_server import free_port, wait_until_healthy

pytestmark = pytest.mark.end2end
BOXOFFICE = [sys.executable, "-m", "boxoffice"]


def users_add(
    data_dir: Path, name: str, password: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BOXOFFICE, "users", "add", name, "--password-stdin", "--data-dir", str(data_dir), *extra],
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )


@contextmanager
def serving(tmp_path: Path, *options: str) -> Iterator[str]:
    """`boxoffice serve` on a free port until the block ends; yields its base URL."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*BOXOFFICE, "serve", "--host", "127.0.0.1", "--port", str(port), *options],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, server, log)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert server.returncode in (0, -15), log.read_text()


def login(base: str, username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{base}/account/v1/auth/login", json={"username": username, "password": password}
    )


def test_users_add_then_serve_and_login(tmp_path):
    data_dir = tmp_path / "venue"
    created = users_add(data_dir, "clerk", "counter password", "--role", "staff")
    assert created.returncode == 0, created.stderr
    assert "created staff clerk" in created.stdout
    duplicate = users_add(data_dir, "clerk", "counter password")
    assert duplicate.returncode == 1 and "taken" in duplicate.stderr
    short = users_add(data_dir, "other", "short")
    assert short.returncode == 1 and "at least 8" in short.stderr

    with serving(tmp_path, "--data-dir", str(data_dir)) as base:
        response = login(base, "clerk", "counter password")
        assert response.status_code == 200, response.text
        events = httpx.get(f"{base}/event/v1/organizer/demo/event").json()
        assert events["paging"]["total"] >= 6  # the demo venue was loaded
    assert (data_dir / "boxoffice.sqlite3").exists()


@pytest.mark.postgres
def test_serve_on_postgresql_with_a_plain_url(tmp_path, pg_cluster):
    from tests.helpers.postgres import fresh_database

    url = fresh_database(pg_cluster, "e2e_serve").replace("postgresql+psycopg://", "postgresql://")
    created = users_add(tmp_path, "clerk", "counter password", "--database", url)
    assert created.returncode == 0, created.stderr
    with serving(tmp_path, "--database", url, "--data-dir", str(tmp_path)) as base:
        response = login(base, "clerk", "counter password")
        assert response.status_code == 200, response.text
    assert not (tmp_path / "boxoffice.sqlite3").exists()
