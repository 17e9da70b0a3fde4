"""The ownership ledger kept in the `ledger_entry` table: a `LedgerStore` over a session.

Appending reads the last row and inserts the next one inside the caller's write transaction
(the store flushes, it never commits). Appenders are serialised so that the last row cannot
change underneath: on SQLite the server runs one write transaction at a time (`BEGIN
IMMEDIATE` plus the write gate in `db/locking.py`); on PostgreSQL, where several servers may
share the database, `last()` first takes the ledger's transaction-scoped advisory lock
(`db.locking.lock_ledger`), held until the appending transaction commits or rolls back, and
then reads the last row, which under READ COMMITTED includes every entry committed before.
The insert still runs in a savepoint: should a seq be taken all the same (another program
writing the table without the lock), `SeqTaken` is raised with the caller's transaction
still usable, and `ledger.append` reads the last row again and rebuilds the entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from boxoffice.server.db.locking import lock_ledger
from boxoffice.server.db.models.ledger import LedgerEntryRow
from boxoffice.server.services.ledger import LedgerEntry, SeqTaken

_BATCH = 500  # rows fetched at a time when walking the whole chain


# Rows are read as plain columns, not ORM objects: a walk over the whole chain then keeps no
# identity map, and always sees what the table holds now.
_COLUMNS = (
    LedgerEntryRow.seq,
    LedgerEntryRow.at,
    LedgerEntryRow.kind,
    LedgerEntryRow.ticket_code,
    LedgerEntryRow.from_owner,
    LedgerEntryRow.to_owner,
    LedgerEntryRow.data,
    LedgerEntryRow.prev_hash,
    LedgerEntryRow.hash,
)


def _entry(row: Row[Any]) -> LedgerEntry:
    """The entry a row of `_COLUMNS` holds (the columns are named as its fields)."""
    return LedgerEntry(**row._asdict())


class SqlLedgerStore:
    """`LedgerStore` over the `ledger_entry` table in `session`'s transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._locked = False

    def append(self, entry: LedgerEntry) -> None:
        row = LedgerEntryRow(
            seq=entry.seq,
            at=entry.at,
            kind=entry.kind,
            ticket_code=entry.ticket_code,
            from_owner=entry.from_owner,
            to_owner=entry.to_owner,
            data=dict(entry.data),
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError as exc:
            raise SeqTaken(f"ledger seq {entry.seq} was taken by another writer") from exc

    def last(self) -> LedgerEntry | None:
        """The newest entry, read (for appending) holding the ledger lock (`db/locking.py`)."""
        if not self._locked:
            lock_ledger(self.session)
            self._locked = True
        row = self.session.execute(
            select(*_COLUMNS).order_by(LedgerEntryRow.seq.desc()).limit(1)
        ).first()
        return None if row is None else _entry(row)

    def iterate(self) -> Iterator[LedgerEntry]:
        rows = self.session.execute(
            select(*_COLUMNS).order_by(LedgerEntryRow.seq).execution_options(yield_per=_BATCH)
        )
        # A reader that stops early (verify, at the first bad entry) closes the generator;
        # close the cursor then too, which on PostgreSQL is a server-side cursor.
        try:
            for row in rows:
                yield _entry(row)
        finally:
            rows.close()

    def for_ticket(self, ticket_code: str) -> Iterable[LedgerEntry]:
        rows = self.session.execute(
            select(*_COLUMNS)
            .where(LedgerEntryRow.ticket_code == ticket_code)
            .order_by(LedgerEntryRow.seq)
        )
        return [_entry(row) for row in rows]
