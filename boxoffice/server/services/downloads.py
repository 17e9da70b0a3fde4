"""Ticket files of a paid order, for download, printing and saving.

PDFs are kept in a process-wide `FileCache` keyed by a hash of the ticket views (everything
printed) and the size, so a second download of the same tickets skips rendering; a reprint,
reissue, refund, transfer or language change prints something else and so misses the cache.
Wallet passes are signed with the signing time and are rendered every time (they are cheap).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.server.db.models import Order, Ticket
from boxoffice.server.db.models.ticket import VALID
from boxoffice.server.errors import InvalidInput, NotFound, RuleViolation
from boxoffice.server.services import issuing
from boxoffice.server.services.actors import Actor
from boxoffice.server.ticketoutput.base import OutputFile
from boxoffice.server.ticketoutput.cache import FileCache, content_key

if TYPE_CHECKING:
    from boxoffice.server.ticketoutput.certificates import PassSigner

FORMATS = ("pdf", "pkpass")
SIZES = ("a4", "ticket")

PDF_CACHE = FileCache()
"""Rendered ticket PDFs of this process, by `content_key` (a few MB at most)."""


def order_file(
    session: Session,
    actor: Actor,
    order: Order,
    *,
    signer: Callable[[], PassSigner],
    ticket_id: int | None,
    format: str | None,
    size: str,
) -> OutputFile:
    """The order's valid tickets (or one of them) as PDF or Wallet pass(es); a partly
    refunded order's tickets that are left."""
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        raise RuleViolation(
            "Tickets can be downloaded once the order is paid.", code="order_not_paid"
        )
    fmt = (format or ("pkpass" if order.format == "PKPASS" else "pdf")).lower()
    if fmt not in FORMATS:
        raise InvalidInput(
            f"format must be one of {', '.join(FORMATS)}.", code="invalid_format", field="format"
        )
    if size not in SIZES:
        raise InvalidInput(
            f"size must be one of {', '.join(SIZES)}.", code="invalid_size", field="size"
        )
    query = select(Ticket).where(Ticket.order_id == order.id, Ticket.status == VALID)
    if order.format == "SECURE" and not actor.is_staff:
        # Secure tickets can change hands: only the tickets the caller holds now.
        query = query.where(Ticket.owner_id == actor.id)
    if ticket_id is not None:
        query = query.where(Ticket.id == ticket_id)
    tickets = list(session.scalars(query.order_by(Ticket.id)))
    if not tickets:
        raise NotFound("No such ticket in this order.", code="ticket_not_found")
    views = issuing.ticket_views(session, order, tickets)
    if fmt == "pkpass":
        return issuing.render_pkpass(views, signer())
    key = content_key("pdf", size, views)
    return PDF_CACHE.get_or_render(key, lambda: issuing.render_pdf(views, size=size))


_warm = False


def warm_up() -> None:
    """Do the once-per-process work of the first PDF now (reportlab and qrcode imports, the
    DejaVu fonts parsed, first-use caches): ~0.1 s of CPU that would otherwise delay the first
    download after the server starts. Meant for a background thread once the server serves."""
    global _warm
    if _warm:
        return  # once per process
    _warm = True
    from boxoffice.server.ticketoutput.pdf import warm_up as warm_up_pdf

    warm_up_pdf()
