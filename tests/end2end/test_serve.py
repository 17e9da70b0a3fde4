"""`boxoffice serve` and `boxoffice users add` as real processes, the way a venue runs them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.helpers.processes import free_port, wait_until_healthy

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


def serve_refused(tmp_path: Path, database: str) -> subprocess.CompletedProcess[str]:
    """`boxoffice serve --database database`, which must stop before it serves."""
    return subprocess.run(
        [
            *BOXOFFICE,
            "serve",
            "--port",
            str(free_port()),
            "--data-dir",
            str(tmp_path),
            "--database",
            database,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_says_in_one_sentence_that_the_database_cannot_be_reached(tmp_path):
    port = free_port()  # nothing listens there
    refused = serve_refused(tmp_path, f"postgresql://clerk:secret@127.0.0.1:{port}/venue")
    assert refused.returncode == 3, refused.stderr
    assert "Traceback" not in refused.stderr and "secret" not in refused.stderr
    said = refused.stderr.strip().splitlines()[-1]
    assert said.startswith("boxoffice: Cannot connect to the PostgreSQL database"), refused.stderr
    assert f"127.0.0.1:{port}/venue" in said and "refused" in said, said


@pytest.mark.postgres
def test_serve_names_the_extensions_a_database_user_may_not_create(tmp_path, pg_cluster):
    """A user without CREATE on its database cannot make the search's extensions: the
    server says what to ask the database's owner, and keeps nothing half-made."""
    import psycopg

    from tests.helpers.postgres import fresh_database

    owner_url = fresh_database(pg_cluster, "e2e_no_create")
    plain = owner_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as db:
        db.execute("DROP ROLE IF EXISTS seller")
        db.execute("CREATE ROLE seller LOGIN")
        db.execute("GRANT USAGE, CREATE ON SCHEMA public TO seller")
    seller_url = plain.replace("://boxoffice@", "://seller@")
    refused = serve_refused(tmp_path, seller_url)
    assert refused.returncode == 4, refused.stderr
    assert "Traceback" not in refused.stderr
    said = refused.stderr.strip().splitlines()[-1]
    assert "CREATE EXTENSION pg_trgm; CREATE EXTENSION btree_gin;" in said, said
    assert "e2e_no_create" in said and "seller" in said, said
    with psycopg.connect(plain) as db:  # the migrations rolled back as one
        tables = db.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchone() == (0,)
    with psycopg.connect(plain, autocommit=True) as db:  # as the owner would
        db.execute("CREATE EXTENSION pg_trgm; CREATE EXTENSION btree_gin;")
    with serving(tmp_path, "--database", seller_url, "--data-dir", str(tmp_path)) as base:
        assert httpx.get(f"{base}/event/health").status_code == 200
