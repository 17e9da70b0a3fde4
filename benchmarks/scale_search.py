"""Order-search benchmark: the desktop's order searches over HTTP on a big SQLite venue.

    .venv/bin/python benchmarks/scale_search.py [--orders 100000] [--rounds 30] [--postgres]

What it does, over 127.0.0.1 only, in a fresh data folder:

1. creates a staff account, starts `boxoffice serve` once (database migrated, demo loaded),
   stops it and inserts `--orders` paid orders with their contacts straight into its SQLite
   file (executemany, spread over the demo's events; the schema's triggers keep any search
   index in step, as they do for orders made through the API); then starts the server again;
   with `--postgres`, the same on a throwaway PostgreSQL cluster (tests/helpers/postgres.py;
   COPY instead of executemany);
2. as staff, `GET /event/v1/order?include_not_owned=true&limit=50` with, `--rounds` times
   each (one warm-up first), a different order's: `query=<code>`, `query=<part of a
   surname>`, `query=<first name>` (a tenth of the orders share each), both words together,
   `query=<word of an email>`, `email=<exact address>`; and the plain first page;
3. prints median, p95 and max in ms per kind.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from venue_server import (
    add_staff_account,
    body_of,
    latency_row,
    login,
    markdown_table,
    running_server,
    scratch_folder,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from boxoffice.server.services.codes import ALPHABET, LENGTH

_SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "ne",
    "su",
    "ta",
    "lo",
    "vi",
    "de",
    "ban",
    "hol",
    "ter",
    "mar",
    "win",
    "sel",
    "dor",
    "pe",
    "ku",
    "zan",
    "fri",
]
_FIRST = ("Anna", "Jan", "Petra", "Tomas", "Eva", "Lukas", "Marie", "Jakub", "Lena", "Felix")
_BATCH = 20_000


def surname(n: int) -> str:
    """One of 8,000 made-up surnames (three syllables), the same for the same `n`."""
    s = _SYLLABLES
    return (s[n % 20] + s[n // 20 % 20] + s[n // 400 % 20]).capitalize()


def code(n: int) -> str:
    """The `n`th six-letter order code, as `codes.new_order_code` spells them."""
    letters = []
    for _ in range(LENGTH):
        n, digit = divmod(n, len(ALPHABET))
        letters.append(ALPHABET[digit])
    return "".join(letters)


def person(n: int) -> tuple[str, str, str]:
    """(first name, last name, email) of the `n`th order's contact."""
    first, last = _FIRST[n % len(_FIRST)], surname(n * 7919 % 8000)
    return first, last, f"{first.lower()}.{last.lower()}{n}@mail{n % 50}.example.org"


def build_orders_postgres(url: str, count: int) -> None:
    """`count` paid orders with a contact each, over the demo's events, by COPY."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as db:
        events = [row[0] for row in db.execute("SELECT id FROM event ORDER BY id")]
        user_id = db.execute('SELECT min(id) FROM "user"').fetchone()[0]  # type: ignore[index]
        first = (db.execute('SELECT max(id) FROM "order"').fetchone()[0] or 0) + 1  # type: ignore[index]
        start = datetime.now(UTC) - timedelta(days=365)
        with db.cursor() as cursor:
            with cursor.copy(
                'COPY "order" (id, code, event_id, user_id, status, format, currency, total,'
                " language, created_at, updated_at) FROM STDIN"
            ) as copy:
                for n in range(count):
                    at = start + timedelta(seconds=30 * n)
                    event = events[n % len(events)]
                    paid = ("paid", "PDF", "EUR", 2500, "en", at, at)
                    copy.write_row((first + n, code(n), event, user_id, *paid))
            with cursor.copy(
                "COPY order_contact (order_id, first_name, last_name, email, extra) FROM STDIN"
            ) as copy:
                for n in range(count):
                    copy.write_row((first + n, *person(n), "{}"))
        db.execute(
            "SELECT setval(pg_get_serial_sequence('\"order\"', 'id'), max(id)) FROM \"order\""
        )
        db.commit()
        db.autocommit = True  # VACUUM: as autovacuum would have, GIN pending lists merged
        db.execute("VACUUM ANALYZE")
        db.execute("CHECKPOINT")  # the load written out now, not while searches are timed


def build_orders(data_dir: Path, count: int) -> None:
    """`count` paid orders with a contact each, over the demo's events, by bulk SQL."""
    db = sqlite3.connect(data_dir / "boxoffice.sqlite3")
    try:
        events = [row[0] for row in db.execute("SELECT id FROM event ORDER BY id")]
        user_id = db.execute("SELECT id FROM user ORDER BY id LIMIT 1").fetchone()[0]
        first = (db.execute('SELECT max(id) FROM "order"').fetchone()[0] or 0) + 1
        start = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=365)
        for low in range(0, count, _BATCH):
            orders, contacts = [], []
            for n in range(low, min(low + _BATCH, count)):
                at = (start + timedelta(seconds=30 * n)).strftime("%Y-%m-%d %H:%M:%S.%f")
                event = events[n % len(events)]
                orders.append((first + n, code(n), event, user_id, "paid", "PDF", "EUR", at, at))
                contacts.append((first + n, *person(n)))
            db.executemany(
                'INSERT INTO "order" (id, code, event_id, user_id, status, format, currency,'
                " total, language, created_at, updated_at) VALUES (?,?,?,?,?,?,?,2500,'en',?,?)",
                orders,
            )
            db.executemany(
                "INSERT INTO order_contact (order_id, first_name, last_name, email, extra)"
                " VALUES (?,?,?,?,'{}')",
                contacts,
            )
            db.commit()
        db.execute("ANALYZE")
        db.commit()
    finally:
        db.close()


def time_searches(base_url: str, count: int, rounds: int) -> dict[str, list[float]]:
    """Per kind of search, the durations in ms of `rounds` requests for different orders."""
    picks = random.Random(18)
    kinds: dict[str, list[float]] = {}
    with httpx.Client(base_url=base_url, timeout=60) as client:
        headers = {"authorization": f"Bearer {login(client)}"}

        def timed(kind: str, params: dict[str, str], warm_up: bool) -> None:
            params = {"include_not_owned": "true", "limit": "50", **params}
            started = time.perf_counter()
            body = body_of(client.get("/event/v1/order", params=params, headers=headers))
            took = (time.perf_counter() - started) * 1000
            if kind != "first page" and not body["data"]:
                raise SystemExit(f"{kind} {params} found nothing")
            if not warm_up:
                kinds.setdefault(kind, []).append(took)

        for round_ in range(rounds + 1):
            n = picks.randrange(count)
            first, last, email = person(n)
            cut = picks.randrange(len(last) - 3)
            part = last[cut : cut + 4]
            searches = {
                "query=<code>": {"query": code(n).lower()},
                "query=<part of a surname>": {"query": part},
                "query=<first name>": {"query": first},
                "query=<first name> <part of a surname>": {"query": f"{first} {part}"},
                "query=<word of an email>": {"query": email.split("@")[0].split(".")[1]},
                "email=<exact>": {"email": email.upper()},
                "first page": {},
            }
            for kind, params in searches.items():
                timed(kind, params, warm_up=round_ == 0)
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30, help="timed requests per kind")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        url = None
        if args.postgres:
            from tests.helpers.postgres import temporary_cluster

            url = stack.enter_context(temporary_cluster())
            os.environ["BOXOFFICE_DATABASE_URL"] = url  # `boxoffice users add` and `serve`
        run(args, url)


def run(args: argparse.Namespace, url: str | None) -> None:
    with scratch_folder("boxoffice-scale-search-", keep=args.keep) as folder:
        data_dir = folder / "data"
        add_staff_account(data_dir)
        with running_server(data_dir, folder / "server.log"):
            pass  # creates the database and the demo organizer
        started = time.perf_counter()
        if url:
            build_orders_postgres(url, args.orders)
        else:
            build_orders(data_dir, args.orders)
        print(f"built {args.orders} orders in {time.perf_counter() - started:.1f} s")
        with running_server(data_dir, folder / "server.log") as server:
            kinds = time_searches(server.url, args.orders, args.rounds)
    database = "PostgreSQL" if url else "SQLite"
    print(f"\n{args.orders} orders on {database}; GET /event/v1/order as staff, limit 50\n")
    print(
        markdown_table(
            ["ms", "median", "p95", "max"],
            [latency_row(kind, values) for kind, values in kinds.items()],
        )
    )


if __name__ == "__main__":
    main()
