"""The ledger in a real database (a SQLite file, and PostgreSQL): hashes survive the round
trip, tampering is caught, concurrent writers are retried."""

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from boxoffice.server.db.base import Base
from boxoffice.server.db.engine import make_engine, make_sessionmakers
from boxoffice.server.db.models.ledger import LedgerEntryRow
from boxoffice.server.services import ledger
from boxoffice.server.services.ledger import INVALIDATE, ISSUE, TRANSFER, LedgerEntry, SeqTaken
from boxoffice.server.services.ledger_store import SqlLedgerStore
from tests.conftest import BOTH_DATABASES

NOW = datetime(2026, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)


POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
def engine(tmp_path: Path, database_url: str | None) -> Iterator[Engine]:
    engine = make_engine(database_url or f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    Base.metadata.create_all(engine, tables=[LedgerEntryRow.__table__])  # type: ignore[list-item]
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    return make_sessionmakers(engine)


def fill(write: sessionmaker[Session]) -> list[LedgerEntry]:
    with write.begin() as session:
        store = SqlLedgerStore(session)
        return [
            ledger.append(store, ISSUE, "AAAAAAAAAA", None, 7, at=NOW, data={"order": "K7QX2M"}),
            ledger.append(
                store,
                TRANSFER,
                "AAAAAAAAAA",
                7,
                8,
                at=NOW + timedelta(minutes=1),
                data={"note": "für Ana ✓", "seats": ["A-1", "A-2"], "nested": {"b": 1, "a": None}},
            ),
            ledger.append(store, ISSUE, "BBBBBBBBBB", None, 7, at=NOW + timedelta(minutes=2)),
            ledger.append(store, TRANSFER, "AAAAAAAAAA", 8, 9, at=NOW + timedelta(minutes=3)),
            ledger.append(store, INVALIDATE, "BBBBBBBBBB", 7, None, at=NOW + timedelta(hours=1)),
        ]


@BOTH_DATABASES
def test_entries_read_back_exactly_and_verify(sessions):
    read, write = sessions
    written = fill(write)
    with read() as session:
        store = SqlLedgerStore(session)
        stored = list(store.iterate())
        assert stored == written
        assert store.last() == written[-1]
        assert [e.seq for e in store.for_ticket("AAAAAAAAAA")] == [1, 2, 4]
        assert verify_ok(stored, written[-1].hash)
        assert ledger.owner_of(store.iterate(), "AAAAAAAAAA") == 9
        assert ledger.owner_of(store.for_ticket("BBBBBBBBBB"), "BBBBBBBBBB") is None


def verify_ok(entries: list[LedgerEntry], head: str) -> bool:
    result = ledger.verify(entries, expected_head=head)
    assert result.ok, result
    return result.checked == len(entries)


@BOTH_DATABASES
def test_later_transactions_continue_the_chain(sessions):
    read, write = sessions
    written = fill(write)
    with write.begin() as session:
        entry = ledger.append(
            SqlLedgerStore(session), TRANSFER, "AAAAAAAAAA", 9, 10, at=NOW + timedelta(days=1)
        )
    assert (entry.seq, entry.prev_hash) == (6, written[-1].hash)
    with read() as session:
        assert verify_ok(list(SqlLedgerStore(session).iterate()), entry.hash)


@BOTH_DATABASES
def test_an_update_in_raw_sql_is_caught(sessions, engine):
    read, write = sessions
    written = fill(write)
    with engine.begin() as connection:
        connection.execute(text("UPDATE ledger_entry SET to_owner = 666 WHERE seq = 2"))
    with read() as session:
        result = ledger.verify(SqlLedgerStore(session).iterate(), expected_head=written[-1].hash)
    assert (result.ok, result.checked, result.first_bad_seq) == (False, 1, 2)


@BOTH_DATABASES
def test_a_deleted_row_and_a_cut_off_tail_are_caught(sessions, engine):
    read, write = sessions
    head = fill(write)[-1].hash
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM ledger_entry WHERE seq = 3"))
    with read() as session:
        assert ledger.verify(SqlLedgerStore(session).iterate()).first_bad_seq == 3
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM ledger_entry WHERE seq >= 3"))
    with read() as session:
        entries = list(SqlLedgerStore(session).iterate())
    assert ledger.verify(entries).ok
    result = ledger.verify(entries, expected_head=head)
    assert (result.ok, result.first_bad_seq) == (False, 3)


@BOTH_DATABASES
def test_a_taken_seq_is_retried_in_the_same_transaction(sessions):
    """A writer that read the last row before another one appended: the savepoint keeps the
    transaction usable, and the entry is rebuilt on the new last row."""
    read, write = sessions
    fill(write)

    class Racing(SqlLedgerStore):
        raced = False

        def append(self, entry: LedgerEntry) -> None:
            if not self.raced:
                self.raced = True
                ledger.append(SqlLedgerStore(self.session), ISSUE, "CCCCCCCCCC", None, 1, at=NOW)
            super().append(entry)

    with write.begin() as session:
        store = Racing(session)
        entry = ledger.append(store, ISSUE, "DDDDDDDDDD", None, 2, at=NOW)
    assert entry.seq == 7
    with read() as session:
        entries = list(SqlLedgerStore(session).iterate())
    assert [e.ticket_code for e in entries[5:]] == ["CCCCCCCCCC", "DDDDDDDDDD"]
    assert ledger.verify(entries, expected_head=entry.hash).ok


@BOTH_DATABASES
def test_the_store_refuses_a_seq_that_is_taken(sessions):
    _, write = sessions
    written = fill(write)
    with write.begin() as session:
        store = SqlLedgerStore(session)
        with pytest.raises(SeqTaken):
            store.append(written[2])
        # The transaction goes on.
        assert store.last() == written[-1]


@POSTGRES_ONLY
def test_concurrent_writers_on_postgresql(sessions, engine):
    """Two transactions append at once: the second blocks on the first's seq, fails on the
    primary key once the first commits, and retries on the new last row. (SQLite runs one
    writer at a time, so there this cannot happen.)"""
    _, write = sessions
    fill(write)
    results: list[LedgerEntry] = []
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            with write.begin() as session:
                results.append(
                    ledger.append(SqlLedgerStore(session), ISSUE, "EEEEEEEEEE", None, 5, at=NOW)
                )
        except BaseException as exc:
            errors.append(exc)

    with write.begin() as first:
        mine = ledger.append(SqlLedgerStore(first), ISSUE, "CCCCCCCCCC", None, 4, at=NOW)
        thread = threading.Thread(target=second_writer)
        thread.start()
        deadline = time.monotonic() + 10
        with engine.connect() as watcher:
            while not watcher.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ):
                assert time.monotonic() < deadline, "the second writer never waited"
                # pg_stat_activity is a snapshot per transaction: end it to look again.
                watcher.rollback()
                time.sleep(0.02)
    thread.join(10)
    assert not errors
    (theirs,) = results
    assert (mine.seq, theirs.seq, theirs.prev_hash) == (6, 7, mine.hash)
    read, _ = sessions
    with read() as session:
        assert ledger.verify(SqlLedgerStore(session).iterate(), expected_head=theirs.hash).ok
