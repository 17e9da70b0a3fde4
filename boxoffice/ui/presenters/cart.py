"""The cart: lines of one event's tickets, their price preview and the order items they become.

Prices here are a preview for the cashier; the server prices the order when it is created
and its total is what gets paid.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from boxoffice import i18n
from boxoffice.i18n import N_, _
from boxoffice.sdk.models.events import Event, Sector, TicketConfig, TicketDiscount, Timeslot
from boxoffice.ui.errors import CashierError

CENT = Decimal("0.01")
# What `_find` says when the cart names something the event no longer offers.
TICKET_TYPE = N_("That ticket type is not offered for this event any more. Refresh the event.")
TIME_SLOT = N_("That time slot is not offered for this event any more. Refresh the event.")
SECTOR = N_("That sector is not offered for this event any more. Refresh the event.")
DISCOUNT = N_("That discount is not offered for this event any more. Refresh the event.")


@dataclass(frozen=True)
class CartLine:
    """One line of the cart: a quantity of one ticket config with its choices."""

    config: TicketConfig
    quantity: int
    timeslot: Timeslot | None = None
    sector: Sector | None = None
    discount: TicketDiscount | None = None
    seats: tuple[str, ...] = field(default_factory=tuple)

    @property
    def unit_price(self) -> Decimal:
        price = Decimal(self.config.face_value)
        if self.discount is not None:
            value = Decimal(self.discount.value)
            off = price * value / 100 if self.discount.type == "percentage" else value
            price -= off.quantize(CENT, ROUND_HALF_UP)
        return max(price, Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def key(self) -> tuple[int, int | None, int | None, int | None]:
        return (
            self.config.id,
            self.timeslot.id if self.timeslot else None,
            self.sector.id if self.sector else None,
            self.discount.id if self.discount else None,
        )

    def describe(self, zone: tzinfo | None = None) -> str:
        """One line for the cart; times in `zone` (the event's time zone)."""
        parts = [self.config.name]
        if self.timeslot is not None:
            parts.append(i18n.moment(self.timeslot.start_at.astimezone(zone), "%d %b %H:%M"))
        if self.sector is not None:
            parts.append(self.sector.name)
        if self.discount is not None:
            parts.append(self.discount.name)
        if self.seats:
            parts.append(", ".join(self.seats))
        return " · ".join(parts)

    def order_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {"quantity": self.quantity, "ticket_config_id": self.config.id}
        if self.timeslot is not None:
            item["timeslot_id"] = self.timeslot.id
        if self.sector is not None:
            item["sector_id"] = self.sector.id
        if self.discount is not None:
            item["ticket_discount"] = [self.discount.id]
        if self.seats:
            item["selected_seats"] = list(self.seats)
        return item


class CartError(CashierError):
    """A cart change the cashier has to correct; the message says how."""


class CartPresenter(QObject):
    """Lines of the current event's tickets.

    Signals:
        changed(): lines or event changed.
        cleared(): the sale is over (completed or given up): the sale form goes back to its
            defaults for the next customer; the event stays open.
    """

    changed = Signal()
    cleared = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.current_event: Event | None = None
        self.lines: list[CartLine] = []
        self.hold_token: str | None = None

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal(0))

    @property
    def currency(self) -> str:
        return self.lines[0].config.currency if self.lines else ""

    @property
    def ticket_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def is_free(self) -> bool:
        return bool(self.lines) and self.total == 0

    @property
    def timeslot_id(self) -> int | None:
        """The time slot of the cart's latest line with one: the next line's slot too."""
        return next((line.timeslot.id for line in reversed(self.lines) if line.timeslot), None)

    def show_event(self, event: Event) -> None:
        """Offer `event`'s tickets; a cart holding another event's tickets is kept as it is."""
        if self.lines and self.current_event is not None and self.current_event.id != event.id:
            raise CartError(
                _(
                    "The cart holds tickets for %(event)s. "
                    "Complete or clear that sale before selling another event."
                )
                % {"event": self.current_event.name}
            )
        self.current_event = event
        self.changed.emit()

    def leave_event(self) -> bool:
        """Offer no event's tickets (another event is being opened). A cart with lines keeps
        its event; returns whether the event was left."""
        if self.lines:
            return False
        if self.current_event is not None:
            self.current_event = None
            self.changed.emit()
        return True

    def add(
        self,
        config_id: int,
        quantity: int,
        *,
        timeslot_id: int | None = None,
        sector_id: int | None = None,
        discount_id: int | None = None,
        seats: tuple[str, ...] = (),
        hold_token: str | None = None,
        now: datetime | None = None,
    ) -> CartLine:
        """Add a line (merged with an equal one); raises `CartError` with the reason."""
        event = self._event()
        config = _find(event.ticket_config, config_id, TICKET_TYPE)
        if quantity < 1:
            raise CartError(_("Enter how many tickets (1 or more)."))
        if config.timeslot_ids and timeslot_id is None:
            raise CartError(_("Choose a time slot for %(ticket)s.") % {"ticket": config.name})
        if config.sector_ids and sector_id is None:
            raise CartError(_("Choose a sector for %(ticket)s.") % {"ticket": config.name})
        line = CartLine(
            config=config,
            quantity=quantity,
            timeslot=_find(event.timeslot, timeslot_id, TIME_SLOT) if timeslot_id else None,
            sector=_find(event.sector, sector_id, SECTOR) if sector_id else None,
            discount=_find(event.ticket_discount, discount_id, DISCOUNT) if discount_id else None,
            seats=seats,
        )
        if hold_token is not None:
            self.hold_token = hold_token
        self._merge(line)
        self.changed.emit()
        return line

    def add_held_seats(self, items: list[dict[str, Any]], hold_token: str | None) -> None:
        """Add the seats picked on the seat map (order items with `selected_seats`, held
        under `hold_token`); seats the cart has already are not added twice."""
        held = {label for line in self.lines for label in line.seats}
        for item in items:
            seats = tuple(label for label in item["selected_seats"] if label not in held)
            if seats:
                self.add(item["ticket_config_id"], len(seats), seats=seats, hold_token=hold_token)

    def remove(self, index: int) -> None:
        if 0 <= index < len(self.lines):
            del self.lines[index]
            if not any(line.seats for line in self.lines):
                self.hold_token = None
            self.changed.emit()

    def clear(self) -> None:
        """Empty the cart: the sale is over (completed or given up)."""
        self.lines = []
        self.hold_token = None
        self.changed.emit()
        self.cleared.emit()

    def order_items(self) -> list[dict[str, Any]]:
        return [line.order_item() for line in self.lines]

    def _merge(self, line: CartLine) -> None:
        for index, existing in enumerate(self.lines):
            if existing.key == line.key and not existing.seats and not line.seats:
                self.lines[index] = replace(existing, quantity=existing.quantity + line.quantity)
                return
        self.lines.append(line)

    def _event(self) -> Event:
        if self.current_event is None:
            raise CartError(_("Choose an event first."))
        return self.current_event


_Item = TypeVar("_Item", TicketConfig, Timeslot, Sector, TicketDiscount)


def _find(items: list[_Item] | None, item_id: int | None, what: str) -> _Item:
    """The item `item_id`; else `CartError` with `what` (a sentence marked `N_`)."""
    for item in items or []:
        if item.id == item_id:
            return item
    raise CartError(_(what))
