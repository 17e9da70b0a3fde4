"""An order's story, oldest first: its audit entries (created, paid, refunded, reprinted,
reissued, canceled…) and its mails (queued, sent or failed), each with who and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boxoffice.server.db.models import AuditEntry, MailJob, Order, User


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    action: str
    who: str | None
    details: dict[str, Any]


def _name(user: User | None) -> str | None:
    if user is None:
        return None
    full = " ".join(p for p in (user.first_name, user.last_name) if p)
    if full and user.username:
        return f"{full} ({user.username})"
    return full or user.username or user.email or f"user {user.id}"


def history(session: Session, order: Order) -> list[HistoryEntry]:
    """Everything that happened to `order`, oldest first (ties in the order written)."""
    audits = list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "order", AuditEntry.object_id == order.id)
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )
    user_ids = {a.user_id for a in audits if a.user_id is not None}
    users = (
        {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
        if user_ids
        else {}
    )
    entries: list[tuple[datetime, int, int, HistoryEntry]] = []
    for a in audits:
        entry = HistoryEntry(
            at=a.at,
            action=a.action,
            who=_name(users.get(a.user_id)) if a.user_id is not None else None,
            details=dict(a.data or {}),
        )
        entries.append((a.at, 0, a.id, entry))
    jobs = session.scalars(select(MailJob).where(MailJob.order_id == order.id).order_by(MailJob.id))
    for job in jobs:
        details: dict[str, Any] = {"recipient": job.recipient, "subject": job.subject}
        entries.append(
            (job.created_at, 1, job.id, HistoryEntry(job.created_at, "mail.queued", None, details))
        )
        if job.status == "sent" and job.sent_at is not None:
            entries.append(
                (job.sent_at, 1, job.id, HistoryEntry(job.sent_at, "mail.sent", None, details))
            )
        elif job.status == "failed":
            failed = {**details, "attempts": job.attempts, "error": job.last_error}
            at = job.next_attempt_at or job.created_at
            entries.append((at, 1, job.id, HistoryEntry(at, "mail.failed", None, failed)))
    entries.sort(key=lambda e: (e[0], e[1], e[2]))
    return [e[3] for e in entries]
