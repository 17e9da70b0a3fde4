"""Writes audit entries inside the transaction of the change they record."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from boxoffice.server.db.models import AuditEntry
from boxoffice.server.services.actors import Actor


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: int,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    """Add one audit entry; it commits or rolls back with the change itself."""
    # A prebuilt Core INSERT, not `session.add`: no ORM unit of work for a row nothing reads
    # back. `Session.execute` flushes pending changes first, so rows still go in in order.
    session.execute(
        _INSERT,
        {
            "at": now,
            "user_id": actor.id if actor and actor.id > 0 else None,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "data": data or {},
        },
    )


_INSERT = insert(cast(Table, AuditEntry.__table__))
