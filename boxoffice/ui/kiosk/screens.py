"""The customer's screens: attract, events, tickets, pay, done."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from boxoffice.sdk.models.events import Event
from boxoffice.sdk.money import format_money
from boxoffice.ui.kiosk.presenter import APPROVED_CARD, DECLINED_CARD, Done, KioskPresenter
from boxoffice.ui.kiosk.qr import qr_pixmap
from boxoffice.ui.kiosk.widgets import Stepper, button, label, title
from boxoffice.ui.sale_state import EventSummary

TILE_WIDTH = 520
MARGINS = (48, 24, 48, 32)  # left, top, right, bottom of every screen
MAX_CODES = 6  # QR codes shown at once; more tickets: the first ones and "+ N more"


def when(event: Event) -> str:
    """ "Sat 12 Dec 2026 · 19:30" in the event's own time."""
    start = event.start_at.astimezone(ZoneInfo(event.timezone_name))
    return f"{start:%a %d %b %Y · %H:%M}"


def left_text(summary: EventSummary) -> str:
    if summary.remaining is None:
        return "Tickets available"
    if summary.remaining <= 20:
        return f"Only {summary.remaining} left"
    return f"{summary.remaining} tickets left"


class AttractScreen(QWidget):
    """ "Tickets here — touch to start"; any touch or key starts.

    Signals:
        touched(): the customer touched the screen.
    """

    touched = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskAttract")
        self.heading = title("Tickets here", self)
        self.heading.setObjectName("kioskHero")
        self.sub = label("Buy your tickets in a minute — pay by card.", "kioskLead", self)
        self.sub.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.start = button("Touch to start", "kioskPrimary", self)
        self.start.setMinimumWidth(480)
        self.start.clicked.connect(self.touched)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*MARGINS)
        layout.addStretch(2)
        layout.addWidget(self.heading)
        layout.addWidget(self.sub)
        layout.addSpacing(48)
        layout.addWidget(self.start, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt name)
        self.touched.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.touched.emit()


class EventsScreen(QWidget):
    """Large tiles of the events on sale: name, date, venue, what is left."""

    def __init__(self, presenter: KioskPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._presenter = presenter
        self.heading = title("Choose an event", self)
        self.notice = label("", "kioskNotice", self)
        self.tiles: list[tuple[int, QWidget]] = []
        self._shown: tuple[int, list[tuple[int, str]]] | None = None
        self._holder = QWidget()
        self._grid = QGridLayout(self._holder)
        self._grid.setSpacing(24)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self._holder.setObjectName("kioskTiles")
        scroll = QScrollArea(self)
        scroll.setObjectName("kioskScroll")
        scroll.setAccessibleName("Events")
        scroll.setAccessibleDescription("Touch an event to choose its tickets")
        scroll.viewport().setObjectName("kioskTiles")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._holder)
        self.back = button("Start over", "kioskSecondary", self)
        self.back.clicked.connect(presenter.cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*MARGINS)
        layout.addWidget(self.heading)
        layout.addWidget(self.notice)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.back, 0, Qt.AlignmentFlag.AlignLeft)
        presenter.events_changed.connect(self.show_events)
        presenter.notice.connect(self.notice.setText)

    def show_events(self) -> None:
        room = self.width() - MARGINS[0] - MARGINS[2] - 24
        columns = 1 if room < 2 * TILE_WIDTH + 24 else min(3, room // (TILE_WIDTH + 24))
        width = min(900, (room - (columns - 1) * 24) // columns) if columns == 1 else TILE_WIDTH
        shown = (width, [(s.event.id, left_text(s)) for s in self._presenter.on_sale])
        if shown == self._shown:
            return  # the same tiles: a touch on one must not hit a tile being replaced
        self._shown = shown
        for _, tile in self.tiles:
            tile.hide()
            tile.deleteLater()
        self.tiles = []
        for index, summary in enumerate(self._presenter.on_sale):
            tile = self._tile(summary, width)
            self._grid.addWidget(tile, index // columns, index % columns)
            self.tiles.append((summary.event.id, tile))
        if not self._presenter.on_sale:
            self.notice.setText("Looking for events…")

    def resizeEvent(self, event: object) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.show_events()

    def _tile(self, summary: EventSummary, width: int) -> QWidget:
        event = summary.event
        venue = event.venue.name if event.venue else ""
        tile = button("", "kioskTile", self._holder)
        tile.setAccessibleName(event.name)
        tile.setFixedSize(width, 220)
        box = QVBoxLayout(tile)
        box.setContentsMargins(24, 18, 24, 18)
        for text, name in (
            (event.name, "kioskTileName"),
            (when(event), "kioskTileDate"),
            (venue, "kioskTileVenue"),
            (left_text(summary), "kioskTileLeft"),
        ):
            if text:
                line = label(text, name, tile)
                line.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
                box.addWidget(line)
        box.addStretch(1)
        tile.clicked.connect(lambda: self._presenter.choose_event(event.id))
        return tile


class TicketsScreen(QWidget):
    """The chosen event's ticket types with − / + (seated events: the seat map), an optional
    email for the tickets, the total, Pay by card."""

    def __init__(self, presenter: KioskPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._presenter = presenter
        self.heading = title("", self)
        self.date = label("", "kioskLead", self)
        self.date.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rows_box = QWidget(self)
        self._rows = QVBoxLayout(self.rows_box)
        self._rows.setSpacing(12)
        self.steppers: dict[int, Stepper] = {}
        self.map_holder = QVBoxLayout()
        self.seats_line = label("", "kioskText", self)
        self.email = QLineEdit(self)
        self.email.setObjectName("kioskField")
        self.email.setPlaceholderText("Email for your tickets (optional)")
        self.email.setMinimumHeight(72)
        self.email.setAccessibleName("Email for your tickets (optional)")
        self.email.setInputMethodHints(Qt.InputMethodHint.ImhEmailCharactersOnly)
        self.total = label("", "kioskTotal", self)
        self.notice = label("", "kioskNotice", self)
        self.cancel = button("Cancel", "kioskSecondary", self)
        self.pay = button("Pay by card", "kioskPrimary", self)
        self.cancel.clicked.connect(presenter.cancel)
        self.pay.clicked.connect(lambda: presenter.pay(self.email.text()))
        self.email.returnPressed.connect(lambda: presenter.pay(self.email.text()))
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel, 1)
        buttons.addWidget(self.total, 1)
        buttons.addWidget(self.pay, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*MARGINS)
        layout.setSpacing(16)
        layout.addWidget(self.heading)
        layout.addWidget(self.date)
        layout.addWidget(self.rows_box)
        layout.addLayout(self.map_holder, 1)
        layout.addWidget(self.seats_line)
        layout.addStretch(0)
        layout.addWidget(self.email)
        layout.addWidget(self.notice)
        layout.addLayout(buttons)
        self.seat_view: QWidget | None = None
        self._map_due = False
        presenter.tickets_changed.connect(self.refresh)
        presenter.notice.connect(self.notice.setText)

    def refresh(self) -> None:
        presenter = self._presenter
        event = presenter.chosen
        if event is None:
            self._clear()
            return
        self.heading.setText(event.name)
        self.date.setText(when(event) + (f" · {event.venue.name}" if event.venue else ""))
        offered = presenter.offered()
        if set(self.steppers) != {c.id for c in offered}:
            self._build_rows(offered)
        for config in offered:
            most = 10 if config.available is None else min(10, config.available)
            self.steppers[config.id].show_value(presenter.quantities.get(config.id, 0), most=most)
        if presenter.seating is not None and self.seat_view is None and not self._map_due:
            # Made from Qt's event loop, not inside the asyncio task that loaded the event
            # (QtWebEngine crashes when a view is made during a qasync task step).
            self._map_due = True
            QTimer.singleShot(0, self._show_map)
        seats = presenter.seats
        self.seats_line.setVisible(presenter.seating is not None)
        self.seats_line.setText(
            f"Your seats: {', '.join(seats)}" if seats else "Touch the seats you want on the map."
        )
        count = presenter.ticket_count
        noun = "ticket" if count == 1 else "tickets"
        self.total.setText(f"{count} {noun} · {presenter.total_text}" if count else "")
        self.pay.setEnabled(count > 0)

    def _build_rows(self, offered: list) -> None:  # type: ignore[type-arg]
        while self._rows.count():
            item = self._rows.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()  # type: ignore[union-attr]
        self.steppers = {}
        for config in offered:
            row = QFrame(self.rows_box)
            row.setObjectName("kioskRow")
            line = QHBoxLayout(row)
            name = label(config.name, "kioskRowName", row)
            price = label(format_money(config.face_value, config.currency), "kioskRowPrice", row)
            stepper = Stepper(row)
            stepper.changed.connect(lambda delta, cid=config.id: self._presenter.change(cid, delta))
            line.addWidget(name, 3)
            line.addWidget(price, 1)
            line.addWidget(stepper)
            self._rows.addWidget(row)
            self.steppers[config.id] = stepper

    def _show_map(self) -> None:
        from boxoffice.ui.web.seating_view import SeatingView  # QtWebEngine only when seated

        self._map_due = False
        seating = self._presenter.seating
        if seating is None or self.seat_view is not None:
            return
        view = SeatingView(seating, parent=self)
        view.setMinimumHeight(320)
        self.map_holder.addWidget(view)
        self.seat_view = view

    def _clear(self) -> None:
        self.email.clear()
        self.notice.clear()
        if self.seat_view is not None:
            self.seat_view.hide()
            self.seat_view.deleteLater()
            self.seat_view = None


class PayScreen(QWidget):
    """ "Tap your card on the reader" (or the payment page), a refused card's sentence with
    Try again, Cancel; in training the customer's test card to tap."""

    def __init__(self, presenter: KioskPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._presenter = presenter
        self.heading = title("Pay by card", self)
        self.text = label("", "kioskLead", self)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error = label("", "kioskError", self)
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_holder = QVBoxLayout()
        self.training = QFrame(self)
        self.training.setObjectName("kioskTrainingCard")
        self.approved = button("Approved card", "kioskSecondary", self.training)
        self.declined = button("Declined card", "kioskSecondary", self.training)
        card_row = QVBoxLayout(self.training)
        card_row.addWidget(
            label("Training — tap a test card on the reader:", "kioskText", self.training)
        )
        taps = QHBoxLayout()
        taps.addWidget(self.approved)
        taps.addWidget(self.declined)
        card_row.addLayout(taps)
        self.approved.clicked.connect(lambda: presenter.tap_card(APPROVED_CARD))
        self.declined.clicked.connect(lambda: presenter.tap_card(DECLINED_CARD))
        self.again = button("Try again", "kioskPrimary", self)
        self.cancel = button("Cancel", "kioskSecondary", self)
        self.again.clicked.connect(presenter.try_again)
        self.cancel.clicked.connect(presenter.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel, 1)
        buttons.addWidget(self.again, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*MARGINS)
        layout.addWidget(self.heading)
        layout.addStretch(1)
        layout.addWidget(self.text)
        layout.addWidget(self.error)
        layout.addLayout(self.page_holder, 4)
        layout.addStretch(1)
        layout.addWidget(self.training)
        layout.addLayout(buttons)
        self.page: QWidget | None = None
        presenter.pay_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        presenter = self._presenter
        self.text.setText(presenter.pay_text)
        self.error.setText(presenter.pay_error)
        self.error.setVisible(bool(presenter.pay_error))
        self.again.setVisible(bool(presenter.pay_error))
        self.training.setVisible(
            presenter.training and presenter.reader is not None and presenter.reader_waiting
        )

    def show_page(self, page: QWidget) -> None:
        """The card payment page (no reader at this kiosk)."""
        self.drop_page()
        self.page = page
        self.page_holder.addWidget(page)

    def drop_page(self) -> None:
        if self.page is not None:
            self.page.hide()
            self.page.deleteLater()
            self.page = None


class DoneScreen(QWidget):
    """Thank you: the tickets' QR codes, where the tickets are, Done."""

    def __init__(self, presenter: KioskPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = title("Thank you!", self)
        self.text = label("", "kioskLead", self)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.codes_box = QWidget(self)
        self._codes = QGridLayout(self.codes_box)
        self._codes.setSpacing(24)
        self.more = label("", "kioskText", self)
        self.more.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.done = button("Done", "kioskPrimary", self)
        self.done.clicked.connect(presenter.finish)
        self.cells: list[QWidget] = []
        self.payloads: list[str] = []  # what the QR codes shown encode
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*MARGINS)
        layout.addWidget(self.heading)
        layout.addWidget(self.text)
        layout.addStretch(1)
        layout.addWidget(self.codes_box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.more)
        layout.addStretch(1)
        layout.addWidget(self.done)
        presenter.finished.connect(self.show_done)

    def show_done(self, done: Done) -> None:
        where = (
            "Your tickets are printing now; take them from the slot below. You can also show "
            "these codes at the entrance."
            if done.printed
            else "Show these codes at the entrance."
        )
        if done.emailed_to:
            where += f" We also email them to {done.emailed_to}."
        self.text.setText(f"Order {done.order.code}. {where}")
        for cell in self.cells:
            cell.deleteLater()
        self.cells = []
        self.payloads = []
        shown = done.codes[:MAX_CODES]
        size = 300 if len(shown) <= 2 else 240
        columns = min(3, len(shown))
        for index, (name, payload) in enumerate(shown):
            cell = QWidget(self.codes_box)
            box = QVBoxLayout(cell)
            image = QLabel(cell)
            image.setObjectName("kioskQr")
            image.setPixmap(qr_pixmap(payload, size))
            image.setAccessibleName(f"QR code: {payload}")
            image.setProperty("payload", payload)
            box.addWidget(image, 0, Qt.AlignmentFlag.AlignHCenter)
            caption = label(f"Ticket {index + 1} · {name}", "kioskText", cell)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(caption)
            self._codes.addWidget(cell, index // columns, index % columns)
            self.cells.append(cell)
            self.payloads.append(payload)
        extra = len(done.codes) - len(shown)
        self.more.setText(f"+ {extra} more on your printed tickets" if extra > 0 else "")
