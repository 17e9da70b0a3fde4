"""The counter's sale journal: each step of a sale is written down before the next one starts.

One JSON object per line in `<data dir>/journal.jsonl`, flushed and fsynced, so a crash, a
power cut or a dead server cannot make a paid sale disappear: at start-up the app lists
the sales whose last step is not `done` or `canceled` and checks each with the server.
Steps are `Step`s; their values are what the file says, so journals written before stay readable.

One journal serves every server the counter sells through (the embedded one, a venue server
on the LAN…), and order ids mean nothing across servers. So each line carries the identity of
the server of its sale (`ServerIdentity`: `server_url`, and `server_id`, the instance id the
server reports in `GET event/health`), and a sale is settled only with its own server
(`ServerIdentity.owns`): by instance id when both sides have one (the embedded server's URL
changes with its port at every start; its id stays with its database), else by URL. Lines
written before servers were told apart carry neither: no server owns them, so they are kept
as they are and never settled against a server that may not be theirs.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any


class Step(StrEnum):
    """One step of a sale, as written in the journal."""

    STARTED = "started"  # about to create the order (its idempotency key and items)
    ORDER_CREATED = "order_created"  # the server made the order
    PART_PAID = "part_paid"  # a part of a split payment was taken (method, amount, still due)
    PAID = "paid"  # the order is paid; the tickets are about to go out
    DONE = "done"  # the tickets are out (or reported as not printed): the sale is over
    CANCELED = "canceled"  # no order, or its order was released: the sale is over


FINISHED_STEPS = frozenset({Step.DONE, Step.CANCELED})
_STEP_VALUES = [step.value for step in Step]


@dataclass(frozen=True)
class ServerIdentity:
    """Which server a sale is made on: its API base URL, and the instance id the server
    reports (None when it reports none, or has not been asked yet)."""

    url: str
    instance_id: str | None = None

    def stamp(self) -> dict[str, str]:
        """What each journal line of a sale on this server says of it."""
        stamp = {"server_url": self.url.rstrip("/")}
        if self.instance_id:
            stamp["server_id"] = self.instance_id
        return stamp

    def owns(self, record: SaleRecord) -> bool:
        """Whether `record`'s sale was made on this server (see the module docstring)."""
        their_id, their_url = record.data.get("server_id"), record.data.get("server_url")
        if their_id and self.instance_id:
            return bool(their_id == self.instance_id)
        return their_url is not None and their_url == self.url.rstrip("/")


@dataclass
class SaleRecord:
    """The last known state of one sale: its step and everything recorded along the way."""

    sale_id: str
    step: Step
    at: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.step in FINISHED_STEPS

    @property
    def order_id(self) -> int | None:
        value = self.data.get("order_id")
        return int(value) if value is not None else None


class SaleJournal:
    """Append-only journal of sale steps (`Step`: started, order_created, paid, done…).

    `server` is the server the counter sells through now: every line recorded says so."""

    def __init__(self, path: Path, *, server: ServerIdentity | None = None) -> None:
        self.path = path
        self.server = server
        self._lock = threading.Lock()

    @staticmethod
    def new_sale_id() -> str:
        return uuid.uuid4().hex

    def record(self, sale_id: str, step: Step, **data: Any) -> None:
        """Append one step durably (flush + fsync) before the caller goes on.

        Raises TypeError for a step that is not a `Step` (a misspelt string would never
        count as finished, and its sale would be settled again at every start)."""
        if not isinstance(step, Step):
            raise TypeError(f"a sale step is a journal.Step, not {step!r}")
        entry = {
            "sale_id": sale_id,
            "step": step,
            "at": datetime.now(UTC).isoformat(),
            **(self.server.stamp() if self.server is not None else {}),
            **data,
        }
        line = json.dumps(entry, default=str, separators=(",", ":")) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a+b") as handle:
                if handle.tell() > 0:  # after a line cut short by a crash, start a new line
                    handle.seek(-1, os.SEEK_END)
                    if handle.read(1) != b"\n":
                        line = "\n" + line
                handle.write(line.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())

    def sales(self) -> dict[str, SaleRecord]:
        """Every sale's latest state, data merged over its steps, in journal order."""
        records: dict[str, SaleRecord] = {}
        for entry in self._entries():
            sale_id, step, at = entry.pop("sale_id"), Step(entry.pop("step")), entry.pop("at")
            record = records.get(sale_id) or SaleRecord(sale_id=sale_id, step=step, at=at)
            record.step, record.at = step, at
            record.data.update(entry)
            records[sale_id] = record
        return records

    def unfinished(self) -> list[SaleRecord]:
        """Sales that stopped before `done` or `canceled`, oldest first."""
        return [record for record in self.sales().values() if not record.finished]

    def _entries(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by a crash: the steps before it still count
                if (
                    isinstance(entry, dict)
                    and {"sale_id", "step", "at"} <= entry.keys()
                    and entry["step"] in _STEP_VALUES  # else not a step this app writes
                ):
                    yield entry
