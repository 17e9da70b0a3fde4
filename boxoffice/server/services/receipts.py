"""Receipts of an order: the sale, and each refund — read from the order, its payments, its
refunds and the shift each was taken at, and drawn by `ticketoutput.receipt`.

Prices include VAT. The tax of a rate is worked out once per rate line, on the gross of all
the lines at that rate: tax = gross × rate / (1 + rate), rounded half up to the minor unit;
net = gross − tax, so the lines of a receipt always add up exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.server.db.models import Discount, Order, Payment, Ticket, TicketConfig, User
from boxoffice.server.db.models.refund import SUCCEEDED as REFUND_SUCCEEDED
from boxoffice.server.db.models.refund import Refund, refund_ticket
from boxoffice.server.db.models.shift import Shift
from boxoffice.server.errors import InvalidInput, NotFound, RuleViolation
from boxoffice.server.services.money import to_major
from boxoffice.server.ticketoutput.base import OutputFile
from boxoffice.server.ticketoutput.receipt import (
    SIZES,
    PaymentLine,
    ReceiptLine,
    ReceiptView,
    TaxLine,
    render_receipt,
)

RECEIPTED = (
    OrderStatus.PAID,
    OrderStatus.REFUNDED,
    OrderStatus.PARTIALLY_REFUNDED,
)
"""The statuses an order has a sale receipt in."""


def tax_included(gross: int, rate_basis_points: int) -> int:
    """The VAT inside `gross` (minor units) at `rate_basis_points` (2100 = 21 %), rounded half
    up to the minor unit: gross × rate / (1 + rate)."""
    if rate_basis_points <= 0 or gross == 0:
        return 0
    exact = Decimal(gross) * rate_basis_points / (10000 + rate_basis_points)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def taxes_by_rate(amounts: Iterable[tuple[int, int]], currency: str) -> list[TaxLine]:
    """(gross minor units, rate basis points) pairs → one tax line per rate > 0, by rate."""
    gross: dict[int, int] = defaultdict(int)
    for amount, rate in amounts:
        gross[rate] += amount
    lines = []
    for rate in sorted(gross):
        if rate <= 0:
            continue
        tax = tax_included(gross[rate], rate)
        lines.append(
            TaxLine(
                rate=Decimal(rate).scaleb(-2),
                gross=to_major(gross[rate], currency),
                net=to_major(gross[rate] - tax, currency),
                tax=to_major(tax, currency),
            )
        )
    return lines


def _user_name(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        return None
    full = " ".join(p for p in (user.first_name, user.last_name) if p)
    return full or user.username or user.email


def _counter(session: Session, shift_id: int | None) -> str | None:
    shift = session.get(Shift, shift_id) if shift_id is not None else None
    return shift.counter if shift is not None else None


def _rate(config: TicketConfig) -> Decimal:
    return Decimal(config.tax_rate).scaleb(-2)


def sale_view(session: Session, order: Order) -> ReceiptView:
    """What the sale receipt of a paid (or since refunded) order shows."""
    if order.status not in RECEIPTED:
        raise RuleViolation("A receipt is printed once the order is paid.", code="order_not_paid")
    currency = order.currency
    discount_ids = {d for item in order.items for d in item.discount_ids}
    discounts = {
        d.id: d.name for d in session.scalars(select(Discount).where(Discount.id.in_(discount_ids)))
    }
    lines = [
        ReceiptLine(
            name=item.ticket_config.name,
            quantity=item.quantity,
            face_value=to_major(item.face_value, currency),
            unit_price=to_major(item.unit_price, currency),
            total=to_major(item.total, currency),
            tax_rate=_rate(item.ticket_config),
            discount_names=tuple(discounts[d] for d in item.discount_ids if d in discounts),
        )
        for item in order.items
    ]
    taxes = taxes_by_rate(((i.total, i.ticket_config.tax_rate) for i in order.items), currency)
    payments = list(
        session.scalars(
            select(Payment)
            .where(Payment.order_id == order.id, Payment.status == "succeeded")
            .order_by(Payment.created_at, Payment.id)
        )
    )
    last = payments[-1] if payments else None
    cashier_id = last.user_id if last is not None and last.user_id else order.user_id
    return ReceiptView(
        kind="sale",
        **_heading(order),
        currency=currency,
        lines=lines,
        taxes=taxes,
        total=to_major(order.total, currency),
        payments=[_payment_line(p, currency) for p in payments],
        issued_at=last.updated_at if last is not None else order.updated_at,
        cashier=_user_name(session, cashier_id),
        counter=_counter(session, last.shift_id if last is not None else None),
        receipt_number=f"S-{order.id}",
    )


def _payment_line(payment: Payment, currency: str) -> PaymentLine:
    def major(minor: int | None) -> Decimal | None:
        return to_major(minor, currency) if minor is not None else None

    return PaymentLine(
        method=payment.type,
        amount=to_major(payment.amount, currency),
        tendered=major(payment.tendered) if payment.type == "cash" else None,
        change=major(payment.change) if payment.type == "cash" else None,
        reference=payment.intent_id,
    )


def _refund_group(session: Session, order: Order, refund_id: int) -> list[Refund]:
    """The refund and the others made with it (one per payment of a split order: the same
    order, moment and cashier), oldest first."""
    refund = session.get(Refund, refund_id)
    if refund is None or refund.order_id != order.id:
        raise NotFound(f"No refund {refund_id} of this order.", code="refund_not_found")
    if refund.status != REFUND_SUCCEEDED:
        raise RuleViolation(
            "This refund has not gone through (yet); there is no receipt for it.",
            code="refund_not_succeeded",
        )
    return list(
        session.scalars(
            select(Refund)
            .where(
                Refund.order_id == order.id,
                Refund.created_at == refund.created_at,
                Refund.user_id == refund.user_id
                if refund.user_id is not None
                else Refund.user_id.is_(None),
                Refund.status == REFUND_SUCCEEDED,
            )
            .order_by(Refund.id)
        )
    )


def refund_view(session: Session, order: Order, refund_id: int) -> ReceiptView:
    """What the REFUND receipt of one refund of `order` shows: the tickets given back, the
    tax in them, and how much went back by which method."""
    refunds = _refund_group(session, order, refund_id)
    currency = order.currency
    tickets: Sequence[Ticket] = list(
        session.scalars(
            select(Ticket)
            .join(refund_ticket, refund_ticket.c.ticket_id == Ticket.id)
            .where(refund_ticket.c.refund_id.in_([r.id for r in refunds]))
            .order_by(Ticket.id)
        )
    )
    configs = {item.ticket_config_id: item.ticket_config for item in order.items}
    faces = {item.id: item.face_value for item in order.items}
    total = sum(r.amount for r in refunds)
    grouped: dict[tuple[int, int], list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        grouped[(ticket.ticket_config_id, ticket.price)].append(ticket)
    lines = []
    amounts: list[tuple[int, int]] = []
    for (config_id, price), group in grouped.items():
        config = configs[config_id]
        lines.append(
            ReceiptLine(
                name=config.name,
                quantity=len(group),
                face_value=to_major(faces.get(group[0].order_item_id, price), currency),
                unit_price=to_major(price, currency),
                total=to_major(price * len(group), currency),
                tax_rate=_rate(config),
            )
        )
        amounts.append((price * len(group), config.tax_rate))
    if sum(a for a, _ in amounts) != total:
        # Not by ticket (or not at their prices): the tax of the amount itself, at the
        # order's rate when it has one, else none.
        rates = {c.tax_rate for c in configs.values()}
        rate = rates.pop() if len(rates) == 1 else 0
        if not lines:
            lines.append(
                ReceiptLine(
                    name="Refund",
                    quantity=1,
                    face_value=to_major(total, currency),
                    unit_price=to_major(total, currency),
                    total=to_major(total, currency),
                    tax_rate=Decimal(rate).scaleb(-2),
                )
            )
        amounts = [(total, rate)]
    first = refunds[0]
    return ReceiptView(
        kind="refund",
        **_heading(order),
        currency=currency,
        lines=lines,
        taxes=taxes_by_rate(amounts, currency),
        total=to_major(total, currency),
        payments=[
            PaymentLine(
                method=r.method,
                amount=to_major(r.amount, currency),
                reference=r.provider_refund_id,
            )
            for r in refunds
        ],
        issued_at=first.created_at,
        cashier=_user_name(session, first.user_id),
        counter=next(
            (c for c in (_counter(session, r.shift_id) for r in refunds) if c is not None), None
        ),
        receipt_number=f"R-{first.id}",
        reason=first.reason,
    )


def receipt(
    session: Session, order: Order, *, size: str = "roll", refund_id: int | None = None
) -> OutputFile:
    """The sale receipt of `order`, or with `refund_id` the REFUND receipt, as a PDF."""
    if size not in SIZES:
        raise InvalidInput(
            f"size must be one of {', '.join(SIZES)}.", code="invalid_size", field="size"
        )
    view = (
        sale_view(session, order) if refund_id is None else refund_view(session, order, refund_id)
    )
    return render_receipt(view, size="a4" if size == "a4" else "roll")


def _heading(order: Order) -> dict[str, Any]:
    """What heads every receipt of `order`: the organizer, the event, the order code."""
    event = order.event
    return {
        "organizer_name": event.organizer.display_name,
        "organizer_address": event.organizer.address,
        "organizer_vat_id": event.organizer.vat_id,
        "event_name": event.name,
        "event_start": event.start_at,
        "timezone_name": event.timezone_name,
        "order_code": order.code,
        "language": order.language,
    }
