"""Taking and giving back capacity: ticket configs, timeslots and sectors, by conditional UPDATE.

`take` adds to a row's `taken` counter only while it stays within `quantity`; the UPDATE is a
single atomic statement on SQLite and PostgreSQL alike, so no interleaving of requests can take
more than exists. A NULL quantity means the row does not limit the sale.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Integer, Table, Update, bindparam, select, update
from sqlalchemy.orm import Session

from boxoffice.server.db.models import Sector, TicketConfig, Timeslot

Counted = type[TicketConfig] | type[Timeslot] | type[Sector]


def _statements(model: Counted) -> tuple[Update, Update]:
    """The take and give-back UPDATEs of one table, built once with bound parameters.

    They are Core statements on the table (they never touched loaded objects: the ORM form ran
    with `synchronize_session=False`), so executing them skips the ORM's per-statement set-up;
    `Session.execute` still autoflushes first, as before.
    """
    table = cast(Table, model.__table__)
    row, quantity = bindparam("b_id", type_=Integer), bindparam("b_quantity", type_=Integer)
    take = (
        update(table)
        .where(
            table.c.id == row,
            table.c.quantity.is_(None) | (table.c.taken + quantity <= table.c.quantity),
        )
        .values(taken=table.c.taken + quantity)
    )
    give_back = update(table).where(table.c.id == row).values(taken=table.c.taken - quantity)
    return take, give_back


_STATEMENTS = {model: _statements(model) for model in (TicketConfig, Timeslot, Sector)}


def take(session: Session, model: Counted, row_id: int, quantity: int) -> bool:
    """Take `quantity` units of one row; False when fewer are left."""
    statement = _STATEMENTS[model][0]
    result = session.execute(statement, {"b_id": row_id, "b_quantity": quantity})
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def give_back(session: Session, model: Counted, row_id: int, quantity: int) -> None:
    """Return `quantity` units taken earlier."""
    statement = _STATEMENTS[model][1]
    session.execute(statement, {"b_id": row_id, "b_quantity": quantity})


def available(quantity: int | None, taken: int) -> int | None:
    """What is left of a row, or None when it is unlimited."""
    return None if quantity is None else max(quantity - taken, 0)


def remaining(session: Session, model: Counted, row_id: int) -> int | None:
    """What is left of one row right now (None: unlimited)."""
    quantity, taken = session.execute(
        select(model.quantity, model.taken).where(model.id == row_id)
    ).one()
    return available(quantity, taken)
