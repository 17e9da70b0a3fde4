"""Stadium seat-map benchmark: a real `boxoffice serve` on SQLite with one event of N seats.

    .venv/bin/python benchmarks/scale_seats.py [--seats 50000] [--runs 20]

What it does, all over 127.0.0.1:

1. writes a catalog file with one published event whose seat map has `--seats` seats (rows of
   50 seats, 50 rows a section, two categories) and imports it with `boxoffice catalog import`
   into a fresh data folder — the import row is that command's wall time (process start
   included; a catalog without the seat map is imported first to show that start-up cost);
2. starts `boxoffice serve`, logs in as staff and measures, `--runs` times each:
   `GET …/seat_map` (with the answer's size; the first request, which builds the server's
   cached layout, on a row of its own), best available for 2 and 6 seats (each with a new
   hold token, released again so every run sees the same hall), and a hold of 2 seats plus a
   seated order of them with the hold token;
3. checks that the map lists `--seats` seats and that the ordered seats are booked, then
   prints a table (median, p95, max) and stops the server whatever happened.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

# A sibling module: the script's folder is first on sys.path when run as a script.
from venue_server import (
    add_staff_account,
    boxoffice_command,
    data_of,
    login,
    markdown_table,
    percentile,
    running_server,
    scratch_folder,
)

ORGANIZER = "stadium"
EVENT_NAME = "Stadium night"
SEATS_PER_ROW = 50
ROWS_PER_SECTION = 50
REQUEST_TIMEOUT = 120.0


@dataclass
class Row:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    size_bytes: int | None = None

    def cells(self) -> list[str]:
        lat = sorted(self.latencies_ms)
        return [
            self.name,
            str(len(lat)),
            f"{statistics.median(lat):.1f}",
            f"{percentile(lat, 95):.1f}",
            f"{lat[-1]:.1f}",
            f"{self.size_bytes / 1024:.0f}" if self.size_bytes is not None else "-",
        ]


HEADERS = ["measurement", "runs", "median ms", "p95 ms", "max ms", "answer KiB"]


def catalog(seats: int, *, with_map: bool = True) -> dict[str, Any]:
    """A boxoffice-catalog/1 document: one organizer, venue and event with `seats` seats."""
    rows: list[dict[str, Any]] = [
        {"label": f"S{r // ROWS_PER_SECTION + 1}R{r % ROWS_PER_SECTION + 1}"}
        for r in range(-(-seats // SEATS_PER_ROW))
    ]
    left = seats
    for row in rows:
        row["count"] = min(SEATS_PER_ROW, left)
        row["aisle_after"] = [SEATS_PER_ROW // 2]
        left -= row["count"]
    sections = [
        {
            "name": f"Section {k + 1}",
            "rows": [
                {**row, "category": "lower" if k % 2 == 0 else "upper"}
                for row in rows[k * ROWS_PER_SECTION : (k + 1) * ROWS_PER_SECTION]
            ],
        }
        for k in range(-(-len(rows) // ROWS_PER_SECTION))
    ]
    configs = [
        {
            "key": key,
            "name": key.title(),
            "face_value": price,
            "tax_rate": 10,
            "seat_category": key,
            "max_per_order": 10,
            "start_sale_at": "-1d 09:00",
        }
        for key, price in (("lower", 60.0), ("upper", 40.0))
    ]
    event: dict[str, Any] = {
        "organizer": ORGANIZER,
        "venue": "arena",
        "name": EVENT_NAME if with_map else "Warm-up",
        "status": "published",
        "start_at": "+30d 20:00",
        "end_at": "+30d 23:00",
        "ticket_configs": configs,
    }
    if with_map:
        event["seat_map"] = {"sections": sections}
    return {
        "format": "boxoffice-catalog/1",
        "organizers": [{"name": ORGANIZER, "display_name": "Stadium", "currency": "EUR"}],
        "venues": [{"key": "arena", "name": "Arena", "timezone_name": "Europe/Vienna"}],
        "events": [event],
    }


def import_catalog(data_dir: Path, document: dict[str, Any], path: Path) -> float:
    """Import with `boxoffice catalog import`: the command's wall time in ms."""
    path.write_text(json.dumps(document))
    started = time.perf_counter()
    subprocess.run(
        boxoffice_command("catalog", "import", str(path), "--data-dir", str(data_dir)),
        check=True,
        capture_output=True,
        timeout=600,
    )
    return (time.perf_counter() - started) * 1000


def timed_post(row: Row, client: httpx.Client, url: str, body: dict[str, Any]) -> Any:
    """POST `body` to `url`, adding how long it took to `row`; the answer's data."""
    started = time.perf_counter()
    response = client.post(url, json=body)
    row.latencies_ms.append((time.perf_counter() - started) * 1000)
    return data_of(response)


def new_token(client: httpx.Client) -> str:
    return str(data_of(client.post("/event/v1/hold_token"), 201)["hold_token"])


def measure(client: httpx.Client, event_id: int, seats: int, runs: int) -> list[Row]:
    first, seat_map = Row("GET seat_map, first"), Row("GET seat_map")
    for run in range(runs + 1):
        row = seat_map if run else first  # the first builds the server's cached layout
        started = time.perf_counter()
        response = client.get(f"/event/v1/event/{event_id}/seat_map")
        row.latencies_ms.append((time.perf_counter() - started) * 1000)
        listed = data_of(response)["seats"]
        if len(listed) != seats:
            raise RuntimeError(f"the map lists {len(listed)} seats, not {seats}")
        row.size_bytes = len(response.content)
    rows = [first, seat_map]
    for number in (2, 6):
        best = Row(f"best available {number}")
        for _ in range(runs):
            hold_token = new_token(client)
            got = timed_post(
                best,
                client,
                f"/event/v1/event/{event_id}/seat/best_available",
                {"number": number, "hold_token": hold_token},
            )
            data_of(
                client.post(
                    f"/event/v1/event/{event_id}/seat/release",
                    json={"objects": got["objects"], "hold_token": hold_token},
                )
            )
        rows.append(best)
    rows.append(hold_and_order(client, event_id, runs))
    return rows


def hold_and_order(client: httpx.Client, event_id: int, runs: int) -> Row:
    """Best available 2 seats, then a seated order of them with the hold token."""
    categories = data_of(client.get(f"/event/v1/event/{event_id}/seat_map"))["categories"]
    config_id = next(c["ticket_config_id"] for c in categories if c["key"] == "lower")
    row = Row("hold 2 + order")
    for _ in range(runs):
        started = time.perf_counter()
        hold_token = new_token(client)
        labels = data_of(
            client.post(
                f"/event/v1/event/{event_id}/seat/best_available",
                json={"number": 2, "hold_token": hold_token, "categories": ["lower"]},
            )
        )["objects"]
        data_of(
            client.post(
                "/event/v1/order",
                headers={"idempotency-key": str(uuid.uuid4())},
                json={
                    "order_item": [
                        {"quantity": 2, "ticket_config_id": config_id, "selected_seats": labels}
                    ],
                    "format": "PDF",
                    "hold_token": hold_token,
                },
            ),
            201,
        )
        row.latencies_ms.append((time.perf_counter() - started) * 1000)
    return row


def find_event(client: httpx.Client) -> int:
    events = data_of(client.get(f"/event/v1/organizer/{ORGANIZER}/event", params={"limit": 100}))
    return int(next(e["id"] for e in events if e["name"] == EVENT_NAME))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seats", type=int, default=50_000, help="seats in the map")
    parser.add_argument("--runs", type=int, default=20, help="runs of each measurement")
    parser.add_argument("--keep", action="store_true", help="keep the data folder and log")
    args = parser.parse_args()
    with scratch_folder("boxoffice-seats-", keep=args.keep) as folder:
        data_dir = folder / "data"
        add_staff_account(data_dir)
        start_ms = import_catalog(data_dir, catalog(0, with_map=False), folder / "warmup.json")
        import_ms = import_catalog(data_dir, catalog(args.seats), folder / "catalog.json")
        with (
            running_server(data_dir, folder / "server.log") as server,
            httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT) as client,
        ):
            client.headers["authorization"] = f"Bearer {login(client)}"
            event_id = find_event(client)
            rows = measure(client, event_id, args.seats, args.runs)
    python = sys.version.split()[0]
    print(f"\n{args.seats} seats, {args.runs} runs each; {sys.platform}, Python {python}")
    print(
        f"catalog import with the seat map: {import_ms:.0f} ms "
        f"(the same command without a map: {start_ms:.0f} ms)\n"
    )
    print(markdown_table(HEADERS, [row.cells() for row in rows]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
