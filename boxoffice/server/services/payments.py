"""Paying an order: free at once, cash at the counter, or a Stripe PaymentIntent for cards.

The ways to pay are the providers of `boxoffice.server.payments`; this service checks that
the order may be paid, claims its seats, hands it to the provider its `type` names, and
completes the order once the money is taken. A card payment is never created twice for one
order: a second call returns the same intent. Seats ordered without a hold token are booked
when the payment is created, or the call fails with `seat_taken` before anything is charged.
An order becomes `paid` in one transaction that also issues its tickets and queues the
confirmation mail.

Split payments: one order may be paid by several payments (part cash, part card). Each
payment covers an `amount` (by default what is still due); the order is `paid` only once its
succeeded payments cover the total, and until then it stays payable and holds its tickets
(with no expiry: money was taken). Cash needs the open shift of the request's counter, and
every payment taken at a counter with an open shift records that shift.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from boxoffice.sdk.models.order_status import PAYABLE, OrderStatus
from boxoffice.server.db.models import Order, Payment, Shift
from boxoffice.server.db.models.shift import OPEN
from boxoffice.server.errors import InvalidInput, RuleViolation
from boxoffice.server.payments import registry
from boxoffice.server.payments.base import CARD_TYPES, SUCCEEDED, PaymentRequest, PaymentResult
from boxoffice.server.payments.card import (
    cancel_open,
    card_payment,
    current_intent,
    provider_call,
)
from boxoffice.server.payments.card_present import CardPresentPayment
from boxoffice.server.services import (
    audit,
    holds,
    issuing,
    order_claims,
    readers,
    shifts,
)
from boxoffice.server.services.actors import Actor, require_seller, require_staff
from boxoffice.server.services.money import to_major, to_minor
from boxoffice.server.stripe.cards import CardPayments
from boxoffice.server.stripe.gateway import IntentInfo


def create_payment(
    session: Session,
    actor: Actor,
    order: Order,
    *,
    type: str,
    now: datetime,
    cards: CardPayments,
    tendered: Decimal | None = None,
    amount: Decimal | None = None,
    counter: str | None = None,
    reader_id: str | None = None,
) -> PaymentResult:
    """`POST payment/v1/payment`: pay `order` by `type` (card, card_present on a reader,
    cash; free orders need none), the whole of what is due or, for a split payment, `amount`
    of it, at `counter` (card_present: on `reader_id`, default the counter's reader)."""
    _check_payable(order, now)
    free = order.total == 0
    provider = registry.FREE if free else registry.get_provider(type)
    if provider.type == "cash":
        require_staff(actor)  # a guest asking for cash learns that first, not about shifts
    if provider.type == CardPresentPayment.type:
        require_seller(actor)  # staff at the counter, or a kiosk on its own reader
        reader_id = readers.reader_for(session, reader_id, counter)
    shift = (
        shifts.require_open_shift(session, counter)
        if provider.type == "cash"
        else shifts.current_shift(session, counter)
    )
    if shift is not None and provider.type == "cash" and shift.currency != order.currency:
        raise RuleViolation(
            f"The drawer of counter {shift.counter} is in {shift.currency}; this order is in "
            f"{order.currency}.",
            code="shift_currency_mismatch",
        )
    _take_order_row(session, order, now)
    covers = None if free else _covers(session, order, amount)
    holds.claim_free_seats(session, order.event_id, order.id, now=now, until=order.expires_at)
    result = provider.pay(
        PaymentRequest(
            session=session,
            actor=actor,
            order=order,
            now=now,
            cards=cards,
            settle_card_intent=lambda: provider_call(
                lambda: settle_open_intent(session, order, now=now, cards=cards)
            ),
            tendered=tendered,
            amount=covers,
            shift=shift,
            reader_id=reader_id,
        )
    )
    if result.payment.status == SUCCEEDED and result.payment.type == provider.type:
        # If the card went through while cash was offered, `settle_open_intent` applied it
        # already (the result is that card payment), and nothing more is done here.
        complete_if_covered(session, order, result.payment, now=now, actor=actor)
    return result


def _take_order_row(session: Session, order: Order, now: datetime) -> None:
    """Hold the order's row until this transaction ends, so that two payments of one order
    (two cashiers, two servers on PostgreSQL) are made one after the other: the second then
    reads what the first took. (SQLite serialises writers anyway.)"""
    session.execute(update(Order).where(Order.id == order.id).values(updated_at=now))


def paid_so_far(session: Session, order: Order) -> int:
    """What the order's succeeded payments took (minor units)."""
    session.flush()
    taken = session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.order_id == order.id, Payment.status == SUCCEEDED
        )
    )
    return int(taken or 0)


def _covers(session: Session, order: Order, amount: Decimal | None) -> int | None:
    """What this payment is to cover (minor units): None (the whole total) for a caller who
    names no amount on an order nothing was paid of yet, as before split payments; else the
    amount named, or all that is still due. More than is due → `422 amount_exceeds_due`."""
    paid = paid_so_far(session, order)
    due = order.total - paid
    if paid and due <= 0:  # another payment covered it while this one waited for the row
        raise RuleViolation("This order is already paid.", code="order_already_paid")
    if amount is None:
        return None if paid == 0 else due
    wanted = to_minor(amount, order.currency, field="amount")
    if wanted <= 0:
        raise InvalidInput(
            "The amount to pay must be more than 0.", code="invalid_amount", field="amount"
        )
    if wanted > due:
        raise InvalidInput(
            f"Only {to_major(due, order.currency)} {order.currency} is left to pay on this "
            f"order; {amount} is more than that.",
            code="amount_exceeds_due",
            field="amount",
        )
    return None if wanted == order.total else wanted


def complete_if_covered(
    session: Session, order: Order, payment: Payment, *, now: datetime, actor: Actor | None
) -> None:
    """After a payment succeeded: complete the order if its payments now cover the total;
    else it stays payable, holding its tickets with no expiry (money was taken)."""
    if paid_so_far(session, order) >= order.total:
        _complete(session, order, payment, now=now, actor=actor)
        return
    order.expires_at, order.updated_at = None, now
    if order.status in (OrderStatus.PAYMENT_PROCESSING, OrderStatus.DECLINED) and (
        payment.type in CARD_TYPES
    ):
        order.status = OrderStatus.DRAFT
    audit.record(
        session,
        actor=actor,
        action="order.part_paid",
        object_type="order",
        object_id=order.id,
        now=now,
        data={"payment": payment.id, "provider": payment.provider, "amount": payment.amount},
    )


def _check_payable(order: Order, now: datetime) -> None:
    if order.status == OrderStatus.PAID:
        raise RuleViolation("This order is already paid.", code="order_already_paid")
    if order.status == OrderStatus.CANCELED:
        raise RuleViolation("This order is canceled; start a new one.", code="order_canceled")
    if order.status not in PAYABLE:
        raise RuleViolation(f"A {order.status} order cannot be paid.", code="order_not_payable")
    if order.expires_at is not None and order.expires_at <= now:
        raise RuleViolation("This order's hold has expired; start a new one.", code="order_expired")


def _complete(
    session: Session, order: Order, payment: Payment, *, now: datetime, actor: Actor | None
) -> None:
    """Mark paid exactly once, issue the tickets and queue the confirmation; an order that
    is paid already is left as it is."""
    if not order_claims.claim_unpaid(session, order, OrderStatus.PAID, now=now, expires_at=None):
        return
    session.refresh(order)
    tickets = issuing.issue_tickets(session, order, now=now)
    issuing.queue_confirmation(session, order, tickets, now=now)
    audit.record(
        session,
        actor=actor,
        action="order.paid",
        object_type="order",
        object_id=order.id,
        now=now,
        data={"payment": payment.id, "provider": payment.provider},
    )


def reconcile(
    session: Session, actor: Actor | None, order: Order, *, now: datetime, cards: CardPayments
) -> Order:
    """Ask Stripe how the order's card payment stands, and act on the answer."""
    payment = card_payment(session, order.id, open_only=False)
    if payment is None or payment.intent_id is None or order.status == OrderStatus.PAID:
        return order
    intent_id = payment.intent_id
    intent = provider_call(lambda: current_intent(cards.gateway(), intent_id))
    apply_intent(session, order, payment, intent, now=now, actor=actor)
    return order


def apply_intent(
    session: Session,
    order: Order,
    payment: Payment,
    intent: IntentInfo | None,
    *,
    now: datetime,
    actor: Actor | None,
) -> None:
    """Move the order along with what Stripe says about its intent (None: it can take no
    money, `card.current_intent`; the order may then be paid another way)."""
    if intent is not None and intent.status == "succeeded":
        mark_succeeded(session, order, payment, now=now, actor=actor)
    elif intent is None or intent.status == "canceled" or intent.last_payment_error is not None:
        payment.status, payment.updated_at = "failed", now
        error = intent.last_payment_error if intent is not None else None
        payment.failure_message = error.message if error is not None else "canceled"
        payment.failure_code = (error.decline_code or error.code) if error else "canceled"
        if order.status in (OrderStatus.DRAFT, OrderStatus.PAYMENT_PROCESSING):
            order.status, order.updated_at = OrderStatus.DECLINED, now


def mark_succeeded(
    session: Session, order: Order, payment: Payment, *, now: datetime, actor: Actor | None
) -> bool:
    """Stripe took the money of this card payment: record it once and complete the order
    if its payments now cover it. False when it was recorded already."""
    if payment.status == SUCCEEDED:
        return False
    payment.status, payment.updated_at = SUCCEEDED, now
    payment.failure_code = payment.failure_message = None
    _keep_closed_shifts_closed(session, payment)
    complete_if_covered(session, order, payment, now=now, actor=actor)
    return True


def _keep_closed_shifts_closed(session: Session, payment: Payment) -> None:
    """A card payment started during a shift that closed before the card went through counts
    in its counter's open shift now (or in none): a Z report never changes after close."""
    if payment.shift_id is None:
        return
    started = session.get(Shift, payment.shift_id)
    if started is None or started.status == OPEN:
        return
    now_open = shifts.current_shift(session, started.counter)
    payment.shift_id = now_open.id if now_open is not None else None


def handle_webhook(session: Session, event: dict[str, Any], *, now: datetime) -> bool:
    """A verified Stripe event; True if it moved an order."""
    kind = event.get("type", "")
    if kind not in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        return False
    container = event.get("data")
    data = container.get("object") if isinstance(container, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise InvalidInput("The webhook event carries no payment intent.", field="data.object")
    payment = session.scalar(select(Payment).where(Payment.intent_id == data["id"]))
    if payment is None:
        return False
    try:  # signed by Stripe, and still checked: a missing field is a 4xx, not a crash
        intent = IntentInfo.from_stripe(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            f"The webhook's payment intent is incomplete or malformed ({exc!s}).",
            field="data.object",
        ) from exc
    order = session.get(Order, payment.order_id)
    assert order is not None
    apply_intent(session, order, payment, intent, now=now, actor=None)
    return True


def settle_open_intent(
    session: Session, order: Order, *, now: datetime, cards: CardPayments
) -> bool:
    """Make sure the order's card intent can no longer take money: cancel it, or — if it
    succeeded after all — mark the order paid. True when the order is now free to release
    (no open intent: canceled, or unknown to Stripe), False when it got paid. Raises
    `PaymentProviderError` if Stripe cannot be asked; the caller then must not release the
    order."""
    payment = card_payment(session, order.id, open_only=True)
    if payment is None or not payment.intent_id:
        return True
    gateway = cards.gateway()
    intent = current_intent(gateway, payment.intent_id)
    if intent is not None and intent.status == "succeeded":
        apply_intent(session, order, payment, intent, now=now, actor=None)
        return False
    if intent is not None:
        cancel_open(gateway, payment)
    payment.status, payment.updated_at = "canceled", now
    return True
