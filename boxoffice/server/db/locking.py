"""The only dialect-aware locking code: one writer at a time on SQLite, row locks on PostgreSQL.

Inventory is taken with conditional UPDATEs (`… SET taken = taken + n WHERE taken + n <= quantity`),
which are atomic on both databases. On SQLite every write transaction starts with
`BEGIN IMMEDIATE`, and an asynchronous lock queues this server's writers on the event loop, so
waiting writers hold neither a worker thread nor SQLite's sleeping busy handler. Other processes
(the CLI) still meet SQLite's busy timeout. On PostgreSQL writers run concurrently and the row
locks taken by the conditional UPDATEs serialise them.

Several servers may share one PostgreSQL database, so what one process cannot serialise by
itself is serialised in the database with advisory locks:

* start-up (migrations, the signing key, the demo venue): `startup_lock`, a session-level lock
  held on its own connection while one server sets the database up;
* ledger appends: `lock_ledger`, a transaction-scoped lock taken before the next seq is read
  and held until the appending transaction ends, so seqs and hashes chain without gaps;
* rows made on first use (an event's signing key): `insert_if_absent`, an
  `INSERT … ON CONFLICT DO NOTHING` that never fails on a concurrent twin.

No request can wait for ever on a resource that only a waiting request can free:
`RequestSlots` bounds the request sessions to fewer than the pool's connections and the worker
threads; commit, rollback and close run on threads of their own, so a transaction
that holds row locks never waits for a thread held by a request waiting on those locks; and on
PostgreSQL every connection has a `lock_timeout` and a `statement_timeout`
(`db/engine.py`), which the API answers as `503 database_busy` with `Retry-After`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import anyio
from sqlalchemy import Engine, Table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

# Advisory lock keys (any 64-bit integers no other application on the database uses).
STARTUP_LOCK_KEY = 0x626F786F_00000001  # "boxo" 1
LEDGER_LOCK_KEY = 0x626F786F_00000002  # "boxo" 2
STARTUP_WAIT = "5min"  # how long a server waits for another one setting the database up


class WriteGate:
    """Serialises write transactions on SQLite; a no-op elsewhere."""

    def __init__(self, engine: Engine) -> None:
        self._serialise = engine.dialect.name == "sqlite"
        self._lock: anyio.Lock | None = None

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        if not self._serialise:
            yield
            return
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            yield


class RequestSlots:
    """At most `size` request sessions at once, waited for on the event loop (no thread, no
    connection held while waiting). `size` is below the pool's connections and the worker
    threads (`db/engine.py`), so a request that has a slot never waits for a connection.

    `finishing()` is the limiter of the threads that end sessions (commit, rollback, close),
    apart from the threads that run requests: ending a transaction never waits behind a
    request, so row locks are held only as long as the work itself.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._slots: anyio.Semaphore | None = None
        self._finishing: anyio.CapacityLimiter | None = None

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        if self._slots is None:
            self._slots = anyio.Semaphore(self.size)
        async with self._slots:
            yield

    def finishing(self) -> anyio.CapacityLimiter:
        if self._finishing is None:
            self._finishing = anyio.CapacityLimiter(self.size)
        return self._finishing


@contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """One server at a time sets the database up (PostgreSQL); a no-op on SQLite, where the
    migrations' own write lock serialises them. The lock is a session lock on a connection
    of its own, so it goes with the process if it dies."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.exec_driver_sql(f"SET lock_timeout = '{STARTUP_WAIT}'")
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
            connection.exec_driver_sql("RESET lock_timeout")
            connection.commit()


def lock_ledger(session: Session) -> None:
    """Hold the ledger for appending until `session`'s transaction ends (PostgreSQL; on SQLite
    the write transaction holds the whole database already)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LEDGER_LOCK_KEY})


def insert_if_absent(session: Session, table: Table, values: Mapping[str, Any]) -> None:
    """Insert a row unless one with its key exists (or a concurrent twin's commits first)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(table).on_conflict_do_nothing(), dict(values))
    elif dialect == "sqlite":
        session.execute(sqlite.insert(table).on_conflict_do_nothing(), dict(values))
    else:
        raise RuntimeError(f"the server needs SQLite or PostgreSQL, not {dialect}")
