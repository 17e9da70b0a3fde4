"""After a crash or a dead server: settle every sale the journal says did not finish.

A paid order is never forgotten (it is reported, and can be reprinted from Orders); an
order that was never paid is released so its tickets can be sold again. Only the sales made
on the server the counter uses now are settled (`journal.ServerIdentity.owns`); the others
are kept for when their server is used again.
"""

from __future__ import annotations

import logging

from boxoffice import i18n
from boxoffice.desktop.journal import SaleJournal, SaleRecord, ServerIdentity, Step
from boxoffice.i18n import _
from boxoffice.sdk import SDK, BoxOfficeError, NotFoundError
from boxoffice.sdk.models.order_status import AWAITING_PAYMENT, OrderStatus

logger = logging.getLogger(__name__)


async def settle_unfinished(sdk: SDK, journal: SaleJournal) -> list[str]:
    """Check each unfinished sale of this server with it; one sentence per sale for the
    cashier.

    The server is asked who it is first (its instance id, `GET event/health`), and the
    journal says so on every line from then on. Sales that cannot be checked now (server
    unreachable) stay unfinished for next time.
    """
    try:
        health = await sdk.event.health()
    except BoxOfficeError as exc:
        logger.info("cannot settle unfinished sales yet: %s", exc)
        return []
    url = journal.server.url if journal.server is not None else sdk.base_url
    server = journal.server = ServerIdentity(url, health.instance_id)
    messages = []
    for record in journal.unfinished():
        if not server.owns(record):
            continue  # another server's sale: kept for when that server is used again
        try:
            message = await _settle(sdk, journal, record)
        except BoxOfficeError as exc:
            logger.info("cannot settle sale %s yet: %s", record.sale_id, exc)
            continue
        if message:
            messages.append(message)
    return messages


async def _settle(sdk: SDK, journal: SaleJournal, record: SaleRecord) -> str | None:
    order_id = record.order_id
    if order_id is None:
        journal.record(record.sale_id, Step.CANCELED, reason="no order was made")
        return None
    try:
        order = await sdk.order.get_order(order_id)
    except NotFoundError:
        journal.record(record.sale_id, Step.CANCELED, reason="order not found")
        return None
    if order.status == OrderStatus.PAYMENT_PROCESSING:
        order = await sdk.payment.reconcile(order.id)
    if order.status == OrderStatus.PAID:
        journal.record(record.sale_id, Step.DONE, order_id=order.id, recovered=True)
        return _(
            "Order %(code)s was paid before Box Office stopped; "
            "print its tickets from Orders (Ctrl+2) if the customer has none."
        ) % {"code": order.code}
    if order.status in AWAITING_PAYMENT:
        await sdk.order.cancel_order(order.id)  # a part paid goes back the way it came
        journal.record(record.sale_id, Step.CANCELED, order_id=order.id, recovered=True)
        if order.paid_amount > 0:
            paid = i18n.money(order.paid_amount, order.currency)
            return _(
                "Order %(code)s was part-paid (%(paid)s) when Box Office stopped; it was "
                "canceled and the %(paid)s given back the way it came: hand back any cash."
            ) % {"code": order.code, "paid": paid}
        return _("Order %(code)s was not paid when Box Office stopped; it was released.") % {
            "code": order.code
        }
    journal.record(record.sale_id, Step.CANCELED, order_id=order.id, reason=order.status)
    return None
