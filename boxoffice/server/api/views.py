"""ORM rows → wire models, and the `{"data": …}` envelope."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from boxoffice.sdk.models import events as ev
from boxoffice.sdk.models import orders as od
from boxoffice.sdk.models import readers as rd
from boxoffice.sdk.models import tickets as tk
from boxoffice.sdk.models.account import Organizer as OrganizerOut
from boxoffice.sdk.models.common import ListInfo, Paging
from boxoffice.sdk.models.order_status import AWAITING_PAYMENT
from boxoffice.server.api.expansion import Tree
from boxoffice.server.db import models as db
from boxoffice.server.payments.base import PaymentResult
from boxoffice.server.services.inventory import available
from boxoffice.server.services.money import to_major
from boxoffice.server.services.orders import OrderDetails
from boxoffice.server.stripe.gateway import ReaderInfo


def ok(model: BaseModel | dict[str, Any], status: int = 200) -> JSONResponse:
    data = model.model_dump(mode="json") if isinstance(model, BaseModel) else model
    return JSONResponse({"data": data}, status_code=status)


def page(items: Sequence[BaseModel], *, limit: int, offset: int, total: int) -> JSONResponse:
    """A list answer: the page itself, `{"data": [...], "paging": {...}}`, not inside another
    `data` (Tickethead's `ListInfo`, as its SDK reads it)."""
    info = ListInfo[Any](data=list(items), paging=Paging(limit=limit, offset=offset, total=total))
    return JSONResponse(info.model_dump(mode="json"))


def organizer(row: db.Organizer, *, tenant: str | None) -> OrganizerOut:
    """The organizer; `tenant` is its tenant label when the server serves one."""
    out = OrganizerOut.model_validate(row)  # address and vat_id as printed on receipts
    out.organization_name = tenant
    return out


def venue(row: db.Venue) -> ev.Venue:
    return ev.Venue.model_validate(row)


def discount(row: db.Discount) -> ev.TicketDiscount:
    currency = row.ticket_configs[0].currency if row.ticket_configs else "EUR"
    # Percentages are stored in basis points: 1250 → 12.5 (%).
    value = (
        Decimal(row.value).scaleb(-2) if row.type == "percentage" else to_major(row.value, currency)
    )
    return ev.TicketDiscount(
        id=row.id,
        event_id=row.event_id,
        name=row.name,
        type=row.type,
        value=value,
        ticket_config_ids=[c.id for c in row.ticket_configs],
    )


def ticket_config(row: db.TicketConfig, tree: Tree | None = None) -> ev.TicketConfig:
    tree = tree or {}
    return ev.TicketConfig(
        id=row.id,
        event_id=row.event_id,
        name=row.name,
        description=row.description,
        face_value=to_major(row.face_value, row.currency),
        currency=row.currency,
        tax_rate=Decimal(row.tax_rate).scaleb(-2).normalize(),
        quantity=row.quantity,
        available=available(row.quantity, row.taken),
        start_sale_at=row.start_sale_at,
        end_sale_at=row.end_sale_at,
        max_per_order=row.max_per_order,
        seat_category=row.seat_category,
        color=row.color,
        timeslot_ids=[t.id for t in row.timeslots],
        sector_ids=[s.id for s in row.sectors],
        ticket_discount=[discount(d) for d in row.discounts] if "ticket_discount" in tree else None,
    )


def timeslot(row: db.Timeslot) -> ev.Timeslot:
    return ev.Timeslot(
        id=row.id,
        event_id=row.event_id,
        start_at=row.start_at,
        end_at=row.end_at,
        quantity=row.quantity,
        available=available(row.quantity, row.taken),
        ticket_config_ids=[c.id for c in row.ticket_configs],
    )


def sector(row: db.Sector) -> ev.Sector:
    return ev.Sector(
        id=row.id,
        event_id=row.event_id,
        name=row.name,
        quantity=row.quantity,
        available=available(row.quantity, row.taken),
        ticket_config_ids=[c.id for c in row.ticket_configs],
    )


def event(row: db.Event, tree: Tree, *, has_seat_map: bool = False) -> ev.Event:
    return ev.Event(
        id=row.id,
        name=row.name,
        description=row.description,
        status=row.status,
        start_at=row.start_at,
        end_at=row.end_at,
        gate_time=row.gate_time,
        timezone_name=row.timezone_name,
        visible=row.visible,
        organizer_id=row.organizer.name,
        venue_id=str(row.venue_id) if row.venue_id is not None else None,
        chart_key=row.chart_key,
        has_seat_map=has_seat_map,
        main_image_uri=row.main_image_uri,
        contact_email=row.contact_email,
        created_at=row.created_at,
        updated_at=row.updated_at,
        venue=venue(row.venue) if "venue" in tree and row.venue else None,
        ticket_config=[ticket_config(c, tree["ticket_config"]) for c in row.ticket_configs]
        if "ticket_config" in tree
        else None,
        timeslot=[timeslot(t) for t in row.timeslots] if "timeslot" in tree else None,
        sector=[sector(s) for s in row.sectors] if "sector" in tree else None,
        ticket_discount=[discount(d) for d in row.discounts] if "ticket_discount" in tree else None,
    )


def order_contact(row: db.OrderContact) -> od.OrderContact:
    contact = od.OrderContact.model_validate(row)
    contact.id = row.order_id
    return contact


def order_item(
    row: db.OrderItem, currency: str, tickets: Sequence[db.Ticket] | None, viewer_id: int
) -> od.OrderItem:
    return od.OrderItem(
        id=row.id,
        ticket_config_id=row.ticket_config_id,
        timeslot_id=row.timeslot_id,
        sector_id=row.sector_id,
        quantity=row.quantity,
        face_value=to_major(row.face_value, currency),
        price=to_major(row.unit_price, currency),
        total=to_major(row.total, currency),
        ticket_discount=list(row.discount_ids),
        selected_seats=list(row.selected_seats),
        ticket_config_name=row.ticket_config.name,
        ticket=None
        if tickets is None
        else [ticket(t, viewer_id=viewer_id) for t in tickets if t.order_item_id == row.id],
    )


def order(
    row: db.Order,
    details: OrderDetails,
    tree: Tree | None = None,
    *,
    has_seat_map: bool = False,
    tickets: Sequence[db.Ticket] | None = None,
    viewer_id: int = 0,
) -> od.Order:
    """An order with its items and contact, and what `details` says of it (owner type,
    payment, event name, cashier); `with=[event.[venue]]` embeds the event, and `tickets`
    (`with=[order_item.[ticket]]`) go under their items, their QR payload only for
    `viewer_id`'s own."""
    tree = tree or {}
    return od.Order(
        id=row.id,
        code=row.code,
        event_id=row.event_id,
        owner_id=str(row.user_id),
        owner_type=details.owner_type,
        payment_id=details.payment_id,
        payment_created_at=details.payment_created_at,
        refunded_amount=to_major(details.refunded, row.currency),
        paid_amount=to_major(details.paid, row.currency),
        amount_due=to_major(max(row.total - details.paid, 0), row.currency),
        status=row.status,
        format=row.format,
        currency=row.currency,
        total=to_major(row.total, row.currency),
        hold_token=row.hold_token,
        expires_at=row.expires_at if row.status in AWAITING_PAYMENT else None,
        cancel_reason=row.cancel_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
        order_item=[order_item(i, row.currency, tickets, viewer_id) for i in row.items],
        order_contact=order_contact(row.contact) if row.contact else None,
        event=event(row.event, tree["event"], has_seat_map=has_seat_map)
        if "event" in tree
        else None,
        event_name=details.event_name,
        payment_method=details.payment_method,
        cashier=details.cashier,
        language=row.language,
    )


def _money(minor: int | None, currency: str) -> int | float | None:
    """A JSON number in major units, as `Amount` fields serialise (`25`, `12.5`)."""
    if minor is None:
        return None
    value = to_major(minor, currency)
    return int(value) if value == value.to_integral_value() else float(value)


def payment_result(result: PaymentResult, details: OrderDetails) -> dict[str, Any]:
    """`{publishable_key, payment_intent}` as Tickethead answers, plus the order and payment."""
    payment, currency = result.payment, result.order.currency
    return {
        "publishable_key": result.publishable_key,
        "payment_intent": result.intent.to_wire() if result.intent else None,
        "stripe_js_url": result.stripe_js_url,
        "order": order(result.order, details).model_dump(mode="json"),
        "payment": {
            "id": payment.id,
            "provider": payment.provider,
            "type": payment.type,
            "status": payment.status,
            "amount": _money(payment.amount, currency),
            "tendered": _money(payment.tendered, currency),
            "change": _money(payment.change, currency),
            "shift_id": payment.shift_id,
            "reader_id": payment.reader_id,
            "livemode": bool(result.intent.livemode) if result.intent else False,
        },
        "reader": (reader(result.reader, None).model_dump(mode="json") if result.reader else None),
    }


def reader(live: ReaderInfo | None, row: db.CardReader | None) -> rd.Reader:
    """A card reader: Stripe's state (`live`, None if it could not be asked) and the venue's
    choices (`row`, None if the server has not taken it on)."""
    action = live.action if live is not None else None
    base = row.id if row is not None else (live.id if live is not None else "")
    return rd.Reader(
        id=base,
        label=row.label if row is not None else (live.label if live else ""),
        device_type=live.device_type if live is not None else (row.device_type if row else ""),
        status=live.status if live is not None else None,
        location=live.location if live is not None else (row.location_id if row else None),
        serial_number=live.serial_number if live is not None else None,
        counter=row.counter if row is not None else None,
        livemode=live.livemode if live is not None else bool(row and row.livemode),
        registered=row is not None,
        action=(
            rd.ReaderAction(
                type=action.type,
                status=action.status,
                payment_intent=action.payment_intent,
                failure_code=action.failure_code,
                failure_message=action.failure_message,
                decline_code=action.decline_code,
            )
            if action is not None
            else None
        ),
    )


def ticket(row: db.Ticket, *, viewer_id: int) -> tk.Ticket:
    """A ticket of the wallet; the QR payload only for its owner, never for onlookers."""
    return tk.Ticket(
        id=row.id,
        code=row.code,
        event_id=row.event_id,
        order_id=row.order_id,
        ticket_config_id=row.ticket_config_id,
        timeslot_id=row.timeslot_id,
        sector_id=row.sector_id,
        seat_label=row.seat_label,
        format=row.format,
        status=row.status,
        owner_id=row.owner_id,
        holder_name=row.holder_name,
        issued_at=row.issued_at,
        qr_payload=row.qr_payload if row.owner_id == viewer_id else None,
    )
