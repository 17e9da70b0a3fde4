"""Order-creation benchmark against a real `boxoffice serve` process on SQLite.

    .venv/bin/python benchmarks/orders.py [--duration 20] [--clients 8,32] [--client-procs 1]
                                          [--workers 1]

What it does, all over 127.0.0.1 and bounded in time and count:

1. creates a staff account with `boxoffice users add` in a fresh data folder, starts
   `boxoffice serve` on a free port (the demo organizer `demo` is loaded) and waits for
   `GET /event/health`;
2. logs in and, as staff over HTTP, creates two published events: "Load" with one ticket config
   large enough never to sell out, and "Race" whose config has `--race-tickets` tickets;
3. phase a: one client orders 2 tickets at a time, sequentially (`--sequential` orders);
   phases b, c…: N concurrent clients (one keep-alive `httpx.AsyncClient` per simulated
   counter, as the SDK does) for `--duration` seconds each;
   last phase: `--race-clients` clients race for the Race tickets until each is told `sold_out`;
4. checks that nothing was oversold: for both configs, tickets taken (GET ticket_config) ==
   sum of the quantities of the orders the server lists (GET /event/v1/order, paged as staff)
   == 2 × the orders the clients were told were created, and ≤ quantity; that every failed
   race request was a 409 `sold_out`; and that the load phases had no errors at all;
5. prints a table: per phase, orders/s, latency percentiles, and the CPU time that the server
   process (all its threads) and the client process(es) spent per request (server CPU is read
   from /proc, so Linux only); then stops the server whatever happened.

Every order is `POST /event/v1/order` with a bearer token and a fresh `Idempotency-Key`, like
the real SDK sends. Latency is measured in the client, so it includes the client's own cost;
the CPU columns tell how the machine's cores were shared between server and clients.
`--client-procs N` spreads the concurrent clients over N worker processes; `--workers N`
serves with `boxoffice serve --workers N` (server CPU then sums the worker processes);
`--database URL` serves from that (empty) PostgreSQL database instead of SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import importlib.util
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

# A sibling module: the script's folder is first on sys.path when run as a script.
from venue_server import (
    Server,
    add_staff_account,
    body_of,
    data_of,
    login,
    make_event,
    markdown_table,
    percentile,
    running_server,
    scratch_folder,
    tail,
    timed_order,
)

from boxoffice.sdk.models.order_status import OrderStatus

ORGANIZER = "demo"
TICKETS_PER_ORDER = 2
LOAD_QUANTITY = 10_000_000  # never sold out during the timed phases
RACE_TIME_LIMIT = 60.0  # seconds; the race normally ends in one or two
REQUEST_TIMEOUT = 30.0


# --- the simulated counters (run in this process or in worker processes) --------------------


@dataclass
class Tally:
    """What one group of clients saw in one phase."""

    latencies_ms: list[float] = field(default_factory=list)  # successful orders only
    created: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # "409 sold_out", "transport: …"
    elapsed: float = 0.0
    client_cpu: float = 0.0  # CPU seconds the clients' processes used
    server_cpu: float | None = None  # CPU seconds the server used (Linux only)

    def merge(self, other: Tally) -> None:
        self.latencies_ms.extend(other.latencies_ms)
        self.created += other.created
        self.failures.update(other.failures)
        self.elapsed = max(self.elapsed, other.elapsed)
        self.client_cpu += other.client_cpu

    @property
    def answers(self) -> int:
        return self.created + sum(self.failures.values())


@dataclass(frozen=True)
class Job:
    """One group of clients for one phase; picklable, for worker processes."""

    base_url: str
    token: str
    config_id: int
    clients: int
    start_at: float  # time.time() at which every group starts, so groups overlap exactly
    duration: float  # seconds; the phase ends when it is over...
    max_orders: int  # ...or when this group has sent this many orders
    until_sold_out: bool = False  # a client stops at its first `sold_out`


async def _counter(
    client: httpx.AsyncClient, job: Job, deadline: float, budget: list[int], tally: Tally
) -> None:
    body = {
        "order_item": [{"quantity": TICKETS_PER_ORDER, "ticket_config_id": job.config_id}],
        "format": "PDF",
    }
    content = json.dumps(body).encode()
    while time.perf_counter() < deadline and budget[0] > 0:
        budget[0] -= 1
        try:
            response, took = await timed_order(client, job.token, content)
        except httpx.HTTPError as exc:
            tally.failures[f"transport: {type(exc).__name__}"] += 1
            continue
        if response.status_code == 201:
            tally.created += 1
            tally.latencies_ms.append(took)
            continue
        try:
            answer = response.json()
            code = answer.get("errorCode") or answer.get("code", "?")
        except ValueError:
            code = "?"
        tally.failures[f"{response.status_code} {code}"] += 1
        if job.until_sold_out and code == "sold_out":
            return


async def _run_job(job: Job) -> Tally:
    delay = job.start_at - time.time()
    if delay > 0:
        await asyncio.sleep(delay)
    tally = Tally()
    budget = [job.max_orders]
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(base_url=job.base_url, limits=limits, timeout=REQUEST_TIMEOUT)
        for _ in range(job.clients)
    ]
    started, cpu = time.perf_counter(), time.process_time()
    deadline = started + job.duration
    try:
        await asyncio.gather(*(_counter(c, job, deadline, budget, tally) for c in clients))
    finally:
        tally.elapsed = time.perf_counter() - started
        tally.client_cpu = time.process_time() - cpu
        for c in clients:
            await c.aclose()
    return tally


def run_job(job: Job) -> Tally:
    """Entry point of a worker process."""
    return asyncio.run(_run_job(job))


def run_phase(
    pool: concurrent.futures.ProcessPoolExecutor | None,
    procs: int,
    job: Job,
    server: Server | None = None,
) -> Tally:
    """Run `job.clients` clients, split over `procs` worker processes (or here if no pool)."""
    server_cpu = server.cpu_seconds() if server else None
    tally = _run_phase(pool, procs, job)
    if server_cpu is not None and server is not None:
        now = server.cpu_seconds()
        tally.server_cpu = None if now is None else now - server_cpu
    return tally


def _run_phase(
    pool: concurrent.futures.ProcessPoolExecutor | None,
    procs: int,
    job: Job,
) -> Tally:
    if pool is None:
        return asyncio.run(_run_job(job))
    shares = [job.clients // procs + (1 if i < job.clients % procs else 0) for i in range(procs)]
    shares = [s for s in shares if s]
    start_at = time.time() + 0.5  # time for the workers to pick up their share
    budgets = [job.max_orders // len(shares) + 1 for _ in shares]
    futures = [
        pool.submit(
            run_job,
            Job(
                job.base_url,
                job.token,
                job.config_id,
                share,
                start_at,
                job.duration,
                budget,
                job.until_sold_out,
            ),
        )
        for share, budget in zip(shares, budgets, strict=True)
    ]
    total = Tally()
    for future in futures:
        total.merge(future.result())
    return total


# --- the server -----------------------------------------------------------------------------


# --- catalog set-up and checks over HTTP ------------------------------------------------------


@dataclass
class Check:
    name: str
    quantity: int
    taken: int
    listed_orders: int
    listed_tickets: int
    created_seen: int  # 201 answers the clients got
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_sales(
    client: httpx.Client, name: str, event_id: int, config_id: int, created_seen: int
) -> Check:
    """Compare the config's counter with the orders the server lists, page by page."""
    config = data_of(client.get(f"/event/v1/ticket_config/{config_id}"))
    quantity, available = int(config["quantity"]), int(config["available"])
    taken = quantity - available
    orders: dict[int, dict[str, Any]] = {}
    offset, total = 0, None
    while total is None or offset < total:
        page = body_of(
            client.get(
                "/event/v1/order",
                params={
                    "event_id": event_id,
                    "include_not_owned": "true",
                    "limit": 500,
                    "offset": offset,
                },
            )
        )
        total = int(page["paging"]["total"])
        if not page["data"]:
            break
        for order in page["data"]:
            orders[order["id"]] = order
        offset += len(page["data"])
    problems: list[str] = []
    holding = [o for o in orders.values() if o["box_office_status"] != OrderStatus.CANCELED]
    tickets = sum(
        item["quantity"]
        for o in holding
        for item in o["order_item"]
        if item["ticket_config_id"] == config_id
    )
    if len(orders) != total:
        problems.append(f"listed {len(orders)} distinct orders but paging.total is {total}")
    if taken != tickets:
        problems.append(f"the config counts {taken} taken but the orders hold {tickets}")
    if tickets > quantity:
        problems.append(f"OVERSOLD: {tickets} tickets sold of {quantity}")
    if len(holding) != created_seen:
        problems.append(f"the server lists {len(holding)} orders, clients saw {created_seen} 201s")
    if any(len(o["order_item"]) != 1 for o in holding):
        problems.append("an order has other than one item")
    return Check(name, quantity, taken, len(holding), tickets, created_seen, problems)


# --- figures --------------------------------------------------------------------------------


@dataclass
class Row:
    phase: str
    clients: int
    tally: Tally
    errors: int  # failures that should not have happened

    def cells(self) -> list[str]:
        lat = sorted(self.tally.latencies_ms)
        rate = self.tally.created / self.tally.elapsed if self.tally.elapsed else 0.0
        return [
            self.phase,
            str(self.clients),
            str(self.tally.created),
            str(sum(self.tally.failures.values())),
            str(self.errors),
            f"{rate:.0f}",
            f"{statistics.median(lat):.2f}" if lat else "-",
            f"{percentile(lat, 95):.2f}" if lat else "-",
            f"{percentile(lat, 99):.2f}" if lat else "-",
            f"{lat[-1]:.1f}" if lat else "-",
            _per_answer(self.tally.server_cpu, self.tally.answers),
            _per_answer(self.tally.client_cpu, self.tally.answers),
        ]


def _per_answer(cpu_seconds: float | None, answers: int) -> str:
    return "-" if cpu_seconds is None or not answers else f"{cpu_seconds / answers * 1000:.2f}"


HEADERS = ["phase", "clients", "orders", "failed", "errors", "orders/s", "median ms", "p95 ms"]
HEADERS += ["p99 ms", "max ms", "server CPU ms/req", "client CPU ms/req"]


def table(rows: list[Row]) -> str:
    return markdown_table(HEADERS, [row.cells() for row in rows])


class ServerTree(Server):
    """The server and its worker processes: CPU time is summed over all of them."""

    def cpu_seconds(self) -> float | None:
        total = 0.0
        for pid in _process_tree(self.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue  # ended meanwhile
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total if Path(f"/proc/{self.pid}").exists() else None

    def rss_mb(self) -> dict[str, float]:
        """Resident memory of each process of the tree, by its command (MB)."""
        found: dict[str, float] = {}
        for pid in _process_tree(self.pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            kb = next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
            )
            name = (
                "stripe emulator"
                if b"localstripe" in command or b"emulator" in command
                else ("server" if pid == self.pid else "server worker")
            )
            found[name] = found.get(name, 0.0) + kb / 1000
        return found


def _process_tree(pid: int) -> list[int]:
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(child) for child in task.read_text().split())
    return found


def describe_setup(procs: int, workers: int = 1, database: str | None = None) -> str:
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    where = "this process" if procs <= 1 else f"{procs} worker processes"
    return (
        f"server: 1 `boxoffice serve` process with {workers} worker(s) "
        f"(uvicorn, loop={loop}, http={http}), {'PostgreSQL' if database else 'SQLite WAL'}; "
        f"clients: one keep-alive httpx.AsyncClient per counter, in {where}; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"
    )


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per load phase")
    parser.add_argument(
        "--clients",
        default="8,32",
        help="concurrent clients of each load phase, comma-separated (default 8,32)",
    )
    parser.add_argument(
        "--sequential", type=int, default=1000, help="orders of the single-client phase"
    )
    parser.add_argument(
        "--warmup", type=int, default=50, help="orders before phase a, not measured"
    )
    parser.add_argument(
        "--race-clients", type=int, default=32, help="clients racing for the last tickets"
    )
    parser.add_argument(
        "--race-tickets",
        type=int,
        default=501,
        help="tickets of the race config (odd, so one is left that no 2-ticket order gets)",
    )
    parser.add_argument(
        "--client-procs",
        type=int,
        default=1,
        help="worker processes for the concurrent clients (1: all in this process)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes of the server (serve --workers)"
    )
    parser.add_argument(
        "--database", metavar="URL", help="an empty PostgreSQL database (default: SQLite)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data folder and server log")
    args = parser.parse_args(argv)
    args.client_counts = [int(c) for c in str(args.clients).split(",") if c.strip()]
    if any(c < 1 for c in args.client_counts) or min(args.client_procs, args.workers) < 1:
        parser.error("client counts, --client-procs and --workers must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with scratch_folder("boxoffice-bench-", keep=args.keep) as folder:
        data_dir, log_path = folder / "data", folder / "server.log"
        pool = (
            concurrent.futures.ProcessPoolExecutor(
                args.client_procs, mp_context=multiprocessing.get_context("spawn")
            )
            if args.client_procs > 1
            else None
        )
        try:
            # Read by `boxoffice users add` and `boxoffice serve`.
            os.environ["BOXOFFICE_WORKERS"] = str(args.workers)
            if args.database:
                os.environ["BOXOFFICE_DATABASE_URL"] = args.database
            add_staff_account(data_dir)
            with running_server(data_dir, log_path) as server:
                return bench(args, ServerTree(server.url, server.pid), pool)
        except Exception as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            print(f"--- server log ---\n{tail(log_path)}", file=sys.stderr)
            return 2
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)


def bench(
    args: argparse.Namespace, server: Server, pool: concurrent.futures.ProcessPoolExecutor | None
) -> int:
    base_url = server.url
    print(describe_setup(args.client_procs, args.workers, args.database))
    with httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT) as client:
        token = login(client)
        client.headers["authorization"] = f"Bearer {token}"
        load_event, load_config = make_event(
            client, "Load", quantity=LOAD_QUANTITY, config_name="Load standard"
        )
        race_event, race_config = make_event(
            client, "Race", quantity=args.race_tickets, config_name="Race standard"
        )

    def job(config_id: int, clients: int, duration: float, max_orders: int, **kw: Any) -> Job:
        return Job(base_url, token, config_id, clients, 0.0, duration, max_orders, **kw)

    rows: list[Row] = []
    load_created = 0
    warm = run_phase(None, 1, job(load_config, 1, 60, args.warmup))
    load_created += warm.created
    print(f"warm-up: {warm.created} orders, failures {dict(warm.failures) or 0}", flush=True)

    seq = run_phase(None, 1, job(load_config, 1, 120, args.sequential), server)
    rows.append(Row("a sequential", 1, seq, sum(seq.failures.values())))
    load_created += seq.created
    print(f"phase a done: {seq.created} orders", flush=True)

    for n, clients in enumerate(args.client_counts):
        tally = run_phase(
            pool, args.client_procs, job(load_config, clients, args.duration, 10_000_000), server
        )
        letter = "bcdefghijk"[n % 10]
        rows.append(Row(f"{letter} concurrent", clients, tally, sum(tally.failures.values())))
        load_created += tally.created
        print(f"phase {letter} done: {tally.created} orders", flush=True)

    race = run_phase(
        pool,
        args.client_procs,
        job(
            race_config,
            args.race_clients,
            RACE_TIME_LIMIT,
            2 * args.race_tickets,  # bounded: at most twice as many attempts as tickets
            until_sold_out=True,
        ),
        server,
    )
    unexpected = sum(n for what, n in race.failures.items() if what != "409 sold_out")
    rows.append(Row("race to sell-out", args.race_clients, race, unexpected))

    with httpx.Client(
        base_url=base_url, timeout=120, headers={"authorization": f"Bearer {token}"}
    ) as client:
        checks = [
            check_sales(client, "Load", load_event, load_config, load_created),
            check_sales(client, "Race", race_event, race_config, race.created),
        ]
    race_check = checks[1]
    if race.failures.get("409 sold_out", 0) < 1:
        race_check.problems.append("no client was told sold_out")
    if race_check.taken != race_check.quantity - race_check.quantity % TICKETS_PER_ORDER:
        race_check.problems.append(
            f"the race left {race_check.quantity - race_check.taken} tickets unsold"
        )
    load_errors = sum(row.errors for row in rows)

    print()
    print(table(rows))
    print()
    print(
        "failed = non-201 answers; errors = failures other than the race's 409 sold_out;"
        " CPU ms/req = CPU time of the server processes (all their threads) or of the client"
        " process(es) during the phase, per answered request."
    )
    print(f"race failures: {dict(race.failures) or 'none'}")
    if isinstance(server, ServerTree):
        memory = ", ".join(f"{name} {mb:.0f} MB" for name, mb in server.rss_mb().items())
        total = load_created + race.created
        print(f"memory after {total} orders (RSS): {memory}")
    for check in checks:
        verdict = "OK" if check.ok else "FAILED: " + "; ".join(check.problems)
        print(
            f"oversell check {check.name}: quantity {check.quantity}, taken {check.taken}, "
            f"{check.listed_orders} orders listed holding {check.listed_tickets} tickets, "
            f"{check.created_seen} created answers seen → {verdict}"
        )
    passed = all(c.ok for c in checks) and load_errors == 0
    print(f"result: {'PASS' if passed else 'FAIL'} (zero oversell, zero unexpected errors)")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
