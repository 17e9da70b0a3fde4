"""What the benchmarks share: a scratch folder, a real `boxoffice serve` on a free loopback
port with a staff account, a login, the `{"data": …}` envelope, and nearest-rank percentiles."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as benchmarks/<name>.py
from tests.helpers.processes import free_port, wait_until_healthy

USERNAME = "bench"
PASSWORD = "benchmark password"


class RequestFailed(RuntimeError):
    """A request did not answer as expected."""


@contextlib.contextmanager
def scratch_folder(prefix: str, *, keep: bool) -> Iterator[Path]:
    """A new temporary folder for the data and the server log; removed when the block ends,
    unless `keep` (then its path is printed)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        if keep:
            print(f"data and server log kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def boxoffice_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "boxoffice", *args]


def add_staff_account(data_dir: Path) -> None:
    subprocess.run(
        boxoffice_command(
            *f"users add {USERNAME} --role staff --password-stdin --data-dir".split(), str(data_dir)
        ),
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
        timeout=120,
    )


@dataclass(frozen=True)
class Server:
    url: str
    pid: int

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the server process so far (None where /proc is missing)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError, AttributeError):
            return None


@contextlib.contextmanager
def running_server(data_dir: Path, log_path: Path) -> Iterator[Server]:
    """`boxoffice serve` on a free loopback port until the block ends."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            boxoffice_command(
                *f"serve --host 127.0.0.1 --port {port} --log-level warning --data-dir".split(),
                str(data_dir),
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_healthy(base_url, process, log_path, timeout=60)
            yield Server(base_url, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def body_of(response: httpx.Response, expected: int = 200) -> Any:
    """The whole JSON answer (a list page is `{"data": [...], "paging": {...}}`)."""
    if response.status_code != expected:
        raise RequestFailed(
            f"{response.request.method} {response.request.url.path} → "
            f"{response.status_code}: {response.text[:500]}"
        )
    return response.json()


def data_of(response: httpx.Response, expected: int = 200) -> Any:
    """What a single-object answer carries: its `data`."""
    return body_of(response, expected)["data"]


def login(client: httpx.Client) -> str:
    data = data_of(
        client.post("/account/v1/auth/login", json={"username": USERNAME, "password": PASSWORD})
    )
    token: str = data["token"]
    return token


async def timed_order(
    client: httpx.AsyncClient, token: str, body: bytes
) -> tuple[httpx.Response, float]:
    """POST one order (`body`, JSON) with its own Idempotency-Key, as the SDK sends it: the
    answer and how long it took in ms. Transport errors are the caller's (httpx.HTTPError)."""
    headers = {
        "authorization": f"Bearer {token}",
        "idempotency-key": str(uuid.uuid4()),
        "content-type": "application/json",
    }
    started = time.perf_counter()
    response = await client.post("/event/v1/order", content=body, headers=headers)
    return response, (time.perf_counter() - started) * 1000


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def latency_row(name: str, values: list[float]) -> list[str]:
    """A table row: `name`, then the median, p95 and max of `values` (one decimal)."""
    ordered = sorted(values)
    return [
        name,
        f"{percentile(ordered, 50):.1f}",
        f"{percentile(ordered, 95):.1f}",
        f"{ordered[-1]:.1f}",
    ]


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table: the first column left-aligned, the figures right-aligned."""
    cells = [headers, *rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r: list[str]) -> str:
        padded = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|".join(["", "-" * (widths[0] + 2), *("-" * (w + 1) + ":" for w in widths[1:]), ""])
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def make_event(
    client: httpx.Client,
    name: str,
    *,
    quantity: int,
    config_name: str = "Standard",
    face_value: int = 10,
    organizer: str = "demo",
) -> tuple[int, int]:
    """A published event 30 days ahead with one ticket config on sale since yesterday;
    (event id, config id)."""
    now = datetime.now(UTC)
    event = data_of(
        client.post(
            f"/event/v1/organizer/{organizer}/event",
            json={
                "name": name,
                "start_at": (now + timedelta(days=30)).isoformat(),
                "end_at": (now + timedelta(days=30, hours=3)).isoformat(),
            },
        ),
        201,
    )
    config = data_of(
        client.post(
            f"/event/v1/event/{event['id']}/ticket_config",
            json={
                "name": config_name,
                "face_value": face_value,
                "quantity": quantity,
                "start_sale_at": (now - timedelta(days=1)).isoformat(),
            },
        ),
        201,
    )
    data_of(client.post(f"/event/v1/event/{event['id']}/publish"))
    return int(event["id"]), int(config["id"])
