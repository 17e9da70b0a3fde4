"""The end of an unpaid order: canceled by a person, or expired when its hold runs out.

Either way the order is released exactly once: it becomes `canceled` and its tickets and
seats go back on sale. An order with an open card intent is never released while that
intent could still take money: the intent is settled with Stripe first — canceled, or, if
it went through after all, applied, and the order is paid instead
(`payments.settle_open_intent`); an intent Stripe no longer knows counts as canceled. When
Stripe cannot be asked, the order keeps its hold: a cancel fails with a 409 the cashier can
retry, and the sweeper tries again next round.

An order leaves its unpaid statuses once, through `order_claims.claim_unpaid`: canceled
here, or paid (`payments`), whichever comes first. The sweeper runs `expire_card_payments` and then
`expire_due`; creating an order runs `expire_due` when a counter runs short.

An order part-paid (split payments: some succeeded, not yet the whole total) gives that money
back when it is canceled, the way it came (`refunds.give_back_payments`: a refund row per
payment, cash out of the counter's open shift, card through Stripe as the last step before
the commit). The sweeper never expires a part-paid order: its money waits for a person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from boxoffice.sdk.models.order_status import CANCELABLE, EXPIRABLE, OrderStatus
from boxoffice.server.db.models import Order, Payment, Sector, TicketConfig, Timeslot
from boxoffice.server.errors import RuleViolation
from boxoffice.server.payments.base import SUCCEEDED
from boxoffice.server.payments.card import OPEN, CardPayment, provider_call
from boxoffice.server.services import audit, holds, inventory, order_claims, payments, refunds
from boxoffice.server.services.actors import Actor
from boxoffice.server.stripe.cards import CardPayments
from boxoffice.server.stripe.gateway import PaymentProviderError


def cancel_unpaid(
    session: Session,
    actor: Actor,
    order: Order,
    *,
    now: datetime,
    cards: CardPayments,
    counter: str | None = None,
) -> Order:
    """Cancel an unpaid order; an open card intent is canceled first, so it cannot take money
    for a canceled order. If the card went through after all, the order is now paid and is
    returned so (not canceled): the caller sees it paid. What a part-paid order took goes
    back (cash from `counter`'s open shift, card through Stripe, last)."""
    settled = provider_call(
        lambda: payments.settle_open_intent(session, order, now=now, cards=cards)
    )
    if not settled:
        return order
    canceled = cancel_order(session, actor, order, now=now)
    if _part_paid(session, order.id):
        refunds.give_back_payments(
            session,
            actor,
            canceled,
            reason="order canceled",
            counter=counter,
            now=now,
            cards=cards,
        )
    return canceled


def _part_paid(session: Session, order_id: int) -> bool:
    """True when succeeded payments of the order have money not given back yet."""
    return (
        session.scalar(
            select(Payment.id)
            .where(
                Payment.order_id == order_id,
                Payment.status == SUCCEEDED,
                Payment.refunded < Payment.amount,
            )
            .limit(1)
        )
        is not None
    )


def cancel_order(
    session: Session, actor: Actor | None, order: Order, *, now: datetime, reason: str = "canceled"
) -> Order:
    """Cancel an unpaid order and give its tickets and seats back, exactly once."""
    if order.status not in CANCELABLE:
        raise RuleViolation(
            f"A {order.status.replace('_', ' ')} order cannot be canceled.",
            code="order_not_cancelable",
        )
    _release(session, order, now=now, reason=reason)
    audit.record(
        session,
        actor=actor,
        action=f"order.{reason}",
        object_type="order",
        object_id=order.id,
        now=now,
    )
    return order


def _release(session: Session, order: Order, *, now: datetime, reason: str) -> bool:
    if not order_claims.claim_unpaid(
        session, order, OrderStatus.CANCELED, now=now, cancel_reason=reason
    ):
        return False
    for item in order.items:
        inventory.give_back(session, TicketConfig, item.ticket_config_id, item.quantity)
        if item.timeslot_id is not None:
            inventory.give_back(session, Timeslot, item.timeslot_id, item.quantity)
        if item.sector_id is not None:
            inventory.give_back(session, Sector, item.sector_id, item.quantity)
    holds.release_order_seats(session, order.id)
    session.refresh(order)
    return True


def expire_card_payments(session: Session, *, now: datetime, cards: CardPayments) -> int:
    """Before unpaid orders with a card payment are released, cancel their intents.

    An intent that succeeded after all makes the order paid instead. If Stripe cannot be
    reached, the order is left for the next round: it is never released while its intent
    could still take the money (`expire_due` skips orders with an open intent).
    """
    due = session.scalars(
        select(Order)
        .where(
            Order.status.in_((OrderStatus.PAYMENT_PROCESSING, OrderStatus.DECLINED)),
            Order.expires_at <= now,
        )
        .order_by(Order.expires_at)
        .limit(100)
    ).all()
    handled = 0
    for order in due:
        try:
            if not payments.settle_open_intent(session, order, now=now, cards=cards):
                continue
        except PaymentProviderError:
            continue  # try again next round; the order keeps its hold meanwhile
        # Its intent can take no money now: released by expire_due like a draft.
        order.status, order.updated_at = OrderStatus.DECLINED, now
        handled += 1
    session.flush()
    return handled


def expire_due(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Cancel unpaid orders whose hold has run out; returns how many were released."""
    open_intent = (
        select(Payment.id)
        .where(
            Payment.order_id == Order.id,
            Payment.provider == CardPayment.name,
            Payment.status.in_(OPEN),
        )
        .exists()
    )
    part_paid = (
        select(Payment.id)
        .where(
            Payment.order_id == Order.id,
            Payment.status == SUCCEEDED,
            Payment.amount > 0,
            Payment.refunded < Payment.amount,
        )
        .exists()
    )
    due = session.scalars(
        select(Order)
        # An order whose card intent is still open waits for expire_card_payments to cancel
        # it: releasing it first could let a late payment take money for nothing. A part-paid
        # order is never expired: the money it took waits for a cashier to give it back.
        .where(Order.status.in_(EXPIRABLE), Order.expires_at <= now, ~open_intent, ~part_paid)
        .order_by(Order.expires_at)
        .limit(limit)
        .options(selectinload(Order.items))
    ).all()
    released = 0
    for order in due:
        if _release(session, order, now=now, reason="expired"):
            audit.record(
                session,
                actor=None,
                action="order.expired",
                object_type="order",
                object_id=order.id,
                now=now,
            )
            released += 1
    return released
