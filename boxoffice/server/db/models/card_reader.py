"""Card readers (Stripe Terminal) the venue registered, and the counter each one serves.

Stripe keeps the reader itself (its status, its current action); this table keeps what the
venue decided about it: its label, the Location it is registered to and the counter it is
picked for. A counter has at most one reader (a unique index); a reader serves one counter
at most.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from boxoffice.server.db.base import Base, UTCDateTime


class CardReader(Base):
    __tablename__ = "card_reader"
    __table_args__ = (Index("uq_card_reader_counter", "counter", unique=True),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # Stripe's tmr_…
    label: Mapped[str] = mapped_column(String(100))
    device_type: Mapped[str] = mapped_column(String(64))
    location_id: Mapped[str | None] = mapped_column(String(64))
    counter: Mapped[str | None] = mapped_column(String(64))
    livemode: Mapped[bool] = mapped_column(default=False)
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
