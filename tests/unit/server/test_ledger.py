"""The ownership ledger: appending, verifying the hash chain, and replaying ownership."""

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from boxoffice.server.errors import Conflict, NotFound, RuleViolation
from boxoffice.server.services import ledger
from boxoffice.server.services.ledger import (
    GENESIS_HASH,
    INVALIDATE,
    ISSUE,
    TRANSFER,
    InvalidLedger,
    LedgerEntry,
    MemoryLedgerStore,
    SeqTaken,
    owner_of,
    ticket_state,
    verify,
)

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def build() -> MemoryLedgerStore:
    """Two tickets issued to user 7; one goes to 8 and on to 9; the other is invalidated."""
    store = MemoryLedgerStore()
    at = iter(NOW + timedelta(minutes=i) for i in range(100))
    ledger.append(store, ISSUE, "AAAAAAAAAA", None, 7, at=next(at), data={"order": "K7QX2M"})
    ledger.append(store, ISSUE, "BBBBBBBBBB", None, 7, at=next(at), data={"order": "K7QX2M"})
    ledger.append(store, TRANSFER, "AAAAAAAAAA", 7, 8, at=next(at))
    ledger.append(store, TRANSFER, "AAAAAAAAAA", 8, 9, at=next(at), data={"note": "für Ana"})
    ledger.append(store, INVALIDATE, "BBBBBBBBBB", 7, None, at=next(at), data={"why": "refund"})
    return store


def test_append_links_and_verify_accepts():
    store = build()
    entries = store.entries
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert len({e.hash for e in entries}) == 5
    assert verify(entries) == ledger.VerifyResult(ok=True, checked=5)
    assert verify([]) == ledger.VerifyResult(ok=True, checked=0)
    assert verify(entries, expected_head=entries[-1].hash).ok
    # A head recorded earlier is still in a chain that has grown since.
    assert verify(entries, expected_head=entries[2].hash).ok


def test_the_hash_covers_every_field():
    entry = build().entries[2]
    changes: dict[str, Any] = {
        "seq": 4,
        "at": entry.at + timedelta(microseconds=1),
        "kind": INVALIDATE,
        "ticket_code": "BBBBBBBBBB",
        "from_owner": 8,
        "to_owner": 9,
        "data": {"x": 1},
        "prev_hash": "f" * 64,
    }
    for name, value in changes.items():
        changed = dataclasses.replace(entry, **{name: value})
        assert ledger._recomputed_hash(changed) != entry.hash, name
    # The same instant in another zone is the same entry.
    elsewhere = dataclasses.replace(entry, at=entry.at.astimezone(timezone(timedelta(hours=2))))
    assert ledger._recomputed_hash(elsewhere) == entry.hash


def test_an_edited_entry_is_found_at_its_seq():
    entries = build().entries
    entries[2] = dataclasses.replace(entries[2], to_owner=666)
    result = verify(entries)
    assert (result.ok, result.checked, result.first_bad_seq) == (False, 2, 3)
    assert "changed" in (result.problem or "")


def test_an_edited_entry_with_a_fresh_hash_breaks_the_next_link():
    entries = build().entries
    forged = dataclasses.replace(entries[2], to_owner=666)
    entries[2] = dataclasses.replace(forged, hash=ledger._recomputed_hash(forged))
    result = verify(entries)
    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert "link" in (result.problem or "")


def test_swapped_entries_are_found():
    entries = build().entries
    entries[1], entries[3] = entries[3], entries[1]
    result = verify(entries)
    assert (result.ok, result.checked, result.first_bad_seq) == (False, 1, 2)
    # Swapping the contents but keeping the seq numbers in place breaks the hashes.
    entries = build().entries
    second, fourth = entries[1], entries[3]
    entries[1] = dataclasses.replace(fourth, seq=2)
    entries[3] = dataclasses.replace(second, seq=4)
    assert (verify(entries).ok, verify(entries).first_bad_seq) == (False, 2)


def test_a_removed_entry_is_found():
    entries = build().entries
    del entries[2]
    result = verify(entries)
    assert (result.ok, result.checked, result.first_bad_seq) == (False, 2, 3)
    assert "entry 3 is missing or moved" in (result.problem or "")
    # Renumbering the rest to hide the gap breaks the link instead.
    entries = build().entries
    renumbered = entries[:2] + [dataclasses.replace(e, seq=e.seq - 1) for e in entries[3:]]
    assert (verify(renumbered).ok, verify(renumbered).first_bad_seq) == (False, 3)
    # So does removing the very first entry.
    assert verify(build().entries[1:]).first_bad_seq == 1


def test_a_cut_off_tail_is_found_only_against_the_expected_head():
    entries = build().entries
    head = entries[-1].hash
    truncated = entries[:3]
    assert verify(truncated).ok
    result = verify(truncated, expected_head=head)
    assert (result.ok, result.checked, result.first_bad_seq) == (False, 3, 4)
    assert "cut off" in (result.problem or "")
    assert verify([], expected_head=head).first_bad_seq == 1
    assert verify([], expected_head=GENESIS_HASH).ok


def test_owner_of_replays_transfers_and_invalidation():
    store = build()
    assert owner_of(store.entries, "AAAAAAAAAA") == 9
    assert owner_of(store.entries, "BBBBBBBBBB") is None
    assert owner_of(store.entries, "CCCCCCCCCC") is None
    assert ticket_state(store.entries, "BBBBBBBBBB") == ledger.TicketState(
        ticket_code="BBBBBBBBBB", owner=None, valid=False, last_seq=5
    )
    assert ticket_state(store.entries, "AAAAAAAAAA") == ledger.TicketState(
        ticket_code="AAAAAAAAAA", owner=9, valid=True, last_seq=4
    )
    assert ticket_state(store.entries, "CCCCCCCCCC") is None
    # Only the ticket's own entries are needed.
    assert owner_of(store.for_ticket("AAAAAAAAAA"), "AAAAAAAAAA") == 9


def test_append_follows_the_ticket_history():
    store = build()
    with pytest.raises(Conflict) as caught:
        ledger.append(store, ISSUE, "AAAAAAAAAA", None, 1, at=NOW)
    assert caught.value.code == "ticket_already_issued"
    with pytest.raises(NotFound) as not_found:
        ledger.append(store, TRANSFER, "CCCCCCCCCC", 7, 8, at=NOW)
    assert not_found.value.code == "ticket_not_found"
    refusals = [
        ((TRANSFER, "AAAAAAAAAA", 7, 8), "ticket_not_owned"),  # 9 holds it now
        ((TRANSFER, "AAAAAAAAAA", 9, None), "ledger_transfer_target"),
        ((TRANSFER, "AAAAAAAAAA", 9, 9), "ledger_transfer_target"),
        ((INVALIDATE, "AAAAAAAAAA", 9, 3), "ledger_invalidate_has_owner"),
        ((TRANSFER, "BBBBBBBBBB", None, 8), "ticket_invalidated"),
        ((INVALIDATE, "BBBBBBBBBB", None, None), "ticket_invalidated"),
        (("burn", "AAAAAAAAAA", 9, None), "ledger_kind_unknown"),
        ((ISSUE, "CCCCCCCCCC", 7, 8), "ledger_issue_has_owner"),
    ]
    for args, code in refusals:
        with pytest.raises(RuleViolation) as rule:
            ledger.append(store, *args, at=NOW)
        assert rule.value.code == code, args
    assert len(store.entries) == 5
    # A ticket issued to no one (a walk-in) can still be invalidated.
    ledger.append(store, ISSUE, "CCCCCCCCCC", None, None, at=NOW)
    ledger.append(store, INVALIDATE, "CCCCCCCCCC", None, None, at=NOW)
    assert verify(store.entries).ok


def test_append_refuses_what_cannot_be_hashed_the_same_way_twice():
    store = MemoryLedgerStore()
    with pytest.raises(ValueError, match="floats"):
        ledger.append(store, ISSUE, "AAAAAAAAAA", None, 7, at=NOW, data={"price": 12.5})
    with pytest.raises(ValueError, match="keys"):
        ledger.append(store, ISSUE, "AAAAAAAAAA", None, 7, at=NOW, data={"x": {1: "a"}})
    with pytest.raises(ValueError, match="timezone"):
        ledger.append(store, ISSUE, "AAAAAAAAAA", None, 7, at=NOW.replace(tzinfo=None))
    assert store.entries == []
    # Tuples are stored as the lists a JSON column gives back.
    entry = ledger.append(store, ISSUE, "AAAAAAAAAA", None, 7, at=NOW, data={"seats": ("A-1",)})
    assert entry.data == {"seats": ["A-1"]}


def test_a_stored_entry_that_breaks_the_rules_is_reported():
    entries = build().entries
    bad = LedgerEntry(
        seq=6,
        at=NOW,
        kind=TRANSFER,
        ticket_code="AAAAAAAAAA",
        from_owner=7,
        to_owner=8,
        data={},
        prev_hash=entries[-1].hash,
        hash="",
    )
    with pytest.raises(InvalidLedger, match="entry 6"):
        owner_of([*entries, bad], "AAAAAAAAAA")


class Racing(MemoryLedgerStore):
    """A store where another writer takes the next seq just before each of our first appends."""

    def __init__(self, races: int) -> None:
        super().__init__()
        self.races = races

    def append(self, entry):
        if self.races:
            self.races -= 1
            ledger.append(MemoryLedgerStore(self.entries), ISSUE, f"R{self.races}", None, 1, at=NOW)
        super().append(entry)


def test_append_rebuilds_an_entry_whose_seq_was_taken():
    store = Racing(races=2)
    entry = ledger.append(store, ISSUE, "AAAAAAAAAA", None, 7, at=NOW)
    assert entry.seq == 3
    assert verify(store.entries).ok
    hopeless = Racing(races=ledger.APPEND_ATTEMPTS)
    with pytest.raises(SeqTaken):
        ledger.append(hopeless, ISSUE, "AAAAAAAAAA", None, 7, at=NOW)


def test_times_are_kept_in_utc():
    vienna = timezone(timedelta(hours=2))
    entry = ledger.append(MemoryLedgerStore(), ISSUE, "A", None, 7, at=NOW.astimezone(vienna))
    assert entry.at == NOW and entry.at.tzinfo == UTC
