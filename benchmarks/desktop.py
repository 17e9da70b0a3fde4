"""Desktop benchmark: launch to an interactive window, and a scripted cash sale through the UI.

    .venv/bin/python benchmarks/desktop.py [--launches 5] [--sales 20]

What it does, offscreen (QT_QPA_PLATFORM=offscreen), over 127.0.0.1 only:

1. launch: runs `boxoffice --self-test` as a fresh process `--launches` times. The self-test
   opens the main window, starts the embedded venue server as a child process, signs in as
   the counter account and waits until the event list is shown; "interactive" is that
   moment: on later launches the events come from the catalog cache, before the server has
   answered, and the time until the server's own list is shown is reported too. The first
   launch gets an empty data folder (database created, migrations, demo venue loaded, no
   cache yet); the others reuse it, as every later start of a counter does. Timed from
   spawning the process to its "ready" line (interpreter, imports and Qt start included;
   shutting down afterwards is not counted);
2. sale: in one process, the real app pieces (`app.build_counter`) on the embedded server
   (a child process, as in the app), signed in as the counter account. Each sale is driven
   with keys only, as `tests/helpers/counter.sell_with_keyboard` does: Ctrl+F, type the event
   name, Enter, Alt+Q, type 2, Enter (2 Standard tickets of Pop & Soul Night into the cart),
   F6, type 100, Enter → order, cash payment, tickets downloaded and printed to a PDF file
   (the "PDF file" printer), result on screen. Timed from the first key to the result;
   three sales warm up first, unmeasured; the app's resident memory (RSS, this process: Qt,
   QtWebEngine's browser side, the SDK) is read after the warm-up and after the last sale,
   and the growth per sale between them;
3. prints the machine facts and a table: median, p95, max and throughput, then the memory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.helpers

from venue_server import markdown_table, percentile

if TYPE_CHECKING:
    from boxoffice.sdk import SDK

from boxoffice.desktop.qt_env import prepare_qt_environment

ROOT = Path(__file__).resolve().parent.parent


def environment() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")  # offscreen whatever was set
    prepare_qt_environment(env)
    return env


def time_launches(count: int, folder: Path) -> tuple[list[float], list[float]]:
    """Seconds from spawning `boxoffice --self-test` to its "ready" line (events listed: from
    the catalog cache once there is one), and to the server's own list, per launch."""
    command = [
        str(ROOT / ".venv" / "bin" / "boxoffice"),
        "--self-test",
        "--data-dir",
        str(folder / "data"),
        "--settings-file",
        str(folder / "settings.ini"),
        "--log-level",
        "WARNING",
    ]
    times, server_times = [], []
    for _ in range(count):
        started = time.perf_counter()
        with subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=environment(),
        ) as process:
            assert process.stdout is not None
            line = process.stdout.readline()
            elapsed = time.perf_counter() - started
            server_elapsed = elapsed
            if "from the cache" in line:  # then the server's own list, a line later
                process.stdout.readline()
                server_elapsed = time.perf_counter() - started
            if "ready" not in line or process.wait(timeout=120) != 0:
                raise RuntimeError(f"self-test failed: {line!r}")
        times.append(elapsed)
        server_times.append(server_elapsed)
    return times, server_times


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux: /proc/self/statm)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


MEMORY: dict[str, float] = {}


async def time_sales(count: int, folder: Path) -> list[float]:
    from boxoffice.ui.presenters.printing import PRINT_TO_FILE
    from tests.helpers.counter import embedded_counter, ensure_shift, sell_with_keyboard

    async with embedded_counter(folder, printer=PRINT_TO_FILE) as counter:
        await ensure_shift(counter.sdk)  # cash goes into the counter's open shift
        await _room_for(counter.sdk, 2 * (count + 3))
        times = []
        for index in range(count + 3):
            started = time.perf_counter()
            result = await sell_with_keyboard(
                counter, event_query="pop & soul", quantity=2, tendered="100"
            )
            if result.delivery.printed_pages != 2:
                raise RuntimeError(f"sale {index} printed {result.delivery.message}")
            if index >= 3:
                times.append(time.perf_counter() - started)
            if index == 2:
                MEMORY["after warm-up"] = rss_mb()
        MEMORY["after the last sale"] = rss_mb()
        return times


async def _room_for(sdk: SDK, tickets: int) -> None:
    """Enough Standard tickets of Pop & Soul Night for every sale (the demo has 300)."""
    from boxoffice.sdk.models.events import UpdateTicketConfigRequest

    events = await sdk.event.list_events(limit=50, with_=["ticket_config"])
    pop = next(event for event in events.data if event.name.startswith("Pop & Soul"))
    standard = next(c for c in pop.ticket_config or [] if c.name == "Standard")
    if standard.quantity is not None and standard.quantity < tickets + 300:
        request = UpdateTicketConfigRequest(quantity=tickets + 300)
        await sdk.event.update_ticket_config(standard.id, request)


def run_sales(count: int, folder: Path) -> list[float]:
    os.environ.update(environment())
    import qasync
    from PySide6 import QtWebEngineWidgets  # noqa: F401
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        result: list[float] = loop.run_until_complete(time_sales(count, folder))
        return result


def row(name: str, times: list[float], unit: str) -> list[str]:
    ordered = sorted(times)
    median = percentile(ordered, 50)
    return [
        name,
        str(len(times)),
        f"{median * 1000:.0f} ms",
        f"{percentile(ordered, 95) * 1000:.0f} ms",
        f"{ordered[-1] * 1000:.0f} ms",
        f"{len(times) / sum(times):.2f} {unit}/s",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=5)
    parser.add_argument("--sales", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bo-desktop-bench-") as tmp:
        folder = Path(tmp)
        launches, served = time_launches(args.launches, folder / "launch")
        sales = run_sales(args.sales, folder / "sale")
    print(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, Qt offscreen"
    )
    rows = [
        row("launch → interactive, first (empty data folder)", launches[:1], "launches"),
        row(
            "launch → interactive, later launches (cached catalog)",
            launches[1:] or launches,
            "launches",
        ),
        row(
            "launch → the server's own event list, later launches", served[1:] or served, "launches"
        ),
        row("cash sale of 2 tickets via keys, printed to PDF file", sales, "sales"),
    ]
    print(markdown_table(["measurement", "runs", "median", "p95", "max", "throughput"], rows))
    warm, last = MEMORY["after warm-up"], MEMORY["after the last sale"]
    print(
        f"counter RSS: {warm:.0f} MB after 3 warm-up sales, {last:.0f} MB after {len(sales)} more "
        f"({(last - warm) * 1000 / max(1, len(sales)):+.0f} kB per sale)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
