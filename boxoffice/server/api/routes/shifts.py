"""Shifts and the cash drawer: open, pay-ins and pay-outs, X and Z reports, close.

Staff only. A shift belongs to a counter, named by `counter` in the body or the `X-Counter`
header; reports come as JSON or as a printable PDF (80 mm roll or A4).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from boxoffice.sdk.models import shifts as sm
from boxoffice.sdk.models.common import ListInfo
from boxoffice.server.api import views
from boxoffice.server.api.deps import CounterName, CurrentActor, Now, SessionDep
from boxoffice.server.api.query import Id, Limit, Offset
from boxoffice.server.api.schemas import Envelope
from boxoffice.server.db.models import Organizer, Shift
from boxoffice.server.db.models.shift import CashMovement
from boxoffice.server.errors import NotFound
from boxoffice.server.services import denominations, shift_reports, shifts
from boxoffice.server.services.actors import Actor, require_staff
from boxoffice.server.services.money import to_major
from boxoffice.server.services.shift_reports import ShiftReport

router = APIRouter(prefix="/payment/v1/shift", tags=["shift"])
DEFAULT_CURRENCY = "EUR"

REPORT_FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report as JSON, or with `format=pdf` as a PDF file",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post("", response_model=Envelope[sm.Shift], status_code=201)
def open_shift(
    body: sm.ShiftOpenRequest,
    session: SessionDep,
    actor: CurrentActor,
    counter: CounterName,
    now: Now,
) -> JSONResponse:
    """Open the counter's shift (`counter` in the body, else `X-Counter`) with its float;
    `409 shift_already_open` if it has one."""
    require_staff(actor)
    currency = (body.currency or _house_currency(session)).upper()
    shift = shifts.open_shift(
        session, actor, body.counter or counter, body.float, currency=currency, now=now
    )
    return views.ok(_shift(session, shift), status=201)


@router.get("/current", response_model=Envelope[sm.ShiftReport])
def current_shift(
    session: SessionDep, actor: CurrentActor, counter: CounterName, now: Now
) -> JSONResponse:
    """The `X-Counter`'s open shift, as its X report; `404 no_open_shift` when none is open."""
    require_staff(actor)
    name = shifts.check_counter(counter)
    shift = shifts.current_shift(session, name)
    if shift is None:
        raise NotFound(
            f"No shift is open at counter {name}; open one with its float.",
            code="no_open_shift",
        )
    return views.ok(_report(session, shift_reports.build(session, shift, now=now)))


@router.get("", response_model=ListInfo[sm.Shift])
def list_shifts(
    session: SessionDep,
    actor: CurrentActor,
    limit: Limit = 20,
    offset: Offset = 0,
    counter: str | None = None,
    status: Literal["open", "closed"] | None = None,
) -> JSONResponse:
    """Shifts, newest first; `counter=` and `status=open|closed` filter."""
    rows, total = shifts.list_shifts(
        session, actor, counter=counter, status=status, limit=limit, offset=offset
    )
    return views.page(
        [_shift(session, row) for row in rows], limit=limit, offset=offset, total=total
    )


@router.get("/{shift_id}", response_model=Envelope[sm.Shift])
def get_shift(shift_id: Id, session: SessionDep, actor: CurrentActor) -> JSONResponse:
    """One shift, with what its drawer should hold now."""
    return views.ok(_shift(session, _staff_shift(session, actor, shift_id)))


@router.post("/{shift_id}/cash", response_model=Envelope[sm.CashMovement], status_code=201)
def move_cash(
    shift_id: Id,
    body: sm.CashMovementRequest,
    session: SessionDep,
    actor: CurrentActor,
    now: Now,
) -> JSONResponse:
    """A pay-in (`amount` > 0) or pay-out (< 0) with a `reason`; a pay-out never takes the
    drawer below nothing (`400 drawer_short`)."""
    shift = _staff_shift(session, actor, shift_id)
    movement = shifts.move_cash(session, actor, shift, body.amount, body.reason, now=now)
    return views.ok(_movement(session, shift, movement), status=201)


@router.get(
    "/{shift_id}/report",
    response_model=Envelope[sm.ShiftReport],
    responses=REPORT_FILES,
)
def report(
    shift_id: Id,
    session: SessionDep,
    actor: CurrentActor,
    now: Now,
    format: Literal["json", "pdf"] = "json",
    size: Literal["roll", "a4"] = "roll",
    language: Literal["en", "cs", "de"] = "en",
) -> Response:
    """The X report (open shift) or Z report (closed); `format=pdf&size=roll|a4` prints it,
    in `language` (English unless asked)."""
    shift = _staff_shift(session, actor, shift_id)
    built = shift_reports.build(session, shift, now=now)
    if format == "pdf":
        from boxoffice.server.ticketoutput import shift_report as report_pdf  # reportlab: lazily

        data = report_pdf.render(built, size=size, language=language)
        name = f"shift-{shift.id}-{built.kind.lower()}-report-{size}.pdf"
        return Response(
            data,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return views.ok(_report(session, built))


@router.post("/{shift_id}/close", response_model=Envelope[sm.ShiftReport])
def close_shift(
    shift_id: Id,
    body: sm.ShiftCloseRequest,
    session: SessionDep,
    actor: CurrentActor,
    now: Now,
) -> JSONResponse:
    """Close the shift for good with the counted cash (a total, or per note and coin) → the
    Z report with expected, counted and the difference; `409 shift_closed` if it is closed."""
    shift = _staff_shift(session, actor, shift_id)
    shifts.close_shift(
        session, actor, shift, counted=body.counted, pieces=body.denominations, now=now
    )
    return views.ok(_report(session, shift_reports.build(session, shift, now=now)))


# --- answers -------------------------------------------------------------------------------


def _staff_shift(session: Session, actor: Actor, shift_id: int) -> Shift:
    require_staff(actor)
    return shifts.get_shift(session, shift_id)


def _house_currency(session: Session) -> str:
    currency = session.scalar(select(Organizer.currency).order_by(Organizer.id).limit(1))
    return currency or DEFAULT_CURRENCY


def _shift(session: Session, shift: Shift) -> sm.Shift:
    def money(minor: int) -> Decimal:
        return to_major(minor, shift.currency)

    users = shift_reports.user_names(session, {shift.opened_by, shift.closed_by})
    return sm.Shift(
        id=shift.id,
        counter=shift.counter,
        currency=shift.currency,
        status="closed" if shift.status == "closed" else "open",
        float=money(shift.float_amount),
        opened_by=users.get(shift.opened_by) if shift.opened_by else None,
        opened_at=shift.opened_at,
        closed_by=users.get(shift.closed_by) if shift.closed_by else None,
        closed_at=shift.closed_at,
        counted=money(shift.counted_amount) if shift.counted_amount is not None else None,
        counted_detail=dict(shift.counted_detail) if shift.counted_detail else None,
        ledger_head=shift.ledger_head,
        expected_cash=money(shifts.expected_cash(session, shift)),
    )


def _movement(session: Session, shift: Shift, row: CashMovement) -> sm.CashMovement:
    return sm.CashMovement(
        id=row.id,
        shift_id=row.shift_id,
        kind=row.kind,
        amount=to_major(row.amount, row.currency),
        currency=row.currency,
        reason=row.reason,
        order_id=row.order_id,
        payment_id=row.payment_id,
        refund_id=row.refund_id,
        user_id=row.user_id,
        created_at=row.created_at,
        expected_cash=to_major(shifts.expected_cash(session, shift), shift.currency),
    )


def _report(session: Session, built: ShiftReport) -> sm.ShiftReport:
    def money(minor: int) -> Decimal:
        return to_major(minor, built.currency)

    shift = shifts.get_shift(session, built.shift_id)
    return sm.ShiftReport(
        kind="Z" if built.kind == "Z" else "X",
        shift=_shift(session, shift),
        generated_at=built.generated_at,
        float=money(built.float_amount),
        cash_sales=money(built.cash_sales),
        cash_refunds=money(built.cash_refunds),
        pay_ins=money(built.pay_ins),
        pay_outs=money(built.pay_outs),
        expected_cash=money(built.expected_cash),
        counted_cash=money(built.counted_cash) if built.counted_cash is not None else None,
        difference=money(built.difference) if built.difference is not None else None,
        sales_total=money(built.sales_total),
        refunds_total=money(built.refunds_total),
        by_method=[
            sm.MethodTotals(
                method=row.method,
                sales_count=row.sales_count,
                sales_total=money(row.sales_total),
                refunds_count=row.refunds_count,
                refunds_total=money(row.refunds_total),
                net=money(row.net),
            )
            for row in built.by_method
        ],
        by_cashier=[
            sm.CashierTotals(
                user_id=row.user_id,
                name=row.name,
                sales_count=row.sales_count,
                sales_total=money(row.sales_total),
                refunds_count=row.refunds_count,
                refunds_total=money(row.refunds_total),
                net=money(row.net),
                cash=money(row.cash),
            )
            for row in built.by_cashier
        ],
        ledger_head=built.ledger_head,
        denominations=[money(d) for d in denominations.supported(built.currency) or ()],
    )
