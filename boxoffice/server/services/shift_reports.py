"""X and Z reports of a shift: what the drawer should hold, sales and refunds by payment
method and by cashier, and the ledger head hash.

An X report can be taken at any time of an open shift; the Z report is the report of a closed
shift, with the counted cash and the difference. Both are read from the records only (cash
movements, payments and refunds carrying the shift's id), so the same shift always gives the
same report, and the figures balance: float + cash sales − cash refunds + pay-ins − pay-outs
= expected cash. Amounts are integer minor units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from boxoffice.server.db.models import CashMovement, Payment, Refund, Shift, User
from boxoffice.server.db.models.shift import CLOSED, FLOAT, PAY_IN, PAY_OUT, REFUND, SALE
from boxoffice.server.services.actors import full_name, staff_name
from boxoffice.server.services.shifts import ledger_head

SUCCEEDED = "succeeded"
METHODS = ("cash", "card", "free")  # always listed, in this order, even when nothing was taken


@dataclass
class Totals:
    """Sales and refunds of one payment method or one cashier (minor units)."""

    sales_count: int = 0
    sales_total: int = 0
    refunds_count: int = 0
    refunds_total: int = 0

    @property
    def net(self) -> int:
        return self.sales_total - self.refunds_total


@dataclass
class MethodTotals(Totals):
    method: str = ""


@dataclass
class CashierTotals(Totals):
    user_id: int | None = None
    name: str = ""
    cash: int = 0  # the net cash this cashier moved in and out of the drawer (no float)


@dataclass
class ShiftReport:
    """The X report of an open shift, the Z report of a closed one."""

    kind: str  # "X" or "Z"
    shift_id: int
    counter: str
    currency: str
    status: str
    opened_at: datetime
    opened_by: str | None
    closed_at: datetime | None
    closed_by: str | None
    generated_at: datetime
    float_amount: int
    cash_sales: int
    cash_refunds: int  # given back, as a positive amount
    pay_ins: int
    pay_outs: int  # taken out, as a positive amount
    expected_cash: int
    counted_cash: int | None
    difference: int | None  # counted − expected
    counted_detail: dict[str, int] | None
    ledger_head: str
    by_method: list[MethodTotals] = field(default_factory=list)
    by_cashier: list[CashierTotals] = field(default_factory=list)

    @property
    def sales_total(self) -> int:
        return sum(row.sales_total for row in self.by_method)

    @property
    def refunds_total(self) -> int:
        return sum(row.refunds_total for row in self.by_method)


def build(session: Session, shift: Shift, *, now: datetime) -> ShiftReport:
    """The shift's report as of now (X while open; Z, with the head recorded at close)."""
    cash = {FLOAT: 0, SALE: 0, REFUND: 0, PAY_IN: 0, PAY_OUT: 0}
    cashiers: dict[int | None, CashierTotals] = {}

    def cashier(user_id: int | None) -> CashierTotals:
        return cashiers.setdefault(user_id, CashierTotals(user_id=user_id))

    movements = session.execute(
        select(CashMovement.kind, CashMovement.amount, CashMovement.user_id).where(
            CashMovement.shift_id == shift.id
        )
    )
    for kind, amount, user_id in movements:
        cash[kind] = cash.get(kind, 0) + amount
        if kind != FLOAT:
            cashier(user_id).cash += amount
    methods = {method: MethodTotals(method=method) for method in METHODS}
    payments = session.execute(
        select(Payment.type, Payment.amount, Payment.user_id).where(
            Payment.shift_id == shift.id, Payment.status == SUCCEEDED
        )
    )
    for method, amount, user_id in payments:
        for totals in (methods.setdefault(method, MethodTotals(method=method)), cashier(user_id)):
            totals.sales_count += 1
            totals.sales_total += amount
    refunds = session.execute(
        select(Refund.method, Refund.amount, Refund.user_id).where(
            Refund.shift_id == shift.id, Refund.status == SUCCEEDED
        )
    )
    for method, amount, user_id in refunds:
        for totals in (methods.setdefault(method, MethodTotals(method=method)), cashier(user_id)):
            totals.refunds_count += 1
            totals.refunds_total += amount
    names = user_names(session, {shift.opened_by, shift.closed_by, *cashiers})
    for user_id, totals in cashiers.items():
        totals.name = names.get(user_id, "(unknown)") if user_id is not None else "(system)"
    expected = sum(cash.values())
    closed = shift.status == CLOSED
    counted = shift.counted_amount if closed else None
    return ShiftReport(
        kind="Z" if closed else "X",
        shift_id=shift.id,
        counter=shift.counter,
        currency=shift.currency,
        status=shift.status,
        opened_at=shift.opened_at,
        opened_by=names.get(shift.opened_by) if shift.opened_by else None,
        closed_at=shift.closed_at,
        closed_by=names.get(shift.closed_by) if shift.closed_by else None,
        generated_at=now,
        float_amount=cash[FLOAT],
        cash_sales=cash[SALE],
        cash_refunds=-cash[REFUND],
        pay_ins=cash[PAY_IN],
        pay_outs=-cash[PAY_OUT],
        expected_cash=expected,
        counted_cash=counted,
        difference=None if counted is None else counted - expected,
        counted_detail=dict(shift.counted_detail) if closed and shift.counted_detail else None,
        ledger_head=shift.ledger_head if closed and shift.ledger_head else ledger_head(session),
        by_method=list(methods.values()),
        by_cashier=sorted(cashiers.values(), key=lambda row: (row.name, row.user_id or 0)),
    )


def user_names(session: Session, user_ids: set[int | None]) -> dict[int | None, str]:
    """Display names of staff accounts by id (full name, else username)."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(User.id, User.username, User.first_name, User.last_name).where(User.id.in_(ids))
    )
    names: dict[int | None, str] = {}
    for user_id, username, first_name, last_name in rows:
        names[user_id] = staff_name(user_id, username, full_name(first_name, last_name))
    return names
