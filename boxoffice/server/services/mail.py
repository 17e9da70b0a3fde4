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

from boxoffice import i18n
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
    """What the confirmation says about an order; money in minor units of `currency`.
    `language` is the order's: the mail is written in it."""

    order_code: str
    event_name: str
    event_start: datetime
    timezone_name: str
    currency: str
    total: int
    tickets: Sequence[TicketLine]
    venue_name: str | None = None
    buyer_name: str | None = None
    language: str = i18n.DEFAULT


def _money(minor: int, currency: str, language: str = i18n.DEFAULT) -> str:
    """Minor units as every amount reads: "1,200.50 EUR" in English, cs "1 200,50 €"."""
    return i18n.money(to_major(minor, currency), currency, language)


def _event_date(summary: OrderSummary) -> str:
    local = summary.event_start.astimezone(ZoneInfo(summary.timezone_name))
    if summary.language != i18n.DEFAULT:
        return i18n.date_time(local, summary.language)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M}"


def _ticket_text(ticket: TicketLine, summary: OrderSummary) -> str:
    _ = i18n.translations(summary.language).gettext
    seat = ", " + _("seat %(seat)s") % {"seat": ticket.seat} if ticket.seat else ""
    price = _money(ticket.price, summary.currency, summary.language)
    return f"{ticket.name}{seat} ({ticket.code}): {price}"


def confirmation_subject(summary: OrderSummary) -> str:
    _ = i18n.translations(summary.language).gettext
    return _("Your tickets for %(event)s (order %(order)s)") % {
        "event": summary.event_name,
        "order": summary.order_code,
    }


def _count(summary: OrderSummary) -> str:
    """ "2 tickets" (Czech: 1 vstupenka, 2 vstupenky, 5 vstupenek)."""
    n = len(summary.tickets)
    return i18n.translations(summary.language).ngettext(
        "%(count)d ticket", "%(count)d tickets", n
    ) % {"count": n}


def _labels(summary: OrderSummary) -> dict[str, str]:
    """The mail's words in its language (outside f-strings, where `pybabel extract` finds them)."""
    _ = i18n.translations(summary.language).gettext
    return {
        "venue": _("Venue"),
        "event": _("Event"),
        "date": _("Date"),
        "order": _("Order"),
        "total": _("Total"),
        "hello": _("Hello %(name)s,") % {"name": summary.buyer_name or ""},
        "thanks": _("Thank you for your order. Your tickets are attached."),
        "thanks_after_hello": _("thank you for your order. Your tickets are attached."),
        "entrance": _("Show the QR code of each ticket at the entrance, printed or on your phone."),
    }


def _plain_text(summary: OrderSummary) -> str:
    w = _labels(summary)
    where = f"\n{w['venue']}: {summary.venue_name}" if summary.venue_name else ""
    lines = "\n".join(f"  - {_ticket_text(t, summary)}" for t in summary.tickets)
    greeting = f"{w['hello']}\n\n" if summary.buyer_name else ""
    thanks = w["thanks_after_hello"] if summary.buyer_name else w["thanks"]
    total = _money(summary.total, summary.currency, summary.language)
    return (
        f"{greeting}{thanks}\n\n"
        f"{w['event']}: {summary.event_name}\n"
        f"{w['date']}: {_event_date(summary)}{where}\n"
        f"{w['order']}: {summary.order_code}\n"
        f"{w['total']}: {total}\n\n"
        f"{_count(summary)}:\n{lines}\n\n"
        f"{w['entrance']}\n"
    )


def _html(summary: OrderSummary) -> str:
    e = html.escape
    w = {key: e(value) for key, value in _labels(summary).items()}
    rows = "\n".join(f"<li>{e(_ticket_text(t, summary))}</li>" for t in summary.tickets)
    venue = (
        f"<tr><th>{w['venue']}</th><td>{e(summary.venue_name)}</td></tr>"
        if summary.venue_name
        else ""
    )
    greeting = f"<p>{w['hello']}</p>" if summary.buyer_name else ""
    total = _money(summary.total, summary.currency, summary.language)
    return f"""<!DOCTYPE html>
<html lang="{e(summary.language)}"><body>
{greeting}<p>{w["thanks"]}</p>
<table>
<tr><th>{w["event"]}</th><td>{e(summary.event_name)}</td></tr>
<tr><th>{w["date"]}</th><td>{e(_event_date(summary))}</td></tr>
{venue}<tr><th>{w["order"]}</th><td>{e(summary.order_code)}</td></tr>
<tr><th>{w["total"]}</th><td>{e(total)}</td></tr>
</table>
<p>{e(_count(summary))}:</p>
<ul>
{rows}
</ul>
<p>{w["entrance"]}</p>
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
