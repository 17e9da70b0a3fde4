"""Guest order latency with and without a flood of wrong passwords, on a real `boxoffice serve`.

    .venv/bin/python benchmarks/signin_flood.py [--duration 10] [--flooders 8] [--guests 1]
        [--unkeyed] [--health]

What it does, all over loopback and bounded in time:

1. creates a staff account (`bench`) with `boxoffice users add` in a fresh SQLite data folder,
   starts `boxoffice serve` on a free port, and as staff creates a published event whose one
   ticket config never sells out;
2. each guest signs in as a guest (`POST /account/v1/guest/login`) and orders 2 tickets at a
   time, back to back (`POST /event/v1/order` with a fresh `Idempotency-Key`, like the SDK);
3. phase "quiet": the guests order for `--duration` seconds, nobody else talks to the server;
4. phase "flood": the same, while `--flooders` anonymous clients send wrong passwords as fast
   as they are answered, each from its own loopback address (127.0.0.2, 127.0.0.3, …), half of
   them at the staff account `bench` and half at made-up user names, each sign-in with a fresh
   `Idempotency-Key` as the SDK sends (`--unkeyed` adds a flood phase without one, on the same
   server, so its addresses start out locked; `--health` a phase flooded with
   `GET /event/health` by as many clients, for what any flood of cheap requests costs). The
   flood runs in a process of its own, from a second before the guests start until a second
   after they stop, so the guests' latency is not the flood's client work on their event loop;
5. prints, per phase, the guests' order latency (median, p95, p99, max), orders/s, and what the
   flood was answered (`401 invalid_credentials`, `429 …`) and how fast.

Latency is measured in the client, so it includes the client's own cost. Guest orders go
through the same write gate as everything else on SQLite, so anything that holds it (or the
CPUs) while a password is checked shows up here.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import multiprocessing
import statistics
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx

# A sibling module: the script's folder is first on sys.path when run as a script.
from venue_server import (
    USERNAME,
    add_staff_account,
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

TICKETS_PER_ORDER = 2
QUANTITY = 10_000_000  # never sold out
REQUEST_TIMEOUT = 30.0


@dataclass
class Phase:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    flood: Counter[str] = field(default_factory=Counter)
    flood_ms: list[float] = field(default_factory=list)
    elapsed: float = 0.0


def _code(response: httpx.Response) -> str:
    try:
        return f"{response.status_code} {response.json().get('code', '?')}"
    except ValueError:
        return f"{response.status_code} ?"


async def _guest(base_url: str, config_id: int, deadline: float, phase: Phase) -> None:
    body = json.dumps(
        {
            "order_item": [{"quantity": TICKETS_PER_ORDER, "ticket_config_id": config_id}],
            "format": "PDF",
        }
    ).encode()
    async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT) as client:
        token = data_of(await client.post("/account/v1/guest/login"))["token"]
        while time.perf_counter() < deadline:
            try:
                response, took = await timed_order(client, token, body)
            except httpx.HTTPError as exc:
                phase.failures[f"transport: {type(exc).__name__}"] += 1
                continue
            if response.status_code == 201:
                phase.latencies_ms.append(took)
            else:
                phase.failures[_code(response)] += 1


@dataclass(frozen=True)
class Flood:
    """The flood of one phase; picklable, for the flood's own process."""

    base_url: str
    flooders: int
    seconds: float
    keyed: bool
    health: bool = False  # `GET /event/health` instead of sign-ins: any flood's cost


async def _flooder(
    flood: Flood, index: int, deadline: float, answers: Counter[str], took_ms: list[float]
) -> None:
    """Wrong passwords from 127.0.0.(2 + index), as fast as they are answered; each with a
    fresh `Idempotency-Key` as the SDK sends (`flood.keyed`), or none."""
    transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{2 + index}")
    async with httpx.AsyncClient(
        base_url=flood.base_url, timeout=REQUEST_TIMEOUT, transport=transport
    ) as client:
        attempt = 0
        while time.perf_counter() < deadline:
            attempt += 1
            username = USERNAME if index % 2 == 0 else f"nobody-{index}-{attempt}"
            started = time.perf_counter()
            try:
                if flood.health:
                    response = await client.get("/event/health")
                else:
                    response = await client.post(
                        "/account/v1/auth/login",
                        json={"username": username, "password": f"wrong guess {attempt}"},
                        headers={"idempotency-key": str(uuid.uuid4())} if flood.keyed else None,
                    )
            except httpx.HTTPError as exc:
                answers[f"transport: {type(exc).__name__}"] += 1
                continue
            took_ms.append((time.perf_counter() - started) * 1000)
            answers[_code(response)] += 1


async def _flood(flood: Flood) -> tuple[Counter[str], list[float]]:
    answers: Counter[str] = Counter()
    took_ms: list[float] = []
    deadline = time.perf_counter() + flood.seconds
    await asyncio.gather(
        *(_flooder(flood, i, deadline, answers, took_ms) for i in range(flood.flooders))
    )
    return answers, took_ms


def run_flood(flood: Flood) -> tuple[Counter[str], list[float]]:
    """Entry point of the flood's process (so the guests' latency is not the flood's client
    work on the same event loop)."""
    return asyncio.run(_flood(flood))


async def _guests(
    base_url: str, config_id: int, guests: int, duration: float, phase: Phase
) -> None:
    started = time.perf_counter()
    try:
        await asyncio.gather(
            *(_guest(base_url, config_id, started + duration, phase) for _ in range(guests))
        )
    finally:
        phase.elapsed = time.perf_counter() - started


def run_phase(
    pool: concurrent.futures.ProcessPoolExecutor,
    name: str,
    base_url: str,
    config_id: int,
    *,
    guests: int,
    flooders: int,
    duration: float,
    keyed: bool = True,
    health: bool = False,
) -> Phase:
    """The guests order for `duration` seconds; a flood (if any) runs in another process from
    a second before until a second after."""
    phase = Phase(name)
    future = None
    if flooders:
        future = pool.submit(
            run_flood, Flood(base_url, flooders, duration + 2.0, keyed=keyed, health=health)
        )
        time.sleep(1.0)  # let the flood get going before the guests are measured
    asyncio.run(_guests(base_url, config_id, guests, duration, phase))
    if future is not None:
        phase.flood, phase.flood_ms = future.result()
    return phase


def _ms(values: list[float], pct: float | None = None) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    value = statistics.median(ordered) if pct is None else percentile(ordered, pct)
    return f"{value:.1f}"


def report(phases: list[Phase]) -> str:
    rows = [
        [
            p.name,
            str(len(p.latencies_ms)),
            str(sum(p.failures.values())),
            f"{len(p.latencies_ms) / p.elapsed:.0f}" if p.elapsed else "-",
            _ms(p.latencies_ms),
            _ms(p.latencies_ms, 95),
            _ms(p.latencies_ms, 99),
            f"{max(p.latencies_ms):.1f}" if p.latencies_ms else "-",
            str(sum(p.flood.values())),
            _ms(p.flood_ms),
        ]
        for p in phases
    ]
    headers = [
        "phase",
        "orders",
        "failed",
        "orders/s",
        "median ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "sign-ins",
        "sign-in median ms",
    ]
    lines = [markdown_table(headers, rows)]
    for p in phases:
        if p.flood:
            lines.append(f"{p.name}: flood answered {dict(sorted(p.flood.items()))}")
        if p.failures:
            lines.append(f"{p.name}: order failures {dict(p.failures)}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase")
    parser.add_argument("--flooders", type=int, default=8, help="clients sending wrong passwords")
    parser.add_argument("--guests", type=int, default=1, help="guests ordering back to back")
    parser.add_argument(
        "--unkeyed",
        action="store_true",
        help="also a flood phase whose sign-ins carry no Idempotency-Key",
    )
    parser.add_argument(
        "--health",
        action="store_true",
        help="also a phase flooded with GET /event/health: what any flood of requests costs",
    )
    parser.add_argument("--keep", action="store_true", help="keep the data folder and server log")
    args = parser.parse_args(argv)
    if args.guests < 1 or args.flooders < 0 or args.flooders > 250:
        parser.error("--guests must be positive and --flooders between 0 and 250")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with scratch_folder("boxoffice-signin-", keep=args.keep) as folder:
        data_dir, log_path = folder / "data", folder / "server.log"
        try:
            add_staff_account(data_dir)
            with running_server(data_dir, log_path) as server:
                with httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT) as client:
                    client.headers["authorization"] = f"Bearer {login(client)}"
                    _, config_id = make_event(client, "Flood", quantity=QUANTITY)
                plan = [("quiet", 0, True, False), ("flood", args.flooders, True, False)]
                if args.unkeyed:
                    plan.append(("flood, no key", args.flooders, False, False))
                if args.health:
                    plan.append(("health flood", args.flooders, False, True))
                context = multiprocessing.get_context("spawn")
                with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
                    phases = [
                        run_phase(
                            pool,
                            name,
                            server.url,
                            config_id,
                            guests=args.guests,
                            flooders=flooders,
                            duration=args.duration,
                            keyed=keyed,
                            health=health,
                        )
                        for name, flooders, keyed, health in plan
                    ]
        except Exception as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            print(f"--- server log ---\n{tail(log_path)}", file=sys.stderr)
            return 2
    print(
        f"{args.guests} guest(s) ordering back to back; flood: {args.flooders} clients sending "
        f"wrong passwords, each from its own loopback address; {args.duration:g} s per phase"
    )
    print(report(phases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
