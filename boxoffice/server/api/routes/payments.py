"""Payment service: pay an order (card, cash; free orders at once), reconcile, Stripe webhook."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from boxoffice.sdk.models.common import RequestModel
from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.models.payments import PaymentIntentResponse, StripeConfig
from boxoffice.server.api import views
from boxoffice.server.api.deps import CounterName, CurrentActor, Now, SessionDep, StateDep
from boxoffice.server.api.query import QueryId
from boxoffice.server.api.schemas import Envelope, WebhookReceived
from boxoffice.server.errors import InvalidInput, RuleViolation
from boxoffice.server.services import orders, payments, reader_payments
from boxoffice.server.stripe.gateway import WebhookSignatureError

router = APIRouter(prefix="/payment/v1", tags=["payment"])


class PaymentBody(RequestModel):
    """`{}` for card payments, as the seed sends; `{"tendered": 50}` for cash; `amount` for a
    split payment's part (default: what is still due)."""

    tendered: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    amount: Decimal | None = Field(default=None, gt=0, max_digits=12, decimal_places=2)


class EmptyBody(RequestModel):
    """`{}`, as the vendor SDK sends with a card payment."""


PAID_AT_ONCE: dict[int | str, dict[str, Any]] = {
    201: {"model": Envelope[PaymentIntentResponse], "description": "Paid at once"}
}


@router.post("/payment", response_model=Envelope[PaymentIntentResponse], responses=PAID_AT_ONCE)
def create_payment(
    order_id: QueryId,
    session: SessionDep,
    actor: CurrentActor,
    state: StateDep,
    now: Now,
    counter: CounterName,
    type: str = "card",
    reader_id: Annotated[str | None, Query(max_length=64)] = None,
    body: PaymentBody | None = None,
) -> JSONResponse:
    """Pay an order. Free orders are paid at once; `type=card` returns the Stripe
    `publishable_key` and `payment_intent` (with its `client_secret`); `type=cash` (staff, at
    an `X-Counter` with an open shift) takes `tendered` and records the change. `amount` pays
    a part (split payments; default: what is still due). A second call returns the same
    intent. `type=card_present` (staff) starts the payment on the card reader `reader_id`
    (default: the one picked for the `X-Counter`) and answers at once with the intent and
    the reader's action; `payment/reader/check` and the webhooks complete it."""
    return _pay(
        session,
        actor,
        state,
        now,
        order_id,
        type,
        body.tendered if body else None,
        amount=body.amount if body else None,
        counter=counter,
        reader_id=reader_id,
    )


@router.post(
    "/payment/stripe", response_model=Envelope[PaymentIntentResponse], responses=PAID_AT_ONCE
)
def create_stripe_payment(
    order_id: QueryId,
    session: SessionDep,
    actor: CurrentActor,
    state: StateDep,
    now: Now,
    counter: CounterName,
    type: str = "card",
    body: EmptyBody | None = None,
) -> JSONResponse:
    """`bam-ticketing-sdk`'s `createStripePaymentForOrder`: a card payment as `POST payment`
    with `type=card` (free orders are paid at once); no other `type` is taken here."""
    if type != "card":
        raise InvalidInput(
            f"Payment type {type!r} is not offered here; use card.",
            code="unsupported_payment_type",
            field="type",
        )
    return _pay(session, actor, state, now, order_id, type, None, counter=counter)


def _pay(
    session: SessionDep,
    actor: CurrentActor,
    state: StateDep,
    now: Now,
    order_id: int,
    type: str,
    tendered: Decimal | None,
    *,
    amount: Decimal | None = None,
    counter: str | None = None,
    reader_id: str | None = None,
) -> JSONResponse:
    order = orders.get_order(session, actor, order_id)
    result = payments.create_payment(
        session,
        actor,
        order,
        type=type,
        now=now,
        cards=state.cards,
        tendered=tendered,
        amount=amount,
        counter=counter,
        reader_id=reader_id,
    )
    answer = views.payment_result(result, orders.details_of(session, result.order))
    return views.ok(answer, status=201 if result.intent is None else 200)


@router.get("/payment/config", response_model=Envelope[StripeConfig])
def stripe_config(state: StateDep) -> JSONResponse:
    """The Stripe publishable key card payments are made with (`getPublishableKey`); public,
    as publishable keys are. In training mode the emulator's."""
    return views.ok(StripeConfig(publishable_key=state.cards.gateway().publishable_key))


@router.post("/payment/reconcile", response_model=Envelope[Order])
def reconcile(
    order_id: QueryId, session: SessionDep, actor: CurrentActor, state: StateDep, now: Now
) -> JSONResponse:
    """After the payment page reports back: ask Stripe and mark the order paid or failed."""
    order = orders.get_order(session, actor, order_id)
    payments.reconcile(session, actor, order, now=now, cards=state.cards)
    return views.ok(views.order(order, orders.details_of(session, order)))


@router.post("/webhook/stripe", response_model=Envelope[WebhookReceived])
async def stripe_webhook(request: Request, state: StateDep) -> JSONResponse:
    """Stripe events, verified with the endpoint secret; unsigned or forged ones get 400."""
    payload = await request.body()
    try:
        event = state.cards.gateway().verify_webhook(
            payload, request.headers.get("stripe-signature")
        )
    except WebhookSignatureError as exc:
        raise RuleViolation(
            "The webhook signature is missing or wrong.", code="invalid_webhook_signature"
        ) from exc
    moved = await _apply_webhook(state, event)
    return views.ok({"received": True, "applied": moved})


async def _apply_webhook(state: StateDep, event: dict[str, Any]) -> bool:
    import anyio

    def run() -> bool:
        with state.write_sessions() as session, session.begin():
            if event.get("type") in reader_payments.READER_EVENTS:
                return reader_payments.handle_webhook(session, event, now=state.clock())
            return payments.handle_webhook(session, event, now=state.clock())

    async with state.gate.hold():
        return await anyio.to_thread.run_sync(run)
