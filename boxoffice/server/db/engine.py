"""Engine and session factories; SQLite gets WAL, foreign keys, a busy timeout, explicit BEGINs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

IMMEDIATE = "boxoffice_immediate"

# Sized together (`db/locking.py`): at most REQUEST_SESSIONS requests hold a session at once,
# below anyio's 40 worker threads; the pool has those plus room for the idempotency store, the
# sweeper, the mail deliverer and start-up. Each server on a PostgreSQL database opens at most
# POOL_SIZE connections (three servers fit PostgreSQL's default `max_connections` of 100).
REQUEST_SESSIONS = 24
POOL_SIZE = REQUEST_SESSIONS + 8
POOL_TIMEOUT_SECONDS = 10
# On PostgreSQL no statement waits for a lock, or runs, for ever; the API answers
# `503 database_busy` with `Retry-After` (`api/errors.py`). A session left idle inside a
# transaction (a bug, a stuck process) is ended by the database.
LOCK_TIMEOUT = "5s"
STATEMENT_TIMEOUT = "30s"
IDLE_IN_TRANSACTION_TIMEOUT = "60s"


def normalise_url(url: str) -> str:
    """Plain `postgresql://` / `postgres://` URLs use psycopg 3, the driver we ship."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    """An engine for `url`; on SQLite the folder is created and pragmas set per connection."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        options = (
            f"-c lock_timeout={LOCK_TIMEOUT} -c statement_timeout={STATEMENT_TIMEOUT}"
            f" -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_TIMEOUT}"
        )
        return create_engine(
            parsed,
            pool_size=POOL_SIZE,
            max_overflow=0,
            pool_timeout=POOL_TIMEOUT_SECONDS,
            pool_pre_ping=True,
            connect_args={"options": options},
        )
    if parsed.database and parsed.database != ":memory:":
        # The owner's alone from the start, as `data_folder.secure_data_folder` keeps it.
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = create_engine(
        parsed,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=8,
        max_overflow=32,
    )
    _install_sqlite_hooks(engine)
    return engine


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, emit BEGIN, so writers can use BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        # Straight to the driver: through `exec_driver_sql` this BEGIN cost about as much as a
        # whole small SQLite transaction. The engine still logs "BEGIN (implicit)"; only its
        # cursor events no longer see the statement.
        sql = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        connection.connection.dbapi_connection.execute(sql)


def writer(engine: Engine) -> Engine:
    """`engine` for write transactions: on SQLite they take the write lock at BEGIN."""
    return engine.execution_options(**{IMMEDIATE: True})


def make_sessionmakers(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    """Read and write session factories; write sessions take SQLite's write lock at BEGIN."""
    read = sessionmaker(engine, expire_on_commit=False)
    write = sessionmaker(writer(engine), expire_on_commit=False)
    return read, write
