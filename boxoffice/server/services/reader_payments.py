"""How a card payment on a reader stands, and the moves that end it.

A card-present payment (`payments.card_present`) is `pending` while its reader asks for the
card. Three things move it on, all through `apply_reader`, all idempotent, so an order is
paid exactly once however often the desk polls and Stripe repeats its webhooks:

- a status read (`check`): the desk asks; the server asks Stripe for the reader and applies
  what it says. A payment still waiting after `timeout` is stopped (`timed_out`);
- Stripe's `terminal.reader.action_succeeded` / `action_failed` webhooks (`handle_webhook`);
- the cashier's cancel (`cancel`): the reader stops asking, the intent is canceled, and the
  order is payable another way (cash) — unless the card went through first: then it is paid.

A decline leaves the order `declined` (payable again) with the sentence the cashier reads;
a reader gone offline is reported while the payment keeps waiting for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boxoffice.sdk.declines import decline_sentence
from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.server.db.models import Order, Payment
from boxoffice.server.errors import Conflict, InvalidInput, NotFound
from boxoffice.server.payments.base import SUCCEEDED
from boxoffice.server.payments.card import current_intent, provider_call
from boxoffice.server.payments.card_present import PENDING, CardPresentPayment
from boxoffice.server.services import audit, payments
from boxoffice.server.services.actors import Actor
from boxoffice.server.stripe.cards import CardPayments
from boxoffice.server.stripe.gateway import PaymentProviderError, ReaderInfo, StripeGateway

READER_EVENTS = ("terminal.reader.action_succeeded", "terminal.reader.action_failed")
FAILED, CANCELED = "failed", "canceled"
TIMED_OUT = "timed_out"
WAITING_STATUSES = (OrderStatus.PAYMENT_PROCESSING, OrderStatus.DECLINED)


@dataclass(frozen=True)
class ReaderPaymentView:
    """The order's latest payment on a reader, its state and the cashier's sentence."""

    order: Order
    payment: Payment
    state: str  # waiting | succeeded | declined | canceled | timed_out | reader_offline
    message: str | None
    reader: ReaderInfo | None


def check(
    session: Session,
    actor: Actor | None,
    order: Order,
    *,
    now: datetime,
    cards: CardPayments,
    timeout: timedelta,
) -> ReaderPaymentView:
    """Ask Stripe how the order's reader payment stands and act on it; stop it when it has
    waited longer than `timeout`."""
    payment = latest(session, order)
    reader: ReaderInfo | None = None
    if payment.status == PENDING and payment.reader_id:
        gateway = cards.gateway()
        reader_id = payment.reader_id
        reader = provider_call(lambda: gateway.retrieve_reader(reader_id))
        apply_reader(session, order, payment, reader, now=now, actor=actor, gateway=gateway)
        if payment.status == PENDING and reader.online and now - payment.created_at > timeout:
            reader = _stop(session, order, payment, gateway, now=now, actor=actor, why=TIMED_OUT)
    return view(order, payment, reader)


def stop_stale(session: Session, *, now: datetime, cards: CardPayments, timeout: timedelta) -> int:
    """The sweeper's part: reader payments nobody followed up (the desk crashed or went
    away) are checked, and stopped once they waited longer than `timeout`, so the reader is
    free for the next sale. Returns how many ended; Stripe out of reach leaves them for the
    next round."""
    stale = session.scalars(
        select(Payment)
        .join(Order, Order.id == Payment.order_id)
        .where(
            Order.status == OrderStatus.PAYMENT_PROCESSING,
            Payment.type == CardPresentPayment.type,
            Payment.status == PENDING,
            Payment.created_at < now - timeout,
        )
        .limit(50)
    ).all()
    ended = 0
    for payment in stale:
        order = session.get(Order, payment.order_id)
        assert order is not None
        try:
            check(session, None, order, now=now, cards=cards, timeout=timeout)
        except (Conflict, PaymentProviderError):
            continue
        ended += payment.status != PENDING
    return ended


def cancel(
    session: Session, actor: Actor, order: Order, *, now: datetime, cards: CardPayments
) -> ReaderPaymentView:
    """The cashier pressed Esc: the reader stops asking and nothing is charged — unless the
    card went through first, and then the order is paid (the answer says `succeeded`)."""
    payment = latest(session, order)
    reader = None
    if payment.status == PENDING:
        reader = _stop(session, order, payment, cards.gateway(), now=now, actor=actor, why=CANCELED)
    return view(order, payment, reader)


def latest(session: Session, order: Order) -> Payment:
    """The order's latest card-present payment; `404 no_reader_payment` if it has none."""
    payment = session.scalar(
        select(Payment)
        .where(Payment.order_id == order.id, Payment.type == CardPresentPayment.type)
        .order_by(Payment.id.desc())
        .limit(1)
    )
    if payment is None:
        raise NotFound("This order has no card payment on a reader.", code="no_reader_payment")
    return payment


def apply_reader(
    session: Session,
    order: Order,
    payment: Payment,
    reader: ReaderInfo,
    *,
    now: datetime,
    actor: Actor | None,
    gateway: StripeGateway | None,
) -> bool:
    """Move a pending payment along with what its reader did; True if it moved. Without a
    `gateway` (a webhook) only the reader's own action for this payment is applied."""
    if payment.status != PENDING:
        return False
    action = reader.action
    ours = action is not None and action.payment_intent == payment.intent_id
    if ours and action is not None and action.status == "succeeded":
        return payments.mark_succeeded(session, order, payment, now=now, actor=actor)
    if ours and action is not None and action.status == FAILED:
        code = action.decline_code or action.failure_code or "card_declined"
        _end(session, order, payment, status=FAILED, code=code, now=now, actor=actor)
        return True
    if ours or gateway is None or not reader.online:
        return False  # still asking for the card, or the reader cannot say
    # The reader dropped this payment (canceled on the device, or restarted): did the money
    # go through before it did?
    intent_id = payment.intent_id
    assert intent_id is not None
    intent = provider_call(lambda: current_intent(gateway, intent_id))
    if intent is not None and intent.status == SUCCEEDED:
        return payments.mark_succeeded(session, order, payment, now=now, actor=actor)
    if intent is not None:
        provider_call(lambda: gateway.cancel_intent(intent_id))
    _end(session, order, payment, status=CANCELED, code=CANCELED, now=now, actor=actor)
    return True


def handle_webhook(session: Session, event: dict[str, Any], *, now: datetime) -> bool:
    """A verified `terminal.reader.action_succeeded|failed` event; True if it moved an order."""
    container = event.get("data")
    data = container.get("object") if isinstance(container, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise InvalidInput("The webhook event carries no reader.", field="data.object")
    try:
        reader = ReaderInfo.from_stripe(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            f"The webhook's reader is incomplete or malformed ({exc!s}).", field="data.object"
        ) from exc
    intent_id = reader.action.payment_intent if reader.action is not None else None
    if not intent_id:
        return False
    payment = session.scalar(select(Payment).where(Payment.intent_id == intent_id))
    if payment is None:
        return False
    order = session.get(Order, payment.order_id)
    assert order is not None
    return apply_reader(session, order, payment, reader, now=now, actor=None, gateway=None)


def view(order: Order, payment: Payment, reader: ReaderInfo | None) -> ReaderPaymentView:
    """The state the desk shows, with the cashier's sentence when it did not pay."""
    if payment.status == SUCCEEDED:
        return ReaderPaymentView(order, payment, "succeeded", None, reader)
    if payment.status == FAILED:
        return ReaderPaymentView(order, payment, "declined", _sentence(payment), reader)
    if payment.status == CANCELED:
        state = TIMED_OUT if payment.failure_code == TIMED_OUT else CANCELED
        return ReaderPaymentView(order, payment, state, _sentence(payment), reader)
    if reader is not None and not reader.online:
        message = decline_sentence("terminal_reader_offline")
        return ReaderPaymentView(order, payment, "reader_offline", message, reader)
    return ReaderPaymentView(order, payment, "waiting", None, reader)


def _sentence(payment: Payment) -> str:
    return decline_sentence(payment.failure_code or CANCELED)


def _stop(
    session: Session,
    order: Order,
    payment: Payment,
    gateway: StripeGateway,
    *,
    now: datetime,
    actor: Actor | None,
    why: str,
) -> ReaderInfo | None:
    """Stop the reader asking and cancel the intent — or, if the card went through first,
    record the payment (the order is paid). Returns the reader as it is after that."""
    reader: ReaderInfo | None = None
    if payment.reader_id:
        reader_id = payment.reader_id
        try:
            reader = gateway.cancel_reader_action(reader_id)
        except PaymentProviderError:
            # Nothing in progress (it finished meanwhile) or offline: see where it stands.
            try:
                reader = gateway.retrieve_reader(reader_id)
            except PaymentProviderError:
                reader = None
            if reader is not None and apply_reader(
                session, order, payment, reader, now=now, actor=actor, gateway=None
            ):
                return reader
    intent_id = payment.intent_id
    assert intent_id is not None
    intent = provider_call(lambda: current_intent(gateway, intent_id))
    if intent is not None and intent.status == SUCCEEDED:
        payments.mark_succeeded(session, order, payment, now=now, actor=actor)
        return reader
    if intent is not None:
        provider_call(lambda: gateway.cancel_intent(intent_id))
    _end(session, order, payment, status=CANCELED, code=why, now=now, actor=actor)
    return reader


def _end(
    session: Session,
    order: Order,
    payment: Payment,
    *,
    status: str,
    code: str,
    now: datetime,
    actor: Actor | None,
) -> None:
    """The reader payment is over without the money: declined (the order is `declined`,
    payable again), or canceled / timed out (the order is pending again)."""
    payment.status, payment.updated_at = status, now
    payment.failure_code = code
    payment.failure_message = decline_sentence(code)
    if order.status in WAITING_STATUSES:
        order.status = OrderStatus.DECLINED if status == FAILED else OrderStatus.DRAFT
        order.updated_at = now
    audit.record(
        session,
        actor=actor,
        action="payment.reader_declined" if status == FAILED else f"payment.reader_{code}",
        object_type="order",
        object_id=order.id,
        now=now,
        data={"payment": payment.id, "reader": payment.reader_id, "code": code},
    )
