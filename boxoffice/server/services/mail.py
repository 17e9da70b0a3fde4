"""The order confirmation mail, and the retry policy of the mail queue (no I/O here).

`build_confirmation` makes the message: plain text with an HTML alternative, and the
tickets attached as the ticket outputs return them, `(filename, mimetype, bytes)`. The
transport is `boxoffice.server.mailer`. A `MailJob` is one queued mail; `record_failure`
and `record_sent` move it on, `next_attempt` spaces the retries.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Literal
from zoneinfo import ZoneInfo

from boxoffice.sdk.money import format_money
from boxoffice.server.services.money import to_major

Attachment = tuple[str, str, bytes]  # (filename, mimetype, content), as ticket outputs give

RETRY_FIRST = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 20  # 30 s, 1, 2, 4 … 32 min, then hourly: about 13 hours in all
_ERROR_CHARS = 500

MailStatus = Literal["queued", "sent", "failed"]


@dataclass(frozen=True)
class TicketLine:
    code: str
    name: str  # the ticket config, e.g. "Adult"
    price: int  # minor units
    seat: str | None = None


@dataclass(frozen=True)
class OrderSummary:
    """What the confirmation says about an order; money in minor units of `currency`."""

    order_code: str
    event_name: str
    event_start: datetime
    timezone_name: str
    currency: str
    total: int
    tickets: Sequence[TicketLine]
    venue_name: str | None = None
    buyer_name: str | None = None


def _money(minor: int, currency: str) -> str:
    """Minor units as every amount reads on screen (`sdk.money.format_money`): "1,200.50 EUR"."""
    return format_money(to_major(minor, currency), currency)


def _event_date(summary: OrderSummary) -> str:
    local = summary.event_start.astimezone(ZoneInfo(summary.timezone_name))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M}"


def _ticket_text(ticket: TicketLine, currency: str) -> str:
    seat = f", seat {ticket.seat}" if ticket.seat else ""
    return f"{ticket.name}{seat} ({ticket.code}): {_money(ticket.price, currency)}"


def confirmation_subject(summary: OrderSummary) -> str:
    return f"Your tickets for {summary.event_name} (order {summary.order_code})"


def _plain_text(summary: OrderSummary) -> str:
    where = f"\nVenue: {summary.venue_name}" if summary.venue_name else ""
    lines = "\n".join(f"  - {_ticket_text(t, summary.currency)}" for t in summary.tickets)
    greeting = f"Hello {summary.buyer_name},\n\n" if summary.buyer_name else ""
    return (
        f"{greeting}thank you for your order. Your tickets are attached.\n\n"
        f"Event: {summary.event_name}\n"
        f"Date: {_event_date(summary)}{where}\n"
        f"Order: {summary.order_code}\n"
        f"Total: {_money(summary.total, summary.currency)}\n\n"
        f"Tickets:\n{lines}\n\n"
        "Show the QR code of each ticket at the entrance, printed or on your phone.\n"
    )


def _html(summary: OrderSummary) -> str:
    e = html.escape
    rows = "\n".join(f"<li>{e(_ticket_text(t, summary.currency))}</li>" for t in summary.tickets)
    venue = f"<tr><th>Venue</th><td>{e(summary.venue_name)}</td></tr>" if summary.venue_name else ""
    greeting = f"<p>Hello {e(summary.buyer_name)},</p>" if summary.buyer_name else ""
    return f"""<!DOCTYPE html>
<html><body>
{greeting}<p>Thank you for your order. Your tickets are attached.</p>
<table>
<tr><th>Event</th><td>{e(summary.event_name)}</td></tr>
<tr><th>Date</th><td>{e(_event_date(summary))}</td></tr>
{venue}<tr><th>Order</th><td>{e(summary.order_code)}</td></tr>
<tr><th>Total</th><td>{e(_money(summary.total, summary.currency))}</td></tr>
</table>
<ul>
{rows}
</ul>
<p>Show the QR code of each ticket at the entrance, printed or on your phone.</p>
</body></html>
"""


def build_confirmation(
    summary: OrderSummary,
    attachments: Sequence[Attachment],
    *,
    sender: str,
    recipient: str,
    now: datetime,
) -> EmailMessage:
    """The confirmation mail for a paid order, with its tickets attached."""
    message = EmailMessage()
    message["Subject"] = confirmation_subject(summary)
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "boxoffice.invalid"
    message["Message-ID"] = make_msgid(idstring=summary.order_code, domain=domain)
    message.set_content(_plain_text(summary))
    message.add_alternative(_html(summary), subtype="html")
    for filename, mimetype, content in attachments:
        maintype, slash, subtype = mimetype.partition("/")
        if not slash or not maintype or not subtype or maintype == "multipart":
            raise ValueError(f"not a MIME type for an attachment: {mimetype!r}")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


# --- the queue's retry policy --------------------------------------------------------------


@dataclass(frozen=True)
class MailJob:
    """One mail in the queue; `attempts` counts the failed deliveries so far."""

    id: int | None
    to: str
    subject: str
    status: MailStatus = "queued"
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None

    def is_due(self, now: datetime) -> bool:
        return self.status == "queued" and (
            self.next_attempt_at is None or self.next_attempt_at <= now
        )


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: 30 s, 1 min, 2 min … at most 1 h."""
    if attempts < 1:
        raise ValueError("attempts counts failures, from 1")
    # The cap is reached after 7 doublings; bounding the exponent keeps huge counts cheap.
    doubling: int = 2 ** min(attempts - 1, 16)
    return min(RETRY_FIRST * doubling, RETRY_CAP)


def next_attempt(attempts: int, now: datetime) -> datetime:
    """When to try again after the `attempts`-th failed delivery."""
    return now + retry_delay(attempts)


def record_failure(
    job: MailJob, error: str, now: datetime, *, max_attempts: int = MAX_ATTEMPTS
) -> MailJob:
    """The job after a failed delivery: queued for later, or `failed` after `max_attempts`."""
    attempts = job.attempts + 1
    last_error = error[:_ERROR_CHARS]
    if attempts >= max_attempts:
        return replace(
            job, status="failed", attempts=attempts, next_attempt_at=None, last_error=last_error
        )
    return replace(
        job,
        status="queued",
        attempts=attempts,
        next_attempt_at=next_attempt(attempts, now),
        last_error=last_error,
    )


def record_sent(job: MailJob) -> MailJob:
    return replace(job, status="sent", next_attempt_at=None)
