"""Hardening on PostgreSQL (issue 12, items 10 and 11), with real `boxoffice serve` processes.

* Several servers on one database: started together on an empty database, all come up; cash
  payments on all of them at once (and the first sale of an event on both at once) never give
  a 5xx, and the ledger's hash chain stays whole.
* A rush for the last tickets: 64 and 128 clients, each its own guest ordering one ticket until
  told `sold_out`, get exactly the tickets there are, within seconds; a lock wait that runs out
  is a `503` with `Retry-After` (a client retries), never a hang.
"""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from boxoffice.server.api.state import ServerState
from boxoffice.server.app import prepare_database
from boxoffice.server.config import ServerSettings
from boxoffice.server.db.engine import make_engine
from tests.helpers import factories as f
from tests.helpers.live_server import FakeClock
from tests.helpers.postgres import fresh_database
from tests.helpers.processes import free_port, wait_until_healthy

pytestmark = pytest.mark.postgres
BOXOFFICE = [sys.executable, "-m", "boxoffice"]


@contextmanager
def serving(folder: Path, url: str, *options: str) -> Iterator[tuple[str, subprocess.Popen[Any]]]:
    """Start `boxoffice serve` on `url` (not waiting for it); yields (base URL, process)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                *BOXOFFICE,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--database",
                url,
                "--data-dir",
                str(folder),
                "--log-level",
                "warning",
                *options,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def log_of(folder: Path) -> str:
    return (folder / "serve.log").read_text(errors="replace")


def state_on(url: str, folder: Path) -> ServerState:
    """The test's own view of the database (migrated already by the servers)."""
    settings = ServerSettings(data_dir=folder, database_url=url, load_demo=False)
    return prepare_database(settings, make_engine(url), FakeClock())


def activity(url: str) -> str:
    """What every session of the database is doing (for a failure message)."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT state, wait_event_type, wait_event, left(query, 90) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return "\n".join(f"{count} x {row}" for row, count in Counter(rows).most_common())


def ledger_verify(url: str, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BOXOFFICE, "ledger", "verify", "--database", url, "--data-dir", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _client(base: str, connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base, timeout=60, limits=limits)


async def _login(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await client.post(
        "/account/v1/auth/login", json={"username": username, "password": f.PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['data']['token']}"}


# --- item 10: several servers on one database ----------------------------------------------


def test_servers_started_together_on_an_empty_database_all_come_up(tmp_path, pg_cluster):
    """Migrations, keys and the demo venue set up once, whichever server comes first."""
    url = fresh_database(pg_cluster, "started_together")
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def start(n: int) -> None:
        engine = make_engine(url)
        try:
            settings = ServerSettings(data_dir=tmp_path / f"s{n}", database_url=url)
            barrier.wait()
            prepare_database(settings, engine, FakeClock())
        except BaseException as exc:
            failures.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0))
    assert not failures, failures
    assert not any(thread.is_alive() for thread in threads)


SERVERS = 2
CLIENTS_PER_SERVER = 12
SALES_PER_CLIENT = 6


def test_two_servers_on_one_postgresql_start_together_and_sell_cash_without_5xx(
    tmp_path, pg_cluster
):
    url = fresh_database(pg_cluster, "two_servers").replace(
        "postgresql+psycopg://", "postgresql://"
    )
    with ExitStack() as stack:
        # Started together on an empty database: both migrate, load the demo venue, and serve.
        servers = [
            stack.enter_context(serving(tmp_path / f"server{n}", url)) for n in range(SERVERS)
        ]
        for n, (base, process) in enumerate(servers):
            wait_until_healthy(base, process, tmp_path / f"server{n}" / "serve.log", timeout=60)
        state = state_on(url, tmp_path / "tests")
        try:
            f.make_user(state, "clerk", role="staff")
            f.open_shift(state)  # the till every clerk takes cash at (`f.at_counter`)
            # Several fresh events: the first sale of each happens on both servers at once.
            events = [
                f.make_event(
                    state,
                    name=f"Night {n}",
                    configs=[{"name": "Standing", "face_value": "12", "quantity": None}],
                )["config_ids"][0]
                for n in range(3)
            ]
        finally:
            state.engine.dispose()
        statuses = asyncio.run(
            asyncio.wait_for(_cash_sales([base for base, _ in servers], events), timeout=120)
        )
        for n, (_, process) in enumerate(servers):
            assert process.poll() is None, log_of(tmp_path / f"server{n}")
    logs = "\n".join(log_of(tmp_path / f"server{n}") for n in range(SERVERS))
    assert not [s for s in statuses if s >= 500], (Counter(statuses), logs[-4000:])
    assert Counter(statuses) == {201: 2 * SERVERS * CLIENTS_PER_SERVER * SALES_PER_CLIENT}, logs
    verified = ledger_verify(url, tmp_path / "tests")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith("ledger OK: "), verified.stdout


async def _cash_sales(bases: list[str], configs: list[int]) -> list[int]:
    """12 clients per server, all paying cash at once; every status seen, in order."""
    statuses: list[int] = []
    clients = [_client(base, CLIENTS_PER_SERVER) for base in bases]
    try:
        staff = [f.at_counter(await _login(client, "clerk")) for client in clients]
        start = asyncio.Event()

        async def sell(client: httpx.AsyncClient, headers: dict[str, str], seed: int) -> None:
            rng = random.Random(seed)
            # Everyone orders first, then all pay at the same moment: the first payment of
            # every event is made on both servers at once.
            orders = []
            for n in range(SALES_PER_CLIENT):
                config = configs[(seed + n) % len(configs)]
                made = await client.post(
                    "/event/v1/order",
                    headers=headers,
                    json={
                        "order_item": [
                            {"quantity": rng.choice([1, 2]), "ticket_config_id": config}
                        ],
                        "format": "PDF",
                    },
                )
                statuses.append(made.status_code)
                assert made.status_code == 201, made.text
                orders.append(made.json()["data"]["id"])
            await start.wait()
            for order_id in orders:
                paid = await client.post(
                    "/payment/v1/payment",
                    params={"order_id": order_id, "type": "cash"},
                    headers=headers,
                    json={"tendered": 100},
                )
                statuses.append(paid.status_code)

        tasks = [
            asyncio.create_task(sell(client, headers, seed=s * 100 + c))
            for s, (client, headers) in enumerate(zip(clients, staff, strict=True))
            for c in range(CLIENTS_PER_SERVER)
        ]
        while sum(1 for s in statuses) < SERVERS * CLIENTS_PER_SERVER * SALES_PER_CLIENT:
            done = [t for t in tasks if t.done()]
            for task in done:
                task.result()  # an order that failed fails the test now
            await asyncio.sleep(0.01)
        start.set()
        await asyncio.gather(*tasks)
    finally:
        for client in clients:
            await client.aclose()
    return statuses


# --- item 11: a rush for the last tickets --------------------------------------------------


def test_a_lock_held_too_long_is_503_with_retry_after_not_a_hang(tmp_path, pg_cluster):
    """A row lock held elsewhere (another program, a stuck transaction): the request waits
    `lock_timeout`, then gets `503 database_busy` with `Retry-After`; once the lock is gone,
    the retry sells."""
    import psycopg

    url = fresh_database(pg_cluster, "held_lock")
    with serving(tmp_path / "server", url, "--no-demo") as (base, process):
        wait_until_healthy(base, process, tmp_path / "server" / "serve.log", timeout=60)
        state = state_on(url, tmp_path / "tests")
        try:
            config = f.make_event(state)["config_ids"][0]
        finally:
            state.engine.dispose()
        with httpx.Client(base_url=base, timeout=20) as client:
            headers = f.guest(client)
            order = {
                "order_item": [{"quantity": 1, "ticket_config_id": config}],
                "format": "PDF",
            }
            plain = url.replace("postgresql+psycopg://", "postgresql://")
            with psycopg.connect(plain) as holder:
                holder.execute("SELECT 1 FROM ticket_config WHERE id = %s FOR UPDATE", [config])
                started = time.monotonic()
                busy = client.post("/event/v1/order", headers=headers, json=order)
                waited = time.monotonic() - started
                holder.rollback()
            assert busy.status_code == 503, busy.text
            assert busy.json()["errorCode"] == "database_busy" and busy.json()["message"]
            assert int(busy.headers["retry-after"]) >= 1
            assert 1 < waited < 15
            retried = client.post("/event/v1/order", headers=headers, json=order)
            assert retried.status_code == 201, retried.text


TICKETS = 50


@pytest.mark.parametrize("clients", [64, 128])
def test_a_rush_for_the_last_tickets_sells_exactly_out_within_seconds(
    tmp_path, pg_cluster, clients
):
    url = fresh_database(pg_cluster, f"rush_{clients}")
    with serving(tmp_path / "server", url, "--no-demo") as (base, process):
        wait_until_healthy(base, process, tmp_path / "server" / "serve.log", timeout=60)
        state = state_on(url, tmp_path / "tests")
        try:
            config = f.make_event(
                state, configs=[{"name": "Last ones", "face_value": "30", "quantity": TICKETS}]
            )["config_ids"][0]
            started = time.monotonic()
            try:
                outcome = asyncio.run(asyncio.wait_for(_rush(base, config, clients), timeout=45))
            except TimeoutError:
                pytest.fail(f"the rush did not finish in 45 s; the sessions:\n{activity(url)}")
            took = time.monotonic() - started
            taken = f.get_config(state, config).taken
        finally:
            state.engine.dispose()
        assert process.poll() is None, log_of(tmp_path / "server")
    sold, answers = outcome
    assert not [s for s in answers if s >= 500 and s != 503], (answers, log_of(tmp_path / "server"))
    assert set(answers) <= {201, 409, 503}, answers
    assert answers[201] == TICKETS == sold == taken
    assert took < 40


async def _rush(base: str, config: int, clients: int) -> tuple[int, Counter[int]]:
    """Every client its own guest, ordering one ticket until told `sold_out`; 503s retry."""
    answers: Counter[int] = Counter()
    sold = 0
    async with _client(base, clients) as client:

        async def guest() -> dict[str, str]:
            response = await client.post("/account/v1/guest/login")
            assert response.status_code == 200, response.text
            return {"Authorization": f"Bearer {response.json()['data']['token']}"}

        guests = await asyncio.gather(*(guest() for _ in range(clients)))
        start = asyncio.Event()

        async def buy(headers: dict[str, str]) -> None:
            nonlocal sold
            await start.wait()
            while True:
                response = await client.post(
                    "/event/v1/order",
                    headers=headers,
                    json={
                        "order_item": [{"quantity": 1, "ticket_config_id": config}],
                        "format": "PDF",
                    },
                )
                answers[response.status_code] += 1
                if response.status_code == 201:
                    sold += 1
                    continue
                if response.status_code == 503:
                    body = response.json()
                    assert body["errorCode"] == "database_busy", body
                    await asyncio.sleep(float(response.headers["retry-after"]))
                    continue
                assert response.status_code == 409, response.text
                assert response.json()["errorCode"] == "sold_out", response.text
                return

        tasks = [asyncio.create_task(buy(headers)) for headers in guests]
        await asyncio.sleep(0.05)
        start.set()
        await asyncio.gather(*tasks)
    return sold, answers
