"""Venue server start benchmark: spawning `boxoffice serve` until `GET /event/health` answers.

    .venv/bin/python benchmarks/server_start.py [--starts 7] [--no-bytecode-cache] [--keep]

What it does, over 127.0.0.1 only:

1. starts `python -m boxoffice serve --host 127.0.0.1 --port P --data-dir D` as the desktop
   app's embedded server does (`boxoffice/desktop/embedded.py`: a fresh counter password in
   `BOXOFFICE_COUNTER_PASSWORD`, `PYTHONUNBUFFERED=1`, stdin closed, output to a log file) and
   times it from spawning the process to the first 200 from `/event/health` (polled every
   10 ms), then stops it with SIGTERM (not counted). The first start gets an empty data folder
   (database created and migrated, demo venue loaded) and is reported on its own; the
   `--starts` others reuse it, as every later start of the app does;
2. Python's bytecode is cached in the scratch folder (`PYTHONPYCACHEPREFIX`), as an installed
   app has it, so the first start also compiles every module (installed packages too) and the
   later ones do not; with `--no-bytecode-cache` (`PYTHONDONTWRITEBYTECODE`, as this project's
   sandbox sets it) the installed packages use their own `__pycache__` but the project's
   modules, never cached, are compiled at every start;
3. one more start under `python -X importtime` (not timed): the 15 imports with the largest
   cumulative time, from its stderr (`--top 0` skips it). Import times under `-X importtime`
   run slower than without it; compare them with each other only;
4. prints the machine facts and a table: median, p95 and max, and the server process's CPU
   time (user + system, all its threads) until it answered: the median over the later starts.
   The CPU time hardly changes when other processes load the machine; the wall time does.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from venue_server import Server, markdown_table, percentile, scratch_folder, tail

from tests.helpers.processes import free_port  # the repository is on the path (venue_server)


def environment(folder: Path, *, bytecode_cache: bool) -> dict[str, str]:
    """The embedded server's environment, with the bytecode cached in `folder` or not at all."""
    env = dict(os.environ, BOXOFFICE_COUNTER_PASSWORD=secrets.token_urlsafe(24))
    env["PYTHONUNBUFFERED"] = "1"
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def serve_command(data_dir: Path, port: int, python_options: Sequence[str] = ()) -> list[str]:
    """The embedded server's command line (`EmbeddedServer._launch`)."""
    return [
        sys.executable,
        *python_options,
        "-m",
        "boxoffice",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
    ]


@dataclass(frozen=True)
class Start:
    seconds: float  # from spawning the process to the first 200 from /event/health
    cpu_seconds: float | None  # the server process's user + system CPU time until then


def time_start(folder: Path, *, bytecode_cache: bool, timeout: float = 60.0) -> Start:
    """Time `boxoffice serve` from spawning it to the first 200 from `/event/health`."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/event/health"
    log_path = folder / "server.log"
    with log_path.open("ab") as log, httpx.Client(timeout=1.0) as client:
        started = time.perf_counter()
        process = subprocess.Popen(
            serve_command(folder / "data", port),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment(folder, bytecode_cache=bytecode_cache),
        )
        try:
            while time.perf_counter() - started < timeout:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"the server exited with {process.returncode}:\n{tail(log_path)}"
                    )
                try:
                    if client.get(url).status_code == 200:
                        elapsed = time.perf_counter() - started
                        return Start(elapsed, Server(url, process.pid).cpu_seconds())
                except httpx.TransportError:
                    pass
                time.sleep(0.01)
            raise RuntimeError(f"no answer from {url} in {timeout:.0f} s:\n{tail(log_path)}")
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass(frozen=True)
class ImportCost:
    module: str
    cumulative_ms: float
    self_ms: float


def parse_importtime(stderr: str) -> list[ImportCost]:
    """The `import time: self [us] | cumulative | name` lines of `python -X importtime`."""
    costs = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|", 2)
        costs.append(ImportCost(name.strip(), int(cumulative) / 1000, int(own) / 1000))
    return costs


def import_costs(folder: Path, *, bytecode_cache: bool) -> list[ImportCost]:
    """Start the server once under `-X importtime` until it answers; its imports."""
    port = free_port()
    stderr_path = folder / "importtime.txt"
    with stderr_path.open("wb") as stderr, httpx.Client(timeout=1.0) as client:
        process = subprocess.Popen(
            serve_command(folder / "data", port, ["-X", "importtime"]),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=environment(folder, bytecode_cache=bytecode_cache),
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    if client.get(f"http://127.0.0.1:{port}/event/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.02)
        finally:
            process.terminate()
            process.wait(timeout=15)
    return parse_importtime(stderr_path.read_text(errors="replace"))


def ms(seconds: float | None) -> str:
    return "?" if seconds is None else f"{seconds * 1000:.0f} ms"


def median_cpu(starts: list[Start]) -> float | None:
    known = [start.cpu_seconds for start in starts if start.cpu_seconds is not None]
    return statistics.median(known) if known else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=7, help="warm starts to time (default 7)")
    parser.add_argument(
        "--no-bytecode-cache",
        dest="bytecode_cache",
        action="store_false",
        help="write no bytecode (PYTHONDONTWRITEBYTECODE): the project's modules are "
        "compiled at every start",
    )
    parser.add_argument(
        "--top", type=int, default=15, help="largest cumulative imports to list (0: none)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data folder and the log")
    args = parser.parse_args()

    print(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; bytecode "
        f"{'cached' if args.bytecode_cache else 'not written (PYTHONDONTWRITEBYTECODE)'}"
    )
    with scratch_folder("boxoffice-start-", keep=args.keep) as folder:
        first = time_start(folder, bytecode_cache=args.bytecode_cache)
        starts = [
            time_start(folder, bytecode_cache=args.bytecode_cache) for _ in range(args.starts)
        ]
        costs = import_costs(folder, bytecode_cache=args.bytecode_cache) if args.top else []
    warm = sorted(start.seconds for start in starts)
    rows = [
        [
            "spawn → /health 200, first start (new data folder)",
            "1",
            ms(first.seconds),
            "",
            "",
            ms(first.cpu_seconds),
        ],
        [
            "spawn → /health 200, later starts",
            str(len(warm)),
            ms(statistics.median(warm)),
            ms(percentile(warm, 95)),
            ms(warm[-1]),
            ms(median_cpu(starts)),
        ],
    ]
    print(markdown_table(["measurement", "runs", "median", "p95", "max", "server CPU"], rows))
    print(f"all later starts: {', '.join(ms(t) for t in warm)}")
    if costs:
        print(f"\n{len(costs)} modules imported; the largest, under -X importtime:")
        largest = sorted(costs, key=lambda cost: cost.cumulative_ms, reverse=True)[: args.top]
        print(
            markdown_table(
                ["module", "cumulative", "self"],
                [[c.module, f"{c.cumulative_ms:.0f} ms", f"{c.self_ms:.1f} ms"] for c in largest],
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
