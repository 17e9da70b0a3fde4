"""Writes audit entries inside the transaction of the change they record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
    session.add(
        AuditEntry(
            at=now,
            user_id=actor.id if actor and actor.id > 0 else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            data=data or {},
        )
    )
