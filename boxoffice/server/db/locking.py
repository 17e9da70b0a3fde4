"""The only dialect-aware locking code: one writer at a time on SQLite, row locks on PostgreSQL.

Inventory is taken with conditional UPDATEs (`… SET taken = taken + n WHERE taken + n <= quantity`),
which are atomic on both databases. On SQLite every write transaction starts with
`BEGIN IMMEDIATE`, and an asynchronous lock queues this server's writers on the event loop, so
waiting writers hold neither a worker thread nor SQLite's sleeping busy handler. When several
worker processes serve one SQLite file (`boxoffice serve --workers N`), the gate's holder also
takes exclusive `flock`s on files beside the database, so the workers queue for it in the
kernel (woken the moment it is free, taking turns) rather than in SQLite's polling busy
handler; at most one thread per worker waits there. Other processes (the CLI) still meet
SQLite's busy timeout. On PostgreSQL writers run concurrently and the row locks taken by the
conditional UPDATEs serialise them.

`Leadership` picks the one process of several (workers, or servers sharing a PostgreSQL
database) that runs the background loops (the sweeper, the mail deliverer): an exclusive
`flock` on a file in the data folder on SQLite, a session advisory lock on PostgreSQL. Both go
with the process if it dies, and a follower that tries again takes over.

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

import os
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import Engine, Table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

try:
    import fcntl
except ImportError:  # Windows: one server process (`--workers` needs fork), no file locks
    fcntl = None  # type: ignore[assignment]

# Advisory lock keys (any 64-bit integers no other application on the database uses).
STARTUP_LOCK_KEY = 0x626F786F_00000001  # "boxo" 1
LEDGER_LOCK_KEY = 0x626F786F_00000002  # "boxo" 2
LEADER_LOCK_KEY = 0x626F786F_00000003  # "boxo" 3
WRITE_LOCK_FILE = "write.lock"  # beside the SQLite file: the workers' write gate
LEADER_LOCK_FILE = "leader.lock"  # in the data folder: who runs the background loops
STARTUP_WAIT = "5min"  # how long a server waits for another one setting the database up


class WriteGate:
    """Serialises write transactions on SQLite, across the worker processes sharing the file
    when `lock_file` is given; a no-op elsewhere.

    Across processes the gate is two file locks: a writer takes the entry lock, then the
    write lock, then lets the entry go. A worker waiting for the write lock holds the entry
    lock meanwhile, so the worker that just wrote cannot take the write lock straight back:
    under contention the workers take turns, and none starves.
    """

    def __init__(self, engine: Engine, lock_file: Path | None = None) -> None:
        self._serialise = engine.dialect.name == "sqlite"
        self._lock: anyio.Lock | None = None
        self._lock_file = lock_file if self._serialise and fcntl is not None else None
        self._fds: tuple[int, int] | None = None
        self._pid = 0

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        if not self._serialise:
            yield
            return
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            if self._lock_file is None:
                yield
                return
            entry, write = self._files()
            await _flock(entry)
            try:
                await _flock(write)
            finally:
                fcntl.flock(entry, fcntl.LOCK_UN)
            try:
                yield
            finally:
                fcntl.flock(write, fcntl.LOCK_UN)

    def _files(self) -> tuple[int, int]:
        # Opened in the worker that uses them: a descriptor inherited over fork would share
        # its locks with the parent's other children.
        if self._fds is None or self._pid != os.getpid():
            assert self._lock_file is not None
            entry = self._lock_file.with_name(self._lock_file.name + ".entry")
            self._fds = (_open_lock_file(entry), _open_lock_file(self._lock_file))
            self._pid = os.getpid()
        return self._fds


def _open_lock_file(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


async def _flock(fd: int) -> None:
    """Take the exclusive lock on `fd`: at once when it is free (no thread needed), else
    waiting in the kernel on a worker thread (woken the moment it is free)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        with anyio.CancelScope(shield=True):  # never leave a lock taken behind us
            await anyio.to_thread.run_sync(fcntl.flock, fd, fcntl.LOCK_EX)


class Leadership:
    """Whether this process runs the background loops: `try_acquire()` until it does, then
    it holds the lead until the process ends (or `release()`)."""

    def __init__(self, engine: Engine, data_dir: Path) -> None:
        self._engine = engine
        self._file = data_dir / LEADER_LOCK_FILE
        self._fd: int | None = None
        self._connection: Any = None

    @property
    def held(self) -> bool:
        return self._fd is not None or self._connection is not None or self._alone

    @property
    def _alone(self) -> bool:
        """No file locks here (Windows): the only process there can be leads."""
        return fcntl is None and self._engine.dialect.name != "postgresql"

    def try_acquire(self) -> bool:
        """Take the lead if no other process holds it (blocking I/O: call on a thread)."""
        if self.held:
            return True
        if self._engine.dialect.name == "postgresql":
            connection = self._engine.connect()
            try:
                taken = connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_LOCK_KEY}
                ).scalar()
                connection.commit()
            except Exception:
                connection.close()
                raise
            if taken:
                self._connection = connection
            else:
                connection.close()
        else:
            self._file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = _open_lock_file(self._file)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
            else:
                self._fd = fd
        return self.held

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor drops the flock
            self._fd = None
        if self._connection is not None:
            try:
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": LEADER_LOCK_KEY}
                )
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None


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
