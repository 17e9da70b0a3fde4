"""Refunds of paid orders, in whole or by ticket, and of every paid order of an event."""

from __future__ import annotations

import anyio
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from boxoffice.sdk.models import refunds as rf
from boxoffice.server.api import views
from boxoffice.server.api.deps import CounterName, CurrentActor, Now, SessionDep, StateDep
from boxoffice.server.api.query import Id
from boxoffice.server.api.schemas import Envelope
from boxoffice.server.api.state import ServerState
from boxoffice.server.db.models import Event, Order
from boxoffice.server.db.models.refund import Refund
from boxoffice.server.errors import DomainError, NotFound
from boxoffice.server.services import orders, refunds
from boxoffice.server.services.actors import Actor, require_staff
from boxoffice.server.services.money import to_major

router = APIRouter(tags=["refund"])


def refund_view(row: Refund, ticket_ids: list[int]) -> rf.Refund:
    return rf.Refund(
        id=row.id,
        order_id=row.order_id,
        payment_id=row.payment_id,
        method=row.method,
        status=row.status,
        amount=to_major(row.amount, row.currency),
        currency=row.currency,
        reason=row.reason,
        provider_refund_id=row.provider_refund_id,
        failure_message=row.failure_message,
        shift_id=row.shift_id,
        user_id=row.user_id,
        ticket_ids=ticket_ids,
        created_at=row.created_at,
    )


def _result(session: Session, order: Order, made: refunds.RefundOutcome) -> rf.RefundResult:
    return rf.RefundResult(
        order=views.order(order, orders.details_of(session, order)),
        refunds=[refund_view(r, made.ticket_ids.get(r.id, [])) for r in made.refunds],
    )


@router.post("/event/v1/order/{order_id}/refund", response_model=Envelope[rf.RefundResult])
def refund_order(
    order_id: Id,
    body: rf.RefundRequest,
    session: SessionDep,
    actor: CurrentActor,
    state: StateDep,
    counter: CounterName,
    now: Now,
) -> JSONResponse:
    """Refund a paid order (staff), in whole or the tickets `ticket_ids`, with a `reason`:
    tickets revoked, stock and seats back on sale, money back by the way it came (card first,
    cash last unless `prefer: "cash"`; cash needs the `X-Counter`'s open shift)."""
    require_staff(actor)
    order = orders.get_order(session, actor, order_id)
    made = refunds.refund_order(
        session,
        actor,
        order,
        reason=body.reason,
        ticket_ids=body.ticket_ids,
        prefer=body.prefer,
        counter=counter,
        now=now,
        cards=state.cards,
        mail_sender=state.settings.mail_sender,
    )
    return views.ok(_result(session, order, made))


@router.get("/event/v1/order/{order_id}/refund", response_model=Envelope[list[rf.Refund]])
def list_refunds(order_id: Id, session: SessionDep, actor: CurrentActor) -> JSONResponse:
    """The order's refunds, oldest first, each with the tickets it revoked."""
    order = orders.get_order(session, actor, order_id)
    rows = refunds.refunds_of(session, order.id)
    return JSONResponse({"data": [refund_view(r, ids).model_dump(mode="json") for r, ids in rows]})


def _event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(f"No event {event_id}.", code="event_not_found")
    return event


def _progress(progress: refunds.EventProgress) -> rf.EventRefundProgress:
    return rf.EventRefundProgress(
        event_id=progress.event_id,
        refunded_orders=progress.refunded_orders,
        remaining_orders=progress.remaining_orders,
        refunded_now=progress.refunded_now,
        failed=[
            rf.EventRefundFailure(order_id=o, message=m, error_code=c)
            for o, m, c in progress.failed
        ],
        done=progress.remaining_orders == 0,
    )


@router.get("/event/v1/event/{event_id}/refund", response_model=Envelope[rf.EventRefundProgress])
def event_refund_progress(event_id: Id, session: SessionDep, actor: CurrentActor) -> JSONResponse:
    """How far refunding the event's paid orders has come (staff); changes nothing."""
    require_staff(actor)
    _event(session, event_id)
    return views.ok(_progress(refunds.event_progress(session, event_id)))


@router.post("/event/v1/event/{event_id}/refund", response_model=Envelope[rf.EventRefundProgress])
async def refund_event(
    event_id: Id,
    body: rf.EventRefundRequest,
    actor: CurrentActor,
    state: StateDep,
    counter: CounterName,
) -> JSONResponse:
    """Refund the event's paid orders (staff; the organizer canceled it): up to `limit`
    (default 20) orders per call, each in a transaction of its own, so one that fails (no open
    shift for its cash, Stripe unreachable) is reported in `failed` and the others are done.
    Call again until `done` (`remaining_orders` is 0); a refunded ticket is never refunded
    twice, so a call cut short is simply made again."""
    require_staff(actor)
    reason = refunds.check_reason(body.reason)
    limit = body.limit or refunds.EVENT_BATCH

    def due_orders(skip: list[int], count: int) -> list[int]:
        with state.read_sessions() as session:
            _event(session, event_id)
            return refunds.orders_to_refund(session, event_id, skip=skip, limit=count)

    def progress_now() -> refunds.EventProgress:
        with state.read_sessions() as session:
            return refunds.event_progress(session, event_id)

    failed: list[tuple[int, str, str | None]] = []
    seen: list[int] = []
    done = 0
    # Orders that fail are skipped for the rest of this call, so those behind them get their
    # turn; at most `limit` refunded and `5 × limit` tried per call.
    while done < limit and len(seen) < limit * 5:
        due = await anyio.to_thread.run_sync(due_orders, seen, limit - done)
        if not due:
            break
        for order_id in due:
            seen.append(order_id)
            async with state.slots.hold(), state.gate.hold():
                try:
                    refunded = await anyio.to_thread.run_sync(
                        _refund_one, state, actor, event_id, order_id, reason, counter
                    )
                except DomainError as exc:
                    failed.append((order_id, exc.message, exc.code))
                    continue
            done += int(refunded)
    progress = await anyio.to_thread.run_sync(progress_now)
    progress.refunded_now, progress.failed = done, failed
    return views.ok(_progress(progress))


def _refund_one(
    state: ServerState,
    actor: Actor,
    event_id: int,
    order_id: int,
    reason: str,
    counter: str | None,
) -> bool:
    with state.write_sessions() as session, session.begin():
        return refunds.refund_event_order(
            session,
            actor,
            event_id,
            order_id,
            reason=reason,
            counter=counter,
            now=state.clock(),
            cards=state.cards,
            mail_sender=state.settings.mail_sender,
        )
