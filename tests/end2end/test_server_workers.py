"""`boxoffice serve --workers 2` (issue 18), on SQLite and on PostgreSQL.

* A race of many clients, each on its own connection (so both workers sell), for the last
  tickets sells exactly out: no oversell, only `409 sold_out`, no 5xx.
* One order sent many times at once under one `Idempotency-Key`, over connections that the
  two workers share: every answer names the same order, and one order is made.
* The sweeper and the mail deliverer run in one worker only (the one holding the lead: a file
  lock on SQLite, an advisory lock on PostgreSQL); when it is killed, another takes over.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from boxoffice.server.app import prepare_database, utc_now
from boxoffice.server.config import ServerSettings
from boxoffice.server.db.engine import make_engine
from boxoffice.server.db.locking import LEADER_LOCK_FILE, LEADER_LOCK_KEY
from boxoffice.server.db.models import Order
from tests.end2end.test_serve import BOXOFFICE
from tests.helpers import factories as f
from tests.helpers.processes import free_port, wait_until_healthy

pytestmark = pytest.mark.end2end
WORKERS = 2
BOTH = pytest.mark.parametrize(
    "database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
RACE_TICKETS = 41  # odd: one ticket is left that no 2-ticket order gets
RACERS = 24
TWINS = 16


@contextmanager
def serving(folder: Path, url: str | None) -> Iterator[tuple[str, subprocess.Popen[Any]]]:
    """`boxoffice serve --workers 2` until the block ends; yields (base URL, process)."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    log = folder / "serve.log"
    database = ["--database", url] if url else []
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                *BOXOFFICE,
                "serve",
                "--workers",
                str(WORKERS),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--data-dir",
                str(folder),
                "--log-level",
                "warning",
                "--no-demo",
                *database,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, log, timeout=60)
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    assert process.returncode in (0, -signal.SIGTERM), log.read_text(errors="replace")


@pytest.fixture
def venue(tmp_path: Path, database_url: str | None) -> Iterator[dict[str, Any]]:
    """A staff account and a published event with a race config, set up before the server
    starts; yields {"folder", "url", "config", "state"}."""
    folder = tmp_path / "venue"
    settings = ServerSettings(data_dir=folder, database_url=database_url, load_demo=False)
    state = prepare_database(settings, make_engine(settings.resolved_database_url()), clock=utc_now)
    try:
        f.make_user(state, "clerk", role="staff")
        event = f.make_event(
            state, configs=[{"name": "Last", "face_value": "20", "quantity": RACE_TICKETS}]
        )
        state.engine.dispose()  # the servers' turn; reopened lazily by the checks
        yield {
            "folder": folder,
            "url": database_url,
            "config": event["config_ids"][0],
            "state": state,
        }
    finally:
        state.engine.dispose()


async def _login(base: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        response = await client.post(
            "/account/v1/auth/login", json={"username": "clerk", "password": f.PASSWORD}
        )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['data']['token']}"}


def _order(config: int) -> dict[str, Any]:
    return {"order_item": [{"quantity": 2, "ticket_config_id": config}], "format": "PDF"}


@BOTH
def test_a_race_for_the_last_tickets_over_two_workers_sells_exactly_out(venue):
    with serving(venue["folder"], venue["url"]) as (base, _process):
        answers = asyncio.run(asyncio.wait_for(_race(base, venue["config"]), timeout=120))
    statuses = Counter(status for status, _ in answers)
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses[201] == RACE_TICKETS // 2, statuses
    refused = [code for status, code in answers if status != 201]
    assert refused and set(refused) == {"sold_out"}, Counter(refused)
    with venue["state"].read_sessions() as session:
        made = session.scalar(select(func.count()).select_from(Order))
    assert made == RACE_TICKETS // 2


async def _race(base: str, config: int) -> list[tuple[int, str]]:
    """Every racer, on a connection of its own, orders until told sold out."""
    headers = await _login(base)
    answers: list[tuple[int, str]] = []

    async def racer() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            while True:
                response = await client.post(
                    "/event/v1/order", json=_order(config), headers=headers
                )
                code = "" if response.status_code == 201 else response.json().get("errorCode")
                answers.append((response.status_code, code))
                if response.status_code != 201:
                    return

    await asyncio.gather(*(racer() for _ in range(RACERS)))
    return answers


@BOTH
def test_one_key_sent_at_once_to_both_workers_makes_one_order(venue):
    with serving(venue["folder"], venue["url"]) as (base, _process):
        answers = asyncio.run(asyncio.wait_for(_twins(base, venue["config"]), timeout=120))
    assert {status for status, _ in answers} == {201}, answers
    assert len({order_id for _, order_id in answers}) == 1, answers
    with venue["state"].read_sessions() as session:
        made = session.scalar(select(func.count()).select_from(Order))
    assert made == 1


async def _twins(base: str, config: int) -> list[tuple[int, int | None]]:
    """The same keyed order from `TWINS` connections at once; a twin told the first is
    still in progress tries again, as the SDK does."""
    headers = {**await _login(base), "Idempotency-Key": str(uuid.uuid4())}
    start = asyncio.Event()

    async def twin() -> tuple[int, int | None]:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            await client.get("/event/health")  # connected before the start
            await start.wait()
            for _ in range(200):
                response = await client.post(
                    "/event/v1/order", json=_order(config), headers=headers
                )
                if response.status_code == 409 and (
                    response.json().get("errorCode") == "idempotency_in_progress"
                ):
                    await asyncio.sleep(0.05)
                    continue
                body = response.json()
                return response.status_code, body.get("data", {}).get("id")
            raise AssertionError("the first request never finished")

    tasks = [asyncio.create_task(twin()) for _ in range(TWINS)]
    await asyncio.sleep(0.5)
    start.set()
    return list(await asyncio.gather(*tasks))


# --- the background loops run once ---------------------------------------------------------


def _workers(server: int) -> list[int]:
    """The worker processes of `server` (not the Stripe emulator it may have started)."""
    found = []
    for children in Path(f"/proc/{server}/task").glob("*/children"):
        for pid in map(int, children.read_text().split()):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"emulator" not in cmdline:
                found.append(pid)
    return found


def _leaders_by_file(folder: Path) -> list[int]:
    """The processes holding the flock on the leader file (from /proc/locks)."""
    inode = os.stat(folder / LEADER_LOCK_FILE).st_ino
    holders = []
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "FLOCK" in fields and "->" not in fields and fields[-3].endswith(f":{inode}"):
            holders.append(int(fields[-4]))
    return holders


def _leaders_in_database(url: str) -> int:
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = %s AND objid = %s",
            ((LEADER_LOCK_KEY >> 32) & 0xFFFFFFFF, LEADER_LOCK_KEY & 0xFFFFFFFF),
        ).fetchone()
    assert row is not None
    count: int = row[0]
    return count


def _eventually(check: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="reads /proc (Linux)")
def test_one_worker_leads_on_sqlite_and_another_takes_over_when_it_is_killed(tmp_path):
    folder = tmp_path / "venue"
    with serving(folder, None) as (base, process):
        leader = _eventually(lambda: _leaders_by_file(folder))
        assert len(leader) == 1 and leader[0] in _workers(process.pid), leader
        os.kill(leader[0], signal.SIGKILL)
        new = _eventually(lambda: [p for p in _leaders_by_file(folder) if p != leader[0]])
        assert len(new) == 1 and new[0] in _workers(process.pid), new
        assert len(_eventually(lambda: _workers(process.pid)[WORKERS - 1 :])) == 1  # replaced
        assert httpx.get(f"{base}/event/health", timeout=10).status_code == 200


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_one_worker_leads_on_postgresql_and_another_takes_over(tmp_path, database_url):
    folder = tmp_path / "venue"
    assert database_url is not None
    with serving(folder, database_url) as (base, process):
        assert _eventually(lambda: _leaders_in_database(database_url)) == 1
        for worker in _workers(process.pid):  # the leader among them, at some point
            os.kill(worker, signal.SIGKILL)
            time.sleep(1)
            assert _eventually(lambda: _leaders_in_database(database_url)) == 1
        assert httpx.get(f"{base}/event/health", timeout=10).status_code == 200
