"""`boxoffice serve` and `boxoffice users add` as real processes, the way a venue runs them."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers.live_server import free_port

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


def test_users_add_then_serve_and_login(tmp_path):
    data_dir = tmp_path / "venue"
    created = users_add(data_dir, "clerk", "counter password", "--role", "staff")
    assert created.returncode == 0, created.stderr
    assert "created staff clerk" in created.stdout
    duplicate = users_add(data_dir, "clerk", "counter password")
    assert duplicate.returncode == 1 and "taken" in duplicate.stderr
    short = users_add(data_dir, "other", "short")
    assert short.returncode == 1 and "at least 8" in short.stderr

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                *BOXOFFICE,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, server, log)
        login = httpx.post(
            f"{base}/account/v1/auth/login",
            json={"username": "clerk", "password": "counter password"},
        )
        assert login.status_code == 200, login.text
        assert (data_dir / "boxoffice.sqlite3").exists()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert server.returncode in (0, -15)


def _wait_healthy(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/event/health", timeout=1).json() == {"status": "ok"}:
                return
        except httpx.TransportError:
            pass
        assert server.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "server did not come up"
        time.sleep(0.1)


@pytest.mark.postgres
def test_serve_on_postgresql_with_a_plain_url(tmp_path, pg_cluster):
    from tests.helpers.postgres import fresh_database

    url = fresh_database(pg_cluster, "e2e_serve").replace("postgresql+psycopg://", "postgresql://")
    created = users_add(tmp_path, "clerk", "counter password", "--database", url)
    assert created.returncode == 0, created.stderr
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                *BOXOFFICE,
                "serve",
                "--port",
                str(port),
                "--database",
                url,
                "--data-dir",
                str(tmp_path),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, server, log)
        login = httpx.post(
            f"{base}/account/v1/auth/login",
            json={"username": "clerk", "password": "counter password"},
        )
        assert login.status_code == 200, login.text
        assert not (tmp_path / "boxoffice.sqlite3").exists()
    finally:
        server.terminate()
        server.wait(timeout=20)
