"""Shifts and the cash drawer as the SDK reads them: a shift, a cash movement, the X and Z
reports, and the bodies that open, move cash in and out of, and close a shift."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from boxoffice.sdk.models.common import Amount, RequestModel, WireModel

ShiftStatus = Literal["open", "closed"]
ReportSize = Literal["roll", "a4"]


class ShiftOpenRequest(RequestModel):
    """`POST payment/v1/shift`: the float, and the counter unless `X-Counter` names it."""

    counter: str | None = Field(default=None, max_length=64)
    float: Amount = Field(ge=0, max_digits=12, decimal_places=2)
    currency: str | None = Field(default=None, min_length=3, max_length=3)


class CashMovementRequest(RequestModel):
    """`POST payment/v1/shift/{id}/cash`: + a pay-in, − a pay-out, with a reason."""

    amount: Amount = Field(max_digits=12, decimal_places=2)
    reason: str = Field(max_length=500)


class ShiftCloseRequest(RequestModel):
    """`POST payment/v1/shift/{id}/close`: the counted cash as a total, or per note and coin
    (face value in major units → how many: `{"50.00": 2, "0.20": 3}`), or both if they agree."""

    counted: Amount | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    denominations: dict[str, int] | None = None


class Shift(WireModel):
    """A counter's shift: its float, who opened and closed it, and what was counted."""

    id: int
    counter: str
    currency: str
    status: ShiftStatus
    float: Amount
    opened_by: str | None = None
    opened_at: datetime
    closed_by: str | None = None
    closed_at: datetime | None = None
    counted: Amount | None = None
    counted_detail: dict[str, int] | None = None  # minor units of a note or coin → how many
    ledger_head: str | None = None
    expected_cash: Amount | None = None  # what the drawer should hold now


class CashMovement(WireModel):
    """One movement of cash in (+) or out (−) of the drawer."""

    id: int
    shift_id: int
    kind: str  # float | sale | refund | pay_in | pay_out
    amount: Amount
    currency: str
    reason: str | None = None
    order_id: int | None = None
    payment_id: int | None = None
    refund_id: int | None = None
    user_id: int | None = None
    created_at: datetime
    expected_cash: Amount | None = None  # the drawer after this movement


class MethodTotals(WireModel):
    """Sales and refunds of one payment method (cash, card, free)."""

    method: str
    sales_count: int
    sales_total: Amount
    refunds_count: int
    refunds_total: Amount
    net: Amount


class CashierTotals(WireModel):
    """Sales and refunds of one cashier, and the net cash they moved (no float)."""

    user_id: int | None = None
    name: str
    sales_count: int
    sales_total: Amount
    refunds_count: int
    refunds_total: Amount
    net: Amount
    cash: Amount


class ShiftReport(WireModel):
    """The X report (an open shift, at any time) or Z report (at close). Balances:
    `float + cash_sales − cash_refunds + pay_ins − pay_outs = expected_cash`."""

    kind: Literal["X", "Z"]
    shift: Shift
    generated_at: datetime
    float: Amount
    cash_sales: Amount
    cash_refunds: Amount
    pay_ins: Amount
    pay_outs: Amount
    expected_cash: Amount
    counted_cash: Amount | None = None
    difference: Amount | None = None  # counted − expected: + over, − short
    sales_total: Amount
    refunds_total: Amount
    by_method: list[MethodTotals]
    by_cashier: list[CashierTotals]
    ledger_head: str
    # The currency's notes and coins, largest first, to count the drawer by at close; empty
    # when only a total can be counted.
    denominations: list[Amount] = []
