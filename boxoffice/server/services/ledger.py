"""The ticket ownership ledger: append-only, hash-chained entries for issue, transfer, invalidate.

Entry `n` (seq 1, 2, 3…) carries `prev_hash`, the hash of entry `n-1` (64 zeros for entry 1),
and its own `hash`: SHA-256, in lower-case hex, of the canonical JSON of every other field:

    {"at":"2026-05-01T12:00:00.000000+00:00","data":{…},"from_owner":null,"kind":"issue",
     "prev_hash":"000…0","seq":1,"ticket_code":"K7QX2MPRHT","to_owner":7}

Canonical JSON here is: keys sorted, no whitespace (separators `,` and `:`), ASCII only
(`\\uXXXX` escapes), no NaN; `at` in UTC with microseconds. `data` holds strings, integers,
booleans, None, lists and objects with string keys; floats are refused, as their spelling
is not canonical across databases (money is integer minor units anyway).

Editing any field of an entry breaks its hash; removing or reordering entries breaks the
seq/prev_hash chain. Cutting off the newest entries keeps a valid chain, so `verify` finds
that only against a head hash the caller recorded elsewhere (a printed shift report, a
backup, another server).

The functions work over a `LedgerStore`, so the same code runs over a list in memory
(`MemoryLedgerStore`) and over the `ledger_entry` table (`ledger_store.SqlLedgerStore`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from boxoffice.server.errors import Conflict, DomainError, InvalidInput, NotFound, RuleViolation

ISSUE = "issue"
TRANSFER = "transfer"
INVALIDATE = "invalidate"
KINDS = (ISSUE, TRANSFER, INVALIDATE)
GENESIS_HASH = "0" * 64
MAX_TICKET_CODE_LENGTH = 32
APPEND_ATTEMPTS = 5  # how often `append` rebuilds an entry whose seq another writer took


@dataclass(frozen=True)
class LedgerEntry:
    seq: int
    at: datetime
    kind: str
    ticket_code: str
    from_owner: int | None
    to_owner: int | None
    data: Mapping[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class VerifyResult:
    """`checked` entries were sound; if not `ok`, the chain breaks at `first_bad_seq`."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None


@dataclass(frozen=True)
class TicketState:
    """A ticket as the ledger has it: who holds it, and whether it is still valid."""

    ticket_code: str
    owner: int | None
    valid: bool
    last_seq: int


class SeqTaken(Exception):
    """A store's `append` found the entry's seq already taken by a concurrent writer."""


class InvalidLedger(Exception):
    """An entry in a stored chain breaks the ledger's rules (a bug or tampering)."""


class LedgerStore(Protocol):
    """Where entries live. `append` adds one entry after `last()`, or raises `SeqTaken`."""

    def append(self, entry: LedgerEntry) -> None: ...

    def last(self) -> LedgerEntry | None: ...

    def iterate(self) -> Iterator[LedgerEntry]:
        """Every entry, by seq."""
        ...

    def for_ticket(self, ticket_code: str) -> Iterable[LedgerEntry]:
        """The entries of one ticket, by seq."""
        ...


@dataclass
class MemoryLedgerStore:
    """A ledger in a list: for tests, and as the reference for the store contract."""

    entries: list[LedgerEntry] = field(default_factory=list)

    def append(self, entry: LedgerEntry) -> None:
        if entry.seq != len(self.entries) + 1:
            raise SeqTaken(f"seq {entry.seq} is not next")
        self.entries.append(entry)

    def last(self) -> LedgerEntry | None:
        return self.entries[-1] if self.entries else None

    def iterate(self) -> Iterator[LedgerEntry]:
        return iter(list(self.entries))

    def for_ticket(self, ticket_code: str) -> Iterable[LedgerEntry]:
        return [e for e in self.entries if e.ticket_code == ticket_code]


# --- hashing -------------------------------------------------------------------------------


def canonical_json(value: Any) -> str:
    _refuse_floats(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise ValueError("ledger data may not hold floats; use integers or strings")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"ledger data keys must be strings, not {key!r}")
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


def _utc_iso(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("ledger times must be timezone-aware")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _recomputed_hash(entry: LedgerEntry) -> str:
    """SHA-256 (hex) of the canonical JSON of the entry's fields other than its hash."""
    hashed = {f.name: getattr(entry, f.name) for f in fields(entry) if f.name != "hash"}
    hashed["at"] = _utc_iso(entry.at)
    return hashlib.sha256(canonical_json(hashed).encode("ascii")).hexdigest()


# --- replaying ownership -------------------------------------------------------------------


def _step(
    state: TicketState | None,
    kind: str,
    ticket_code: str,
    from_owner: int | None,
    to_owner: int | None,
) -> tuple[type[DomainError], str, str] | None:
    """What is wrong with this entry after `state`, as (error class, code, message), or None."""
    if kind not in KINDS:
        return RuleViolation, "ledger_kind_unknown", f"Unknown ledger entry kind {kind!r}."
    if kind == ISSUE:
        if state is not None:
            return Conflict, "ticket_already_issued", f"Ticket {ticket_code} is already issued."
        if from_owner is not None:
            return RuleViolation, "ledger_issue_has_owner", "An issued ticket comes from no one."
        return None
    if state is None:
        return NotFound, "ticket_not_found", f"Ticket {ticket_code} was never issued."
    if not state.valid:
        return RuleViolation, "ticket_invalidated", f"Ticket {ticket_code} is no longer valid."
    if from_owner != state.owner:
        return RuleViolation, "ticket_not_owned", f"Ticket {ticket_code} is not theirs to give."
    if kind == TRANSFER and (to_owner is None or to_owner == from_owner):
        return RuleViolation, "ledger_transfer_target", "A transfer needs another new owner."
    if kind == INVALIDATE and to_owner is not None:
        return RuleViolation, "ledger_invalidate_has_owner", "An invalidated ticket has no owner."
    return None


def ticket_state(entries: Iterable[LedgerEntry], ticket_code: str) -> TicketState | None:
    """Replay the entries (all, or just this ticket's) for one ticket; None if never issued.
    Raises `InvalidLedger` for an entry that breaks the rules."""
    state: TicketState | None = None
    for entry in entries:
        if entry.ticket_code != ticket_code:
            continue
        wrong = _step(state, entry.kind, ticket_code, entry.from_owner, entry.to_owner)
        if wrong is not None:
            raise InvalidLedger(f"ledger entry {entry.seq}: {wrong[2]}")
        state = TicketState(
            ticket_code=ticket_code,
            owner=entry.to_owner,
            valid=entry.kind != INVALIDATE,
            last_seq=entry.seq,
        )
    return state


def owner_of(entries: Iterable[LedgerEntry], ticket_code: str) -> int | None:
    """Who holds a valid ticket; None for one invalidated, never issued, or issued to no one."""
    state = ticket_state(entries, ticket_code)
    return state.owner if state is not None and state.valid else None


# --- appending and verifying ---------------------------------------------------------------


def append(
    store: LedgerStore,
    kind: str,
    ticket_code: str,
    from_owner: int | None,
    to_owner: int | None,
    *,
    at: datetime,
    data: Mapping[str, Any] | None = None,
) -> LedgerEntry:
    """Add one entry after the store's last, if the ticket's history allows it.

    Raises `Conflict` (ticket_already_issued), `NotFound` (ticket_not_found) or
    `RuleViolation` (ticket_invalidated, ticket_not_owned, …). If another writer takes the
    next seq first, the entry is rebuilt on the new last entry, up to `APPEND_ATTEMPTS` times;
    then `SeqTaken` propagates and the caller retries its transaction.
    """
    _utc_iso(at)
    at = at.astimezone(UTC)  # as the database gives it back
    if not 0 < len(ticket_code) <= MAX_TICKET_CODE_LENGTH:
        raise InvalidInput("A ticket code is 1 to 32 characters.", field="ticket_code")
    # Store exactly what a JSON column gives back (tuples become lists), so hashes survive.
    stored_data: dict[str, Any] = json.loads(canonical_json(dict(data or {})))
    for attempt in range(1, APPEND_ATTEMPTS + 1):
        state = ticket_state(store.for_ticket(ticket_code), ticket_code)
        wrong = _step(state, kind, ticket_code, from_owner, to_owner)
        if wrong is not None:
            error, code, message = wrong
            raise error(message, code=code, field="ticket_code")
        last = store.last()
        seq = 1 if last is None else last.seq + 1
        prev_hash = GENESIS_HASH if last is None else last.hash
        unsealed = LedgerEntry(
            seq=seq,
            at=at,
            kind=kind,
            ticket_code=ticket_code,
            from_owner=from_owner,
            to_owner=to_owner,
            data=stored_data,
            prev_hash=prev_hash,
            hash="",
        )
        entry = replace(unsealed, hash=_recomputed_hash(unsealed))
        try:
            store.append(entry)
        except SeqTaken:
            if attempt == APPEND_ATTEMPTS:
                raise
            continue
        return entry
    raise AssertionError("unreachable")


def verify(entries: Iterable[LedgerEntry], *, expected_head: str | None = None) -> VerifyResult:
    """Check the chain from seq 1: seq order, prev_hash links and every entry's hash.

    `first_bad_seq` is the first seq that cannot be trusted: an edited entry's own seq, the
    seq where an entry is missing or out of place. With `expected_head`, a hash recorded
    earlier, the chain must contain it; if not, the newest entries were cut off (or
    rewritten) and `first_bad_seq` is the seq after the last entry.
    """
    prev_hash = GENESIS_HASH
    checked = 0
    head_seen = expected_head is None or expected_head == GENESIS_HASH
    for entry in entries:
        seq = checked + 1
        if entry.seq != seq:
            return VerifyResult(
                False, checked, seq, f"entry {seq} is missing or moved: entry {entry.seq} is there"
            )
        if entry.prev_hash != prev_hash:
            return VerifyResult(
                False, checked, seq, f"entry {seq} does not link to entry {seq - 1}'s hash"
            )
        try:
            recomputed = _recomputed_hash(entry)
        except (TypeError, ValueError) as exc:
            return VerifyResult(False, checked, seq, f"entry {seq} cannot be hashed: {exc}")
        if recomputed != entry.hash:
            return VerifyResult(
                False, checked, seq, f"entry {seq} was changed: its hash does not match"
            )
        prev_hash = entry.hash
        checked = seq
        head_seen = head_seen or entry.hash == expected_head
    if not head_seen:
        return VerifyResult(
            False,
            checked,
            checked + 1,
            f"the expected head is not in the chain: entries after {checked} were cut off",
        )
    return VerifyResult(True, checked)
