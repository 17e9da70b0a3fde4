"""Card readers (Stripe Terminal) and card payments on them.

`payment/v1/reader`: register a reader with the code it shows, list readers with their
status, pick one for a counter, and (training or Stripe test mode) tap a test card on one.
`payment/v1/payment/reader/check|cancel?order_id=`: how the order's card payment on a
reader stands (the server asks Stripe and applies what it says), and stopping it. The
payment itself starts with `POST payment/v1/payment?type=card_present`. Staff; a kiosk
device account may list readers and follow, cancel and (training) tap its own payments.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from boxoffice.sdk.models import readers as rd
from boxoffice.sdk.models.common import ListInfo
from boxoffice.server.api import views
from boxoffice.server.api.deps import CurrentActor, Now, SessionDep, StateDep
from boxoffice.server.api.query import QueryId
from boxoffice.server.api.schemas import Envelope
from boxoffice.server.db.models import CardReader
from boxoffice.server.services import orders, reader_payments, readers
from boxoffice.server.services.actors import require_seller
from boxoffice.server.services.money import to_major
from boxoffice.server.services.reader_payments import ReaderPaymentView

router = APIRouter(prefix="/payment/v1", tags=["reader"])


@router.get("/reader", response_model=ListInfo[rd.Reader])
def list_readers(session: SessionDep, actor: CurrentActor, state: StateDep) -> JSONResponse:
    """Every reader the venue took on and every one Stripe knows, with Stripe's `status`
    (null when Stripe cannot be asked), its current `action` and its `counter`."""
    found = readers.list_readers(session, actor, state.cards.gateway())
    items = [views.reader(r.live, r.row) for r in found]
    return views.page(items, limit=max(len(items), 1), offset=0, total=len(items))


@router.post("/reader", response_model=Envelope[rd.Reader], status_code=201)
def register_reader(
    body: rd.ReaderRegistration,
    session: SessionDep,
    actor: CurrentActor,
    state: StateDep,
    now: Now,
) -> JSONResponse:
    """Pair a reader by the code it shows (`simulated-wpe` / `simulated-s700` in training
    mode) with a label, and pick it for `counter` if named."""
    found = readers.register(
        session,
        actor,
        state.cards.gateway(),
        code=body.registration_code,
        label=body.label,
        counter=body.counter,
        location=body.location,
        country=state.settings.terminal_country,
        now=now,
    )
    return views.ok(views.reader(found.live, found.row), status=201)


@router.patch("/reader/{reader_id}", response_model=Envelope[rd.Reader])
def update_reader(
    reader_id: str,
    body: rd.ReaderUpdate,
    session: SessionDep,
    actor: CurrentActor,
    state: StateDep,
    now: Now,
) -> JSONResponse:
    """Pick the reader for `counter` (null: for none; the counter's earlier reader is let
    go) or rename it."""
    found = readers.update_reader(
        session,
        actor,
        state.cards.gateway(),
        reader_id,
        fields=set(body.model_fields_set),
        counter=body.counter,
        label=body.label,
        now=now,
    )
    return views.ok(views.reader(found.live, found.row))


@router.post("/reader/{reader_id}/present", response_model=Envelope[rd.Reader])
def present_card(
    reader_id: str,
    session: SessionDep,
    actor: CurrentActor,
    state: StateDep,
    body: rd.ReaderCard | None = None,
) -> JSONResponse:
    """Training and Stripe test mode only: the customer taps a test card on the reader
    (`card_number`, default an approved card). The payment's outcome is then read with
    `payment/reader/check` or arrives by webhook."""
    live = readers.present(
        session, actor, state.cards.gateway(), reader_id, body.card_number if body else None
    )
    return views.ok(views.reader(live, session.get(CardReader, reader_id)))


@router.post("/payment/reader/check", response_model=Envelope[rd.ReaderPaymentStatus])
def check_reader_payment(
    order_id: QueryId, session: SessionDep, actor: CurrentActor, state: StateDep, now: Now
) -> JSONResponse:
    """How the order's card payment on a reader stands: the server asks Stripe, applies what
    the reader did (the order is paid at most once), and stops a payment that waited longer
    than the server's reader timeout."""
    require_seller(actor)
    order = orders.get_order(session, actor, order_id)
    timeout = timedelta(seconds=state.settings.reader_timeout_seconds)
    found = reader_payments.check(
        session, actor, order, now=now, cards=state.cards, timeout=timeout
    )
    return views.ok(_status(session, found))


@router.post("/payment/reader/cancel", response_model=Envelope[rd.ReaderPaymentStatus])
def cancel_reader_payment(
    order_id: QueryId, session: SessionDep, actor: CurrentActor, state: StateDep, now: Now
) -> JSONResponse:
    """Stop the reader asking for the card (Esc at the counter); nothing is charged and the
    order can be paid another way. If the card went through first, the answer says
    `succeeded` and the order is paid."""
    require_seller(actor)
    order = orders.get_order(session, actor, order_id)
    found = reader_payments.cancel(session, actor, order, now=now, cards=state.cards)
    return views.ok(_status(session, found))


def _status(session: Session, found: ReaderPaymentView) -> rd.ReaderPaymentStatus:
    payment, order = found.payment, found.order
    assert payment.reader_id is not None
    return rd.ReaderPaymentStatus(
        order_id=order.id,
        payment_id=payment.id,
        reader_id=payment.reader_id,
        state=found.state,
        message=found.message,
        decline_code=payment.failure_code if found.state == "declined" else None,
        amount=to_major(payment.amount, payment.currency),
        currency=payment.currency,
        order=views.order(order, orders.details_of(session, order)),
        reader=(
            views.reader(found.reader, session.get(CardReader, payment.reader_id))
            if found.reader is not None
            else None
        ),
    )
