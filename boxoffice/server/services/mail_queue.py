"""The mail queue: deliver the confirmation mails that paying queued as `MailJob` rows.

`deliver_due` runs one round. For each due job it
1. claims the job and reads its bytes in one short write transaction: a conditional UPDATE
   moves `next_attempt_at` a lease (`LEASE`) ahead, so another deliverer (`boxoffice mail
   send` next to a running server) skips the job meanwhile;
2. sends it with no transaction open (`mailer.send`: SMTP, or the outbox folder);
3. records the outcome in another short write transaction: `sent`, queued again for the next
   attempt (`services.mail.record_failure` spaces them), or `failed` after `MAX_ATTEMPTS` or a
   refusal for good.
Write transactions queue at the write gate (one writer at a time on SQLite), as the requests'
do; nothing waits at the gate while a mail is on its way. A deliverer that dies mid-send
leaves the job claimed until the lease runs out, then it is tried again: a mail leaves at
least once. A mail failure never touches its order.
"""

from __future__ import annotations

import email
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from pathlib import Path
from typing import Protocol

import anyio
from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session, defer, sessionmaker

from boxoffice.server import mailer
from boxoffice.server.config import ServerSettings
from boxoffice.server.db.locking import WriteGate
from boxoffice.server.db.models import MailJob
from boxoffice.server.errors import NotFound, RuleViolation
from boxoffice.server.services import issuing, mail

logger = logging.getLogger(__name__)

QUEUED, SENT, FAILED = "queued", "sent", "failed"
STATUSES = (QUEUED, SENT, FAILED)
ROUND_LIMIT = 50  # jobs per round; the rest wait for the next one
# Longer than any one delivery can take (the SMTP timeout applies per network operation).
LEASE = timedelta(minutes=10)


class ServerParts(Protocol):
    """What the queue needs of the server's state (`api.state.ServerState` has it all)."""

    @property
    def settings(self) -> ServerSettings: ...
    @property
    def read_sessions(self) -> sessionmaker[Session]: ...
    @property
    def write_sessions(self) -> sessionmaker[Session]: ...
    @property
    def gate(self) -> WriteGate: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...


@dataclass(frozen=True)
class MailQueue:
    """Sessions, write gate and transport of one deliverer."""

    read_sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]
    gate: WriteGate
    smtp: mailer.SmtpSettings | None
    outbox_dir: Path
    # Composes the message of a job queued without one (order id → RFC 5322 bytes).
    compose: Callable[[Session, int], bytes] | None = None

    @classmethod
    def of(cls, state: ServerParts, *, gate: WriteGate | None = None) -> MailQueue:
        """The queue of a server; `gate`: one of this event loop's, else the server's."""
        return cls(
            read_sessions=state.read_sessions,
            write_sessions=state.write_sessions,
            gate=gate or state.gate,
            smtp=state.settings.smtp_settings(),
            outbox_dir=state.settings.outbox_dir,
            compose=_composer(state),
        )


@dataclass(frozen=True)
class _Outcome:
    error: str | None = None  # None: delivered
    retryable: bool = True
    unreachable: bool = False  # the relay did not answer at all


# --- reading ---------------------------------------------------------------------------------


def _is_due(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (
        MailJob.status == QUEUED,
        or_(MailJob.next_attempt_at.is_(None), MailJob.next_attempt_at <= now),
    )


def due_jobs(session: Session, now: datetime, limit: int = ROUND_LIMIT) -> list[MailJob]:
    """Queued jobs whose time has come, longest waiting first (message bytes not loaded)."""
    return list(
        session.scalars(
            select(MailJob)
            .where(*_is_due(now))
            .order_by(MailJob.next_attempt_at, MailJob.id)
            .limit(limit)
            .options(defer(MailJob.message))
        )
    )


def list_jobs(
    session: Session, status: str | None = None, *, limit: int = 20, offset: int = 0
) -> tuple[list[MailJob], int]:
    """A page of jobs, newest first, and how many there are (message bytes not loaded)."""
    stmt = select(MailJob)
    if status:
        stmt = stmt.where(MailJob.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(MailJob.created_at.desc(), MailJob.id.desc())
        .limit(limit)
        .offset(offset)
        .options(defer(MailJob.message))
    ).all()
    return list(rows), total


def requeue(session: Session, job_id: int, *, now: datetime) -> MailJob:
    """Queue a failed job again, due at once and with a fresh count of attempts."""
    row = session.get(MailJob, job_id, options=[defer(MailJob.message)])
    if row is None:
        raise NotFound("No such mail.", code="mail_not_found")
    if row.status != FAILED:
        raise RuleViolation(
            f"Only a failed mail can be retried; this one is {row.status}.",
            code="mail_not_failed",
        )
    row.status = QUEUED
    row.attempts = 0
    row.next_attempt_at = now
    session.flush()
    return row


# --- one round -------------------------------------------------------------------------------


async def deliver_due(
    queue: MailQueue | ServerParts, now: datetime, *, limit: int = ROUND_LIMIT
) -> int:
    """Deliver the jobs due at `now`; returns how many left. Database work runs in worker
    threads, writes through `queue.gate`; call it from the event loop that owns that gate."""
    parts = queue if isinstance(queue, MailQueue) else MailQueue.of(queue)
    due = await anyio.to_thread.run_sync(_due_ids, parts, now, limit)
    sent = 0
    for job_id in due:
        # Shielded: a job is claimed, sent and recorded whole, even while the server stops.
        with anyio.CancelScope(shield=True):
            outcome = await _deliver_one(parts, job_id, now)
        if outcome is None:
            continue
        if outcome.error is None:
            sent += 1
        elif outcome.unreachable:
            break  # the others would only wait for the same silence; next round
    return sent


async def _deliver_one(queue: MailQueue, job_id: int, now: datetime) -> _Outcome | None:
    async with queue.gate.hold():
        claimed = await anyio.to_thread.run_sync(_claim, queue, job_id, now)
    if claimed is None:
        return None  # another deliverer has it
    message, order_id = claimed
    if not message:
        composed = await anyio.to_thread.run_sync(_compose, queue, job_id, order_id)
        if isinstance(composed, _Outcome):
            outcome = composed
        else:
            message = composed
            async with queue.gate.hold():
                await anyio.to_thread.run_sync(_store_message, queue, job_id, message)
    if message:
        outcome = await anyio.to_thread.run_sync(_send, queue, job_id, message)
    async with queue.gate.hold():
        await anyio.to_thread.run_sync(_record, queue, job_id, outcome, now)
    return outcome


def _due_ids(queue: MailQueue, now: datetime, limit: int) -> list[int]:
    with queue.read_sessions() as session:
        return [job.id for job in due_jobs(session, now, limit)]


def _claim(queue: MailQueue, job_id: int, now: datetime) -> tuple[bytes, int | None] | None:
    """The job's message (empty if not composed yet) and order, if this deliverer got the
    job (still due, now leased to it)."""
    with queue.write_sessions() as session, session.begin():
        row = session.execute(
            update(MailJob)
            .where(MailJob.id == job_id, *_is_due(now))
            .values(next_attempt_at=now + LEASE)
            .returning(MailJob.message, MailJob.order_id)
            .execution_options(synchronize_session=False)
        ).first()
        return None if row is None else (row[0], row[1])


def _composer(state: ServerParts) -> Callable[[Session, int], bytes] | None:
    """Confirmation messages composed with the server's pass signer and sender, if it has one."""
    issuing_with = getattr(state, "issuing", None)
    if issuing_with is None:
        return None

    def compose(session: Session, order_id: int) -> bytes:
        return issuing.compose_confirmation(
            session,
            order_id,
            signer=lambda: issuing_with.signer,
            sender=issuing_with.sender,
            now=state.clock(),
        )

    return compose


def _compose(queue: MailQueue, job_id: int, order_id: int | None) -> bytes | _Outcome:
    """Render the job's message (ticket files included) outside any write transaction."""
    if queue.compose is None or order_id is None:
        return _Outcome("the message was never composed", retryable=False)
    try:
        with queue.read_sessions() as session:
            return queue.compose(session, order_id)
    except Exception as exc:
        logger.exception("mail %d: could not compose the message", job_id)
        return _Outcome(f"{type(exc).__name__}: {exc}", retryable=True)


def _store_message(queue: MailQueue, job_id: int, message: bytes) -> None:
    with queue.write_sessions() as session, session.begin():
        session.execute(
            update(MailJob)
            .where(MailJob.id == job_id)
            .values(message=message)
            .execution_options(synchronize_session=False)
        )


def _send(queue: MailQueue, job_id: int, raw: bytes) -> _Outcome:
    """Send the stored message; never raises, the outcome says what happened."""
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
        delivery = mailer.send(message, queue.smtp, queue.outbox_dir)
    except mailer.MailDeliveryError as exc:
        unreachable = isinstance(exc.__cause__, ConnectionError | TimeoutError | socket.gaierror)
        return _Outcome(_scrub(str(exc), queue.smtp), exc.retryable, unreachable)
    except Exception as exc:  # e.g. the outbox folder is not writable
        logger.exception("mail %d: delivery failed unexpectedly", job_id)
        return _Outcome(_scrub(f"{type(exc).__name__}: {exc}", queue.smtp), retryable=True)
    logger.info("mail %d sent via %s", job_id, delivery.via)
    return _Outcome()


def _scrub(text: str, smtp: mailer.SmtpSettings | None) -> str:
    """`text` without the SMTP password, should any error message ever quote it."""
    secret = smtp.password.get_secret_value() if smtp and smtp.password else ""
    return text.replace(secret, "***") if secret else text


def _record(queue: MailQueue, job_id: int, outcome: _Outcome, now: datetime) -> None:
    with queue.write_sessions() as session, session.begin():
        row = session.get(MailJob, job_id, options=[defer(MailJob.message)])
        if row is None:
            return
        job = mail.MailJob(
            id=row.id,
            to=row.recipient,
            subject=row.subject,
            status="queued",
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
        )
        if outcome.error is None:
            job = mail.record_sent(job)
            row.sent_at = now
        else:
            # Refused for good: failed now, whatever the count.
            limit = mail.MAX_ATTEMPTS if outcome.retryable else 1
            job = mail.record_failure(job, outcome.error, now, max_attempts=limit)
            logger.warning(
                "mail %d: attempt %d failed (%s): %s",
                job_id,
                job.attempts,
                "will retry" if job.status == QUEUED else "giving up",
                job.last_error,
            )
        row.status = job.status
        row.attempts = job.attempts
        row.next_attempt_at = job.next_attempt_at
        row.last_error = job.last_error


# --- the server's loop -------------------------------------------------------------------------


async def deliver_forever(state: ServerParts) -> None:
    """Deliver the due mail every `mail_interval_seconds`, beside the order sweeper, so a slow
    SMTP server never holds up expiring orders."""
    queue = MailQueue.of(state)
    while True:
        await anyio.sleep(state.settings.mail_interval_seconds)
        try:
            sent = await deliver_due(queue, state.clock())
            if sent:
                logger.info("sent %d confirmation mails", sent)
        except Exception:
            logger.exception("mail delivery failed; trying again next round")
