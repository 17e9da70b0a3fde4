"""Taking and giving back capacity: ticket configs, timeslots and sectors, by conditional UPDATE.

`take` adds to a row's `taken` counter only while it stays within `quantity`; the UPDATE is a
single atomic statement on SQLite and PostgreSQL alike, so no interleaving of requests can take
more than exists. A NULL quantity means the row does not limit the sale.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from boxoffice.server.db.models import Sector, TicketConfig, Timeslot

Counted = type[TicketConfig] | type[Timeslot] | type[Sector]


def take(session: Session, model: Counted, row_id: int, quantity: int) -> bool:
    """Take `quantity` units of one row; False when fewer are left."""
    result = session.execute(
        update(model)
        .where(
            model.id == row_id,
            (model.quantity.is_(None)) | (model.taken + quantity <= model.quantity),
        )
        .values(taken=model.taken + quantity)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def give_back(session: Session, model: Counted, row_id: int, quantity: int) -> None:
    """Return `quantity` units taken earlier."""
    session.execute(
        update(model)
        .where(model.id == row_id)
        .values(taken=model.taken - quantity)
        .execution_options(synchronize_session=False)
    )


def available(quantity: int | None, taken: int) -> int | None:
    """What is left of a row, or None when it is unlimited."""
    return None if quantity is None else max(quantity - taken, 0)


def remaining(session: Session, model: Counted, row_id: int) -> int | None:
    """What is left of one row right now (None: unlimited)."""
    quantity, taken = session.execute(
        select(model.quantity, model.taken).where(model.id == row_id)
    ).one()
    return available(quantity, taken)
