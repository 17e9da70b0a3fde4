"""The refund confirmation mail: what was refunded, how much, and which way the money went.

The message is composed when the refund is made (it has no attachments) and queued as a
`MailJob` with its bytes, so the mail queue sends it as it is (`services/mail_queue.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from sqlalchemy.orm import Session

from boxoffice import i18n
from boxoffice.i18n import N_
from boxoffice.server.db.models import MailJob, Order, Ticket
from boxoffice.server.services.money import to_major

METHOD_WORDS = {
    "cash": N_("in cash at the box office"),
    "card": N_("to the card you paid with (it can take a few days to show on your statement)"),
}
METHOD_WORDS["card_present"] = METHOD_WORDS["card"]


@dataclass(frozen=True)
class RefundedPart:
    """Money given back one way: `method` (cash, card, free) and `amount` in minor units."""

    method: str
    amount: int


def _money(minor: int, currency: str, language: str = i18n.DEFAULT) -> str:
    return i18n.money(to_major(minor, currency), currency, language)


def refund_subject(order: Order) -> str:
    _ = i18n.translations(order.language).gettext
    return _("Refund for %(event)s (order %(order)s)") % {
        "event": order.event.name,
        "order": order.code,
    }


def refund_text(
    order: Order,
    tickets: Sequence[Ticket],
    parts: Sequence[RefundedPart],
    names: dict[int, str],
    *,
    reason: str,
    whole: bool,
) -> str:
    """The plain text of the mail, in the order's language."""
    lang = order.language
    tr = i18n.translations(lang)
    _ = tr.gettext
    contact = order.contact
    greeting = (
        _("Hello %(name)s,") % {"name": f"{contact.first_name} {contact.last_name}"} + "\n\n"
        if contact
        else ""
    )
    ticket_word = _("Ticket")

    def seat(label: str | None) -> str:
        return ", " + _("seat %(seat)s") % {"seat": label} if label else ""

    lines = "\n".join(
        f"  - {names.get(t.ticket_config_id, ticket_word)}{seat(t.seat_label)}"
        f" ({t.code}): {_money(t.price, order.currency, lang)}"
        for t in tickets
    )
    total = sum(p.amount for p in parts)
    how = "\n".join(
        "  - " + _("free tickets: nothing to pay back")
        if p.method == "free"
        else f"  - {_money(p.amount, order.currency, lang)} "
        + (_(METHOD_WORDS[p.method]) if p.method in METHOD_WORDS else p.method)
        for p in parts
    )
    what = _("Your whole order was refunded.") if whole else _("Part of your order was refunded.")
    rest = "" if whole else "\n" + _("Your other tickets of this order stay valid.") + "\n"
    refunded = tr.ngettext(
        "Refunded ticket (it can no longer be used at the entrance):",
        "Refunded tickets (they can no longer be used at the entrance):",
        len(tickets),
    )
    event, code, why, amount = _("Event"), _("Order"), _("Reason"), _("Amount refunded")
    return (
        f"{greeting}{what}\n\n"
        f"{event}: {order.event.name}\n"
        f"{code}: {order.code}\n"
        f"{why}: {reason}\n\n"
        f"{refunded}\n{lines}\n\n"
        f"{amount}: {_money(total, order.currency, lang)}\n{how}\n{rest}"
    )


def queue_refund_mail(
    session: Session,
    order: Order,
    tickets: Sequence[Ticket],
    parts: Sequence[RefundedPart],
    *,
    reason: str,
    whole: bool,
    sender: str,
    now: datetime,
) -> MailJob | None:
    """Queue the refund confirmation of `order` (none without a contact email)."""
    if order.contact is None or not order.contact.email:
        return None
    names = {item.ticket_config_id: item.ticket_config.name for item in order.items}
    message = EmailMessage()
    message["Subject"] = refund_subject(order)
    message["From"] = sender
    message["To"] = order.contact.email
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "boxoffice.invalid"
    message["Message-ID"] = make_msgid(idstring=f"{order.code}-refund", domain=domain)
    message.set_content(refund_text(order, tickets, parts, names, reason=reason, whole=whole))
    job = MailJob(
        order_id=order.id,
        recipient=order.contact.email,
        subject=str(message["Subject"]),
        message=message.as_bytes(),
        status="queued",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(job)
    return job
