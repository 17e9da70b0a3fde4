"""Refunds: money given back for a paid order, in whole or by ticket, and the progress of
refunding every paid order of an event."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from boxoffice.sdk.models.common import MAX_ID, Amount, RequestModel, WireModel
from boxoffice.sdk.models.orders import Order

RefundMethod = Literal["cash", "card", "card_present", "free"]
RefundStatus = Literal["succeeded", "pending", "failed"]
Prefer = Literal["cash", "card"]
MAX_REASON = 500


NO_REASON = "No reason given"
"""The reason recorded for a refund asked without one (Tickethead's SDK sends none)."""


class RefundRequest(RequestModel):
    """`POST event/v1/order/{id}/refund`: which tickets (none named: every valid one), why,
    and which way the money goes back first when the order was paid several ways (default:
    card first, cash last)."""

    ticket_ids: list[int] | None = Field(default=None, min_length=1, max_length=1000)
    # The counter and the command line always ask for one; the vendor SDK's `refundOrder`
    # sends none (`{}` or `{ticketIds}`), so the server records that none was given.
    reason: str = Field(default=NO_REASON, min_length=1, max_length=MAX_REASON)
    prefer: Prefer | None = None


class EventRefundRequest(RequestModel):
    """`POST event/v1/event/{id}/refund`: refund every paid order of a canceled event."""

    reason: str = Field(min_length=1, max_length=MAX_REASON)
    limit: int | None = Field(default=None, ge=1, le=100)


class Refund(WireModel):
    """Money given back from one payment of an order, with the tickets it revoked."""

    id: int
    order_id: int
    payment_id: int | None = None
    method: RefundMethod
    status: RefundStatus
    amount: Amount
    currency: str
    reason: str
    provider_refund_id: str | None = None  # Stripe's re_… for a card refund
    failure_message: str | None = None
    shift_id: int | None = Field(default=None, le=MAX_ID)  # the drawer cash came out of
    user_id: int | None = None  # the cashier who gave it back
    ticket_ids: list[int] = Field(default_factory=list)
    created_at: datetime


class RefundResult(WireModel):
    """The answer of a refund: the order as it is now and the refunds made (one per payment
    the money went back to). `success` is what the vendor SDK's `StatusResponse` reads."""

    order: Order
    refunds: list[Refund]
    success: bool = True


class EventRefundFailure(WireModel):
    """An order the event refund could not refund this time, and why (e.g. no open shift
    for its cash)."""

    order_id: int
    message: str
    error_code: str | None = None


class EventRefundProgress(WireModel):
    """Where refunding an event's paid orders stands: call again until `remaining_orders`
    is 0 (safe: a refunded ticket is never refunded twice)."""

    event_id: int
    refunded_orders: int  # orders of the event now fully refunded
    remaining_orders: int  # orders still paid or partially refunded
    refunded_now: int = 0  # orders refunded by this call
    failed: list[EventRefundFailure] = Field(default_factory=list)
    done: bool = False
