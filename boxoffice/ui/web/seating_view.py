"""The seating page in a web view, wired to a SeatingPresenter through its bridge (v1)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field
from PySide6.QtCore import Signal, Slot
from PySide6.QtWebEngineCore import QWebEngineProfile
from PySide6.QtWidgets import QWidget

from boxoffice.sdk.models.seating import SeatObject
from boxoffice.ui.presenters.seating import SeatingPresenter
from boxoffice.ui.web.bridge import Bridge, BridgedView, Empty, PageMessage
from boxoffice.ui.web.page_words import seating_words
from boxoffice.ui.web.profiles import seating_profile
from boxoffice.ui.web.scheme import page_url

SEATING_PAGE = "seating/index.html"

# --- what the page sends ----------------------------------------------------------------


class ToggleSeat(PageMessage):
    label: str = Field(min_length=1, max_length=64)


class BestAvailable(PageMessage):
    number: int = Field(ge=1, le=50)
    category: str | None = Field(default=None, min_length=1, max_length=64)
    accessible: bool = False


# --- what the page is sent --------------------------------------------------------------


class CategoryView(BaseModel):
    key: str
    name: str
    color: str | None
    price: str | None
    currency: str | None


class SeatView(BaseModel):
    label: str
    section: str
    row: str
    number: str
    category: str
    accessible: bool
    x: float
    y: float
    status: Literal["free", "held", "booked"]


class MapView(BaseModel):
    event_id: int
    categories: list[CategoryView]
    seats: list[SeatView]


class SelectionView(BaseModel):
    labels: list[str]
    pending: list[str]
    seconds_left: int | None
    total: str | None
    currency: str | None


class SeatingBridge(Bridge):
    """The seating page's bridge.

    Slots (page → Python, one JSON object each): `ready {}` (the Bridge's), `toggle_seat
    {label}`, `best_available {number, category?, accessible?}`, `clear_selection {}`.

    Signals (Python → page): `seat_map(MapView)`, `selection(SelectionView)`,
    `notice(Notice)` (the Bridge's), `busy({"busy": bool})`; and for Python: `page_ready()`
    (the Bridge's), `toggle_requested(str)`, `best_requested(object BestAvailable)`,
    `clear_requested()`.
    """

    seat_map = Signal(str)
    selection = Signal(str)
    busy = Signal(str)
    toggle_requested = Signal(str)
    best_requested = Signal(object)
    clear_requested = Signal()

    @Slot(str)
    def toggle_seat(self, raw: str) -> None:
        message = self.parse(ToggleSeat, raw)
        if message is not None:
            self.toggle_requested.emit(message.label)

    @Slot(str)
    def best_available(self, raw: str) -> None:
        message = self.parse(BestAvailable, raw)
        if message is not None:
            self.best_requested.emit(message)

    @Slot(str)
    def clear_selection(self, raw: str) -> None:
        if self.parse(Empty, raw) is not None:
            self.clear_requested.emit()


def seat_status(seat: SeatObject) -> Literal["free", "held", "booked"]:
    """A seat's status as the page shows it."""
    # Seats this sale held and let go since the map was read are free again.
    if seat.held_by_you or seat.status == "free":
        return "free"
    return "held" if seat.status == "reservedByToken" else "booked"


def map_json(presenter: SeatingPresenter) -> str | None:
    """The presenter's map as the page gets it: a `MapView` in JSON.

    Written straight from the SDK's seats (already validated), without a model per seat:
    a stadium's 50,000 seats take a tenth of a second, not two."""
    seat_map = presenter.seat_map
    if seat_map is None:
        return None
    categories = [
        CategoryView(
            key=c.key,
            name=c.name,
            color=c.color,
            price=None if c.price is None else f"{c.price:f}",
            currency=c.currency,
        ).model_dump()
        for c in seat_map.categories
    ]
    seats = [
        {
            "label": s.label,
            "section": s.section,
            "row": s.row,
            "number": s.number,
            "category": s.category,
            "accessible": s.accessible,
            "x": s.x,
            "y": s.y,
            "status": seat_status(s),
        }
        for s in seat_map.seats
    ]
    return json.dumps(
        {"event_id": seat_map.event_id, "categories": categories, "seats": seats},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def selection_view(presenter: SeatingPresenter) -> SelectionView:
    total: Decimal | None = Decimal(0)
    currency: str | None = None
    for label in presenter.selected_labels:
        category = presenter.category_of(label)
        if category is None or category.price is None or total is None:
            total = None
            continue
        total += category.price
        currency = currency or category.currency
    return SelectionView(
        labels=presenter.selected_labels,
        pending=presenter.pending_labels,
        seconds_left=presenter.seconds_left(),
        total=None if total is None else f"{total:f}",
        currency=currency,
    )


class SeatingView(BridgedView):
    """Shows the seating page of `presenter`'s event and relays the page's choices to it.

    The page speaks the language in use when the view is made."""

    def __init__(
        self,
        presenter: SeatingPresenter,
        *,
        profile: QWebEngineProfile | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(SeatingBridge(seating_words()), profile=profile, parent=parent)
        self.presenter = presenter
        bridge = self.seating_bridge
        bridge.page_ready.connect(self._push_all)
        bridge.toggle_requested.connect(presenter.toggle)
        bridge.best_requested.connect(self._best)
        bridge.clear_requested.connect(presenter.clear)
        presenter.seat_map_changed.connect(self._push_map)
        presenter.selection_changed.connect(self._push_selection)
        presenter.pending_changed.connect(self._push_selection)
        presenter.error.connect(self.show_error)
        presenter.busy_changed.connect(self._push_busy)
        self.setUrl(page_url(SEATING_PAGE))

    def make_profile(self) -> QWebEngineProfile:
        return seating_profile()

    @property
    def seating_bridge(self) -> SeatingBridge:
        assert isinstance(self.bridge, SeatingBridge)
        return self.bridge

    def _best(self, message: BestAvailable) -> None:
        self.presenter.best_available(
            message.number, category=message.category, accessible=message.accessible
        )

    def _push_all(self) -> None:
        self._push_map()
        self._push_selection()

    def _push_map(self) -> None:
        data = map_json(self.presenter)
        if data is not None:
            self.seating_bridge.seat_map.emit(data)

    def _push_selection(self, *_: object) -> None:
        self.seating_bridge.selection.emit(Bridge.dump(selection_view(self.presenter)))

    def _push_busy(self, busy: bool) -> None:
        self.seating_bridge.busy.emit(f'{{"busy": {"true" if busy else "false"}}}')
