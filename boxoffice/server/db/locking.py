"""The only dialect-aware locking code: one writer at a time on SQLite, row locks on PostgreSQL.

Inventory is taken with conditional UPDATEs (`… SET taken = taken + n WHERE taken + n <= quantity`),
which are atomic on both databases. On SQLite every write transaction starts with
`BEGIN IMMEDIATE`, and an asynchronous lock queues this server's writers on the event loop, so
waiting writers hold neither a worker thread nor SQLite's sleeping busy handler. Other processes
(the CLI) still meet SQLite's busy timeout. On PostgreSQL writers run concurrently and the row
locks taken by the conditional UPDATEs serialise them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from sqlalchemy import Engine


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
