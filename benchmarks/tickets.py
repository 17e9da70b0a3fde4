"""Ticket-output benchmark: rendering tickets in process, and a whole counter sale over HTTP.

    .venv/bin/python benchmarks/tickets.py [--sales 200] [--runs 50] [--big-runs 10]

What it does, bounded in time and count, over 127.0.0.1 only:

1. in process, no server: builds `TicketView`s with real signed QR payloads (a fresh Ed25519
   event key from `ticket_codes.new_event_keypair`, fresh ticket codes, `sign_ticket`) and times
   `issuing.render_pdf` for an order of 2 tickets and of 50 tickets, on A4 and on ticket stock,
   and `issuing.render_pkpass` for one ticket (signed with the development pass signer from
   `load_or_create_development_signer`, made in a temporary folder). Every timed run gets
   tickets with new codes, as every real order does, so the QR matrices that `qr_mask` caches
   per payload are computed each time; one more row re-renders the same 2 tickets to show
   what that cache saves. The views are built outside the timed part. One untimed render of
   each kind runs first (fonts, Pillow images, imports);
2. end to end: creates a staff account with `boxoffice users add`, starts `boxoffice serve` on
   a free loopback port in a fresh data folder, logs in, creates a published event with one
   10 EUR ticket config, then sells sequentially, as a counter does: `POST /event/v1/order`
   (2 tickets) → `POST /payment/v1/payment?order_id=…&type=cash` with `{"tendered": total}`
   at the counter `Benchmark till` (`X-Counter`), whose shift it opens first
   → `GET /event/v1/order/…/download_tickets` (checked: a PDF, one page per ticket). Both
   POSTs carry the staff bearer token and a fresh `Idempotency-Key`. A few sales warm up
   first, unmeasured. The order has no contact, so paying queues no confirmation mail and the
   only PDF rendered per sale is the download's. The download of the very first sale, right
   after the server answered its health check, is reported on its own ("first PDF after
   server start": one run, the process's one-time PDF work unless the server warmed up). After
   the measured sales, every sold order's tickets are downloaded once more ("download PDF
   again": the same tickets, checked to be the same bytes; the server's PDF cache);
3. prints the machine facts and one table: per measurement, runs, median, p95, max, and
   throughput (renders/s and tickets/s in process; sales/s, or requests/s per step, over
   HTTP), plus the server's CPU time per sale (read from /proc, so Linux only); then stops the
   server whatever happened.

Latency over HTTP is measured in the client (one keep-alive `httpx.Client`), so it includes
the client's own cost; throughput is completed sales over the wall time of the whole phase.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import platform
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# A sibling module: the script's folder is first on sys.path when run as a script.
from venue_server import (
    RequestFailed,
    Server,
    add_staff_account,
    data_of,
    login,
    make_event,
    markdown_table,
    percentile,
    running_server,
    scratch_folder,
    tail,
)

from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.server.services import ticket_codes
from boxoffice.server.services.issuing import render_pdf, render_pkpass
from boxoffice.server.ticketoutput.base import OutputFile, SeatLabel, TicketView
from boxoffice.server.ticketoutput.certificates import (
    PassSigner,
    load_or_create_development_signer,
)
from boxoffice.server.ticketoutput.pdf import PdfOutput

ORGANIZER = "demo"
TICKETS_PER_SALE = 2
FACE_VALUE = 10  # EUR, so a sale is 20 EUR
SALE_QUANTITY = 10_000_000  # never sold out
REQUEST_TIMEOUT = 30.0
RENDER_TIME_LIMIT = 120.0  # seconds per in-process measurement, whatever --runs says
SALES_TIME_LIMIT = 300.0  # seconds for the measured sales, whatever --sales says
TARGET_PDF_2_MS = 30.0
TARGET_REPEAT_MS = 10.0  # a later download of the same tickets (issue 18)
EVENT_ID = 4242  # the event id signed into the in-process payloads


@dataclass
class Row:
    """One measurement: how long each run took, and what one run produces."""

    name: str
    latencies_ms: list[float] = field(default_factory=list)
    wall: float = 0.0  # seconds the whole series took (throughput = runs / wall)
    per_run: int = 1  # tickets per run, for tickets/s (0: not meaningful)
    unit: str = "renders"  # what a run is: renders, sales, requests
    size_bytes: int | None = None  # the file a run makes (the last one)
    server_cpu_ms: float | None = None  # per run, HTTP only
    errors: int = 0

    def cells(self) -> list[str]:
        lat = sorted(self.latencies_ms)
        runs = len(lat)
        rate = runs / self.wall if self.wall and runs else 0.0
        tickets = f"{rate * self.per_run:.0f}" if rate and self.per_run else "-"
        return [
            self.name,
            str(runs),
            str(self.errors),
            f"{statistics.median(lat):.2f}" if lat else "-",
            f"{percentile(lat, 95):.2f}" if lat else "-",
            f"{lat[-1]:.2f}" if lat else "-",
            f"{rate:.1f} {self.unit}/s" if rate else "-",
            tickets,
            f"{self.size_bytes / 1024:.1f}" if self.size_bytes is not None else "-",
            f"{self.server_cpu_ms:.2f}" if self.server_cpu_ms is not None else "-",
        ]


HEADERS = ["measurement", "runs", "errors", "median ms", "p95 ms", "max ms", "throughput"]
HEADERS += ["tickets/s", "file KiB", "server CPU ms/sale"]


def table(rows: list[Row]) -> str:
    return markdown_table(HEADERS, [row.cells() for row in rows])


# --- part 1: rendering in process -----------------------------------------------------------

_ZONE = ZoneInfo("Europe/Prague")
_START = datetime(2026, 12, 12, 19, 30, tzinfo=_ZONE)


def order_views(key: Ed25519PrivateKey, count: int, *, seated: bool = True) -> list[TicketView]:
    """`count` tickets of one order, with new ticket codes and their signed QR payloads."""
    order_code = "BX7K2Q"
    views = []
    for n in range(count):
        code = ticket_codes.new_ticket_code()
        views.append(
            TicketView(
                ticket_id=100_000 + n,
                code=code,
                qr_payload=ticket_codes.sign_ticket(key, EVENT_ID, code),
                event_name="Dvořák & Smetana — New Year's Concert of the Prague Philharmonia",
                event_start=_START,
                event_end=_START + timedelta(hours=2, minutes=30),
                timezone_name="Europe/Prague",
                venue_name="Rudolfinum — Dvořák Hall",
                venue_address="Alšovo nábřeží 12, 110 00, Praha 1",
                ticket_config_name="Parterre, full price",
                sector_name="Parterre" if seated else None,
                seat=SeatLabel(section="Parterre left", row=str(3 + n // 20), seat=str(n % 20 + 1))
                if seated
                else None,
                price=Decimal("45.00"),
                currency="EUR",
                order_code=order_code,
                holder_name="Markéta Nováková",
                organizer_name="Prague Philharmonia z.s.",
                doors_open=_START - timedelta(minutes=45),
            )
        )
    return views


def time_renders(
    name: str,
    runs: int,
    make_views: Callable[[], list[TicketView]],
    render: Callable[[list[TicketView]], OutputFile],
    *,
    check: Callable[[OutputFile, int], str | None],
) -> Row:
    """`runs` renders (fewer if RENDER_TIME_LIMIT runs out), each of fresh views."""
    warm = make_views()
    problem = check(render(warm), len(warm))  # untimed: fonts, images, lazy imports
    row = Row(name, per_run=len(warm), errors=1 if problem else 0)
    if problem:
        print(f"{name}: {problem}", file=sys.stderr)
    deadline = time.perf_counter() + RENDER_TIME_LIMIT
    output: OutputFile | None = None
    for _ in range(runs):
        views = make_views()
        started = time.perf_counter()
        output = render(views)
        took = time.perf_counter() - started
        row.latencies_ms.append(took * 1000)
        row.wall += took  # render time only: building the views is not part of throughput
        if (problem := check(output, len(views))) is not None:
            row.errors += 1
            print(f"{name}: {problem}", file=sys.stderr)
        if time.perf_counter() > deadline:
            break
    row.size_bytes = len(output.data) if output else None
    return row


def check_pdf(output: OutputFile, tickets: int) -> str | None:
    if not output.data.startswith(b"%PDF-") or output.mimetype != "application/pdf":
        return f"not a PDF: {output.mimetype} {output.data[:8]!r}"
    pages = pdf_pages(output.data)
    return None if pages == tickets else f"{pages} pages for {tickets} tickets"


def pdf_pages(data: bytes) -> int:
    """Pages of a ReportLab PDF (page objects are not in object streams there)."""
    return data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + data.count(b"/Type /Page/")


def check_pkpass(output: OutputFile, tickets: int) -> str | None:
    if not output.data.startswith(b"PK\x03\x04"):
        return f"not a zip: {output.data[:8]!r}"
    return None


def bench_renders(args: argparse.Namespace, folder: Path) -> list[Row]:
    key = ticket_codes.load_private_key(ticket_codes.new_event_keypair()[0])
    signer: PassSigner = load_or_create_development_signer(folder / "pass-signer", "Bench")

    def views(count: int) -> Callable[[], list[TicketView]]:
        return lambda: order_views(key, count)

    def pdf(size: str) -> Callable[[list[TicketView]], OutputFile]:
        return lambda v: render_pdf(v, size=size)

    def pkpass(v: list[TicketView]) -> OutputFile:
        return render_pkpass(v, signer)

    same_two = order_views(key, 2)
    measurements: list[tuple[str, int, Callable[[], list[TicketView]], Any, Any]] = [
        ("PDF A4, 2 tickets", args.runs, views(2), pdf("a4"), check_pdf),
        ("PDF ticket stock, 2 tickets", args.runs, views(2), pdf("ticket"), check_pdf),
        (
            "PDF A4, 2 tickets, same codes (QR cached)",
            args.runs,
            lambda: same_two,
            pdf("a4"),
            check_pdf,
        ),
        ("PDF A4, 50 tickets", args.big_runs, views(50), pdf("a4"), check_pdf),
        ("PDF ticket stock, 50 tickets", args.big_runs, views(50), pdf("ticket"), check_pdf),
        ("pkpass, 1 ticket", args.runs, views(1), pkpass, check_pkpass),
    ]
    rows = []
    for name, runs, make, render, check in measurements:
        rows.append(time_renders(f"render: {name}", runs, make, render, check=check))
        print(f"done: {rows[-1].name}", flush=True)
    return rows


# --- part 2: the counter's sale over HTTP ----------------------------------------------------


SaleFailed = RequestFailed  # one step of a sale did not answer as expected


STEPS = ("create order", "pay cash", "download PDF")
BENCH_COUNTER = "Benchmark till"  # the counter (with an open shift) the sales take cash at


def sell(client: httpx.Client, config_id: int) -> tuple[list[float], bytes, int]:
    """One counter sale; the milliseconds of each step, the PDF and the order id."""
    took: list[float] = []
    started = time.perf_counter()
    order = data_of(
        client.post(
            "/event/v1/order",
            json={
                "order_item": [{"quantity": TICKETS_PER_SALE, "ticket_config_id": config_id}],
                "format": "PDF",
            },
            headers={"idempotency-key": str(uuid.uuid4())},
        ),
        201,
    )
    took.append(time.perf_counter() - started)
    order_id, total = order["id"], order["total"]
    started = time.perf_counter()
    paid = data_of(
        client.post(
            "/payment/v1/payment",
            params={"order_id": order_id, "type": "cash"},
            json={"tendered": total},
            headers={"idempotency-key": str(uuid.uuid4())},
        ),
        201,
    )
    took.append(time.perf_counter() - started)
    if paid["order"]["status"] != OrderStatus.PAID:
        raise SaleFailed(f"order {order_id} is {paid['order']['status']} after paying cash")
    ms, data = download(client, order_id)
    return [t * 1000 for t in took] + [ms], data, order_id


def download(client: httpx.Client, order_id: int) -> tuple[float, bytes]:
    """`GET …/download_tickets` of a paid order: milliseconds to the last byte, the PDF."""
    started = time.perf_counter()
    response = client.get(f"/event/v1/order/{order_id}/download_tickets")
    took = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SaleFailed(f"download of order {order_id} → {response.status_code}")
    if not response.content.startswith(b"%PDF"):
        raise SaleFailed(f"download of order {order_id} is not a PDF: {response.content[:8]!r}")
    if (pages := pdf_pages(response.content)) != TICKETS_PER_SALE:
        raise SaleFailed(f"download of order {order_id} has {pages} pages")
    return took, response.content


def bench_sales(args: argparse.Namespace, server: Server) -> list[Row]:
    with httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT) as client:
        client.headers["authorization"] = f"Bearer {login(client)}"
        # Cash needs the open shift of the counter it is taken at.
        client.headers["x-counter"] = BENCH_COUNTER
        data_of(client.post("/payment/v1/shift", json={"float": 0}), 201)
        _, config_id = make_event(
            client, "Ticket benchmark night", quantity=SALE_QUANTITY, face_value=FACE_VALUE
        )
        # The first sale after the server started: its download pays for what a process
        # does once (reportlab, the fonts) unless the server has warmed up in the background.
        cold = Row("HTTP: first PDF after server start", unit="req", per_run=0)
        took, data, _ = sell(client, config_id)
        cold.size_bytes = len(data)
        cold.latencies_ms.append(took[-1])
        cold.wall = took[-1] / 1000
        for _ in range(args.warmup):
            sell(client, config_id)
        print(f"warm-up: {args.warmup} sales", flush=True)

        whole = Row("HTTP: whole sale (3 requests)", unit="sales", per_run=TICKETS_PER_SALE)
        steps = [Row(f"HTTP:   {name}", unit="req", per_run=0) for name in STEPS]
        failures: list[str] = []
        sold: list[tuple[int, bytes]] = []  # each order with the PDF its sale downloaded
        cpu_before = server.cpu_seconds()
        begun = time.perf_counter()
        deadline = begun + SALES_TIME_LIMIT
        for _ in range(args.sales):
            try:
                took, data, order_id = sell(client, config_id)
            except (SaleFailed, httpx.HTTPError) as exc:
                failures.append(f"{type(exc).__name__}: {exc}")
                if len(failures) >= 10:
                    break
                continue
            whole.latencies_ms.append(sum(took))
            sold.append((order_id, data))
            whole.size_bytes = len(data)
            for row, ms in zip(steps, took, strict=True):
                row.latencies_ms.append(ms)
            if time.perf_counter() > deadline:
                print(f"stopped after {SALES_TIME_LIMIT:.0f} s", flush=True)
                break
        wall = time.perf_counter() - begun
        cpu_after = server.cpu_seconds()
        whole.errors = len(failures)
        again = repeat_downloads(client, sold, failures)
    whole.wall = wall
    for row in steps:
        # requests/s of a step alone: back to back, as if the other steps took no time
        row.wall = sum(row.latencies_ms) / 1000
    if cpu_before is not None and cpu_after is not None and whole.latencies_ms:
        whole.server_cpu_ms = (cpu_after - cpu_before) / len(whole.latencies_ms) * 1000
    for failure in failures:
        print(f"sale failed: {failure}", file=sys.stderr)
    return [cold, whole, *steps, again]


def repeat_downloads(
    client: httpx.Client, orders: list[tuple[int, bytes]], failures: list[str]
) -> Row:
    """Each sold order's tickets downloaded once more, after all the sales: the same tickets,
    so the same bytes (checked) and, with the server's PDF cache, no rendering."""
    row = Row("HTTP: download PDF again (same tickets)", unit="req", per_run=0)
    for order_id, first in orders:
        try:
            ms, data = download(client, order_id)
        except (SaleFailed, httpx.HTTPError) as exc:
            failures.append(f"repeat download: {type(exc).__name__}: {exc}")
            continue
        if data != first:
            failures.append(f"repeat download of order {order_id} gave another file")
        row.latencies_ms.append(ms)
        row.size_bytes = len(data)
    row.wall = sum(row.latencies_ms) / 1000
    row.errors = sum(1 for failure in failures if failure.startswith("repeat download"))
    return row


# --- main -----------------------------------------------------------------------------------


def describe_setup() -> str:
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    fonts = PdfOutput().fonts.regular
    cpu = _cpu_model()
    return (
        f"machine: {os.cpu_count()} CPUs{f' ({cpu})' if cpu else ''}, "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}; PDF font: {fonts}; "
        f"server: 1 `boxoffice serve` process (uvicorn, loop={loop}, http={http}), SQLite; "
        "client: one keep-alive httpx.Client, sequential"
    )


def _cpu_model() -> str | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=50, help="renders of the small outputs")
    parser.add_argument("--big-runs", type=int, default=10, help="renders of 50-ticket PDFs")
    parser.add_argument("--sales", type=int, default=200, help="measured sales over HTTP")
    parser.add_argument("--warmup", type=int, default=10, help="sales before, not measured")
    parser.add_argument("--no-http", action="store_true", help="only the in-process renders")
    parser.add_argument("--keep", action="store_true", help="keep the data folder and server log")
    args = parser.parse_args(argv)
    if min(args.runs, args.big_runs, args.sales) < 1 or args.warmup < 0:
        parser.error("run and sale counts must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with scratch_folder("boxoffice-bench-tickets-", keep=args.keep) as folder:
        data_dir, log_path = folder / "data", folder / "server.log"
        try:
            print(describe_setup(), flush=True)
            rows = bench_renders(args, folder)
            if not args.no_http:
                add_staff_account(data_dir)
                with running_server(data_dir, log_path) as server:
                    rows += bench_sales(args, server)
        except Exception as exc:
            print(f"benchmark failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            if log_path.exists():
                print(f"--- server log ---\n{tail(log_path)}", file=sys.stderr)
            return 2

    print()
    print(table(rows))
    print()
    print(
        "In process: each run renders tickets with new codes (new QR payloads), except the"
        " 'same codes' row; throughput = runs / summed render time. HTTP: latency seen by the"
        " client; sales/s = sales / wall time of the phase; a step's req/s = 1 / its mean"
        " latency; server CPU = the server process's CPU time per sale (all threads)."
    )
    for name in ("PDF A4, 2 tickets", "PDF ticket stock, 2 tickets"):
        row = next(r for r in rows if r.name == f"render: {name}")
        median = statistics.median(row.latencies_ms) if row.latencies_ms else float("inf")
        verdict = "met" if median < TARGET_PDF_2_MS else "NOT met"
        print(f"target: {name} < {TARGET_PDF_2_MS:.0f} ms (median {median:.1f} ms): {verdict}")
    http_targets = [
        ("HTTP:   download PDF", "first PDF of 2 tickets over HTTP", TARGET_PDF_2_MS),
        ("HTTP: download PDF again (same tickets)", "repeat download", TARGET_REPEAT_MS),
    ]
    for row_name, label, limit in http_targets:
        found = [r for r in rows if r.name == row_name and r.latencies_ms]
        if found:
            lat = sorted(found[0].latencies_ms)
            median, p95 = statistics.median(lat), percentile(lat, 95)
            verdict = "met" if p95 < limit else "NOT met"
            print(
                f"target: {label} < {limit:.0f} ms (median {median:.2f} ms, "
                f"p95 {p95:.2f} ms): {verdict} at p95"
            )
    errors = sum(r.errors for r in rows)
    print(f"result: {'PASS' if errors == 0 else 'FAIL'} ({errors} errors)")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
