"""Issue 12, items 5 and 12 with real `boxoffice serve` processes: a retry after a SIGKILL is
answered (not refused as in progress), and SIGTERM stops a server whose requests are stuck
within a bound, rolling their transactions back."""

from __future__ import annotations

import concurrent.futures
import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.end2end.test_serve import BOXOFFICE, users_add
from tests.helpers.processes import free_port, wait_until_healthy

pytestmark = pytest.mark.end2end
PASSWORD = "counter password"


@contextmanager
def serve_process(data_dir: Path, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    where = ["--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)]
    with log.open("a") as out:
        process = subprocess.Popen(
            [*BOXOFFICE, "serve", *where],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, log)
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=20)


def _count(database: Path, sql: str) -> int:
    with sqlite3.connect(database) as connection:
        value: int = connection.execute(sql).fetchone()[0]
        return value


def test_sigterm_stops_a_server_whose_requests_are_stuck_within_the_bound(tmp_path):
    data_dir = tmp_path / "venue"
    assert users_add(data_dir, "clerk", PASSWORD, "--role", "staff").returncode == 0
    database = data_dir / "boxoffice.sqlite3"
    log = tmp_path / "serve.log"
    with serve_process(data_dir, log) as (process, base):
        users_before = _count(database, "SELECT count(*) FROM user")
        # Another process holds the write lock: the server's next write waits (busy timeout
        # 30 s) — a request stuck, as on a locked PostgreSQL row.
        blocker = sqlite3.connect(database, timeout=1, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        outcome: list[object] = []

        def stuck_request() -> None:
            try:
                outcome.append(httpx.post(f"{base}/account/v1/guest/login", timeout=60))
            except httpx.HTTPError as exc:
                outcome.append(exc)

        requester = threading.Thread(target=stuck_request)
        requester.start()
        time.sleep(1.5)
        assert not outcome, outcome  # the request is stuck behind the lock
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            pytest.fail(f"SIGTERM did not stop the server in 25 s:\n{log.read_text()}")
        finally:
            took = time.monotonic() - started
        blocker.rollback()
        blocker.close()
        requester.join(timeout=60)
    assert took < 20, f"SIGTERM took {took:.1f} s:\n{log.read_text()}"
    # The abandoned request's transaction never committed.
    assert _count(database, "SELECT count(*) FROM user") == users_before


def test_sigterm_without_stuck_requests_exits_cleanly(tmp_path):
    data_dir = tmp_path / "venue"
    log = tmp_path / "serve.log"
    with serve_process(data_dir, log) as (process, base):
        assert httpx.post(f"{base}/account/v1/guest/login").status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) in (0, -signal.SIGTERM), log.read_text()


def test_keyed_orders_in_flight_at_a_sigkill_are_answered_after_the_restart(tmp_path):
    data_dir = tmp_path / "venue"
    assert users_add(data_dir, "clerk", PASSWORD, "--role", "staff").returncode == 0
    database = data_dir / "boxoffice.sqlite3"
    log = tmp_path / "serve.log"
    keys = [f"sale-{n}" for n in range(60)]
    with serve_process(data_dir, log) as (process, base):
        token = httpx.post(
            f"{base}/account/v1/auth/login", json={"username": "clerk", "password": PASSWORD}
        ).json()["data"]["token"]
        events = httpx.get(f"{base}/event/v1/organizer/demo/event?with=ticket_config").json()
        config = _a_free_config(events["data"])
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        body = json.dumps({"order_item": [{"quantity": 1, "ticket_config_id": config}]})

        def order(key: str) -> int:
            try:
                return httpx.post(
                    f"{base}/event/v1/order",
                    headers={**headers, "Idempotency-Key": key},
                    content=body,
                    timeout=30,
                ).status_code
            except httpx.HTTPError:
                return 0

        with concurrent.futures.ThreadPoolExecutor(max_workers=24) as pool:
            futures = [pool.submit(order, key) for key in keys]
            time.sleep(0.4)
            process.kill()  # a power cut, with keyed requests in flight
            process.wait(timeout=20)
            concurrent.futures.wait(futures)
    cut_off = [future.result() for future in futures].count(0)
    assert cut_off > 0, "no request was in flight at the kill; the test proved nothing"
    # An order and its stored answer commit together: the cut leaves no order unanswered.
    unanswered = "SELECT count(*) FROM idempotency_record WHERE status_code IS NULL"
    assert _count(database, unanswered) == 0
    assert _count(database, 'SELECT count(*) FROM "order"') == _count(
        database, "SELECT count(*) FROM idempotency_record WHERE status_code = 201"
    )
    with serve_process(data_dir, log) as (_process, base):
        answers = [
            httpx.post(
                f"{base}/event/v1/order",
                headers={**headers, "Idempotency-Key": key},
                content=body,
                timeout=30,
            )
            for key in keys
        ]
        assert [a.status_code for a in answers] == [201] * len(keys), [
            a.text for a in answers if a.status_code != 201
        ]
        again = [
            httpx.post(
                f"{base}/event/v1/order",
                headers={**headers, "Idempotency-Key": key},
                content=body,
                timeout=30,
            )
            for key in keys
        ]
    assert [a.json() for a in again] == [a.json() for a in answers]
    # Every key has exactly one order, the one its answer names: a request whose order
    # committed in the instant between its commit and the storing of its answer is not run
    # again (the order carries its key), and no order is made twice.
    assert _count(database, 'SELECT count(*) FROM "order"') == len(keys)
    with sqlite3.connect(database) as connection:
        made = dict(connection.execute('SELECT idempotency_key, id FROM "order"').fetchall())
    assert made == {key: a.json()["data"]["id"] for key, a in zip(keys, answers, strict=True)}


def _a_free_config(events: list[dict[str, object]]) -> int:
    for event in events:
        for config in event.get("ticket_config") or []:  # type: ignore[attr-defined]
            if config.get("price") == 0 and (config.get("available") or 0) >= 100:
                return int(config["id"])
    for event in events:
        for config in event.get("ticket_config") or []:  # type: ignore[attr-defined]
            if (config.get("available") or 0) >= 100:
                return int(config["id"])
    raise AssertionError(f"no config with 100 tickets left in {events!r}"[:2000])


if sys.platform == "win32":  # pragma: no cover
    pytestmark = pytest.mark.skip(reason="POSIX signals")
