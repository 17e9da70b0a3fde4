"""The ticket ownership ledger: append-only rows chained by hash (`services/ledger.py`).

Owners are plain user ids without a foreign key: a cascade (`SET NULL`, `CASCADE`) would
rewrite or remove ledger rows and so break the chain, and the ledger outlives accounts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from boxoffice.server.db.base import Base, UTCDateTime


class LedgerEntryRow(Base):
    __tablename__ = "ledger_entry"

    # Set by the ledger (last seq + 1), never by the database: appenders hold the ledger lock
    # (`db.locking.lock_ledger`) from reading the last row to their commit; should two writers
    # read the same last row all the same, they clash on this key and the loser retries.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))  # "issue" | "transfer" | "invalidate"
    ticket_code: Mapped[str] = mapped_column(String(32), index=True)
    from_owner: Mapped[int | None] = mapped_column(Integer)
    to_owner: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
