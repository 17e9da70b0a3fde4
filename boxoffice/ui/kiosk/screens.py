"""The customer's screens: attract (with the language choice), events, tickets, pay, done.

Each screen says its fixed words in `retranslate()` (at the start and whenever the customer
picks another language); what it shows of the sale is said again by its `refresh`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from boxoffice import i18n
from boxoffice.i18n import _, ngettext
from boxoffice.sdk.models.events import Event
from boxoffice.ui.kiosk.presenter import APPROVED_CARD, DECLINED_CARD, Done, KioskPresenter
from boxoffice.ui.kiosk.qr import qr_pixmap
from boxoffice.ui.kiosk.widgets import Stepper, button, label, title
from boxoffice.ui.sale_state import EventSummary

TILE_WIDTH = 520
TILE_HEIGHT = 220  # at least; taller when its lines need it
MARGINS = (48, 24, 48, 32)  # left, top, right, bottom of every screen
MAX_CODES = 6  # QR codes shown at once; more tickets: the first ones and "+ N more"


def when(event: Event) -> str:
    """ "Sat 12 Dec 2026 · 19:30" in the event's own time (Czech "so 12. 12. 2026 19:30")."""
    start = event.start_at.astimezone(ZoneInfo(event.timezone_name))
    return i18n.moment(start, "%a %d %b %Y · %H:%M", weekday=True)


def left_text(summary: EventSummary) -> str:
    left = summary.remaining
    if left is None:
        return _("Tickets available")
    if left <= 20:
        return ngettext("Only %(count)d left", "Only %(count)d left", left) % {"count": left}
    return ngettext("%(count)d ticket left", "%(count)d tickets left", left) % {"count": left}


class AttractScreen(QWidget):
    """ "Tickets here — touch to start"; any touch or key starts. Below, the languages by their
    own names ("English", "Čeština", "Deutsch"), the one spoken now checked.

    Signals:
        touched(): the customer touched the screen.
        language_chosen(str): the customer touched a language (its code: "cs").
    """

    touched = Signal()
    language_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskAttract")
        self.heading = title("", self)
        self.heading.setObjectName("kioskHero")
        self.sub = label("", "kioskLead", self)
        self.sub.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.start = button("", "kioskPrimary", self)
        self.start.setMinimumWidth(480)
        self.start.clicked.connect(self.touched)
        self.languages: dict[str, QPushButton] = {}
        self._language_group = QButtonGroup(self)
        self._language_group.setExclusive(True)
        choices = QHBoxLayout()
        choices.setSpacing(24)
        choices.addStretch(1)
        for code, name in i18n.LANGUAGES.items():
            choice = button(name, "kioskLanguage", self)  # its own name: never translated
            choice.setCheckable(True)
            choice.setMinimumWidth(240)
            choice.clicked.connect(lambda _checked=False, code=code: self._chosen(code))
            self._language_group.addButton(choice)
            choices.addWidget(choice)
            self.languages[code] = choice
        choices.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*MARGINS)
        layout.addStretch(2)
        layout.addWidget(self.heading)
        layout.addWidget(self.sub)
        layout.addSpacing(48)
        layout.addWidget(self.start, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
        layout.addLayout(choices)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(_("Tickets here"))
        self.sub.setText(_("Buy your tickets in a minute — pay by card."))
        self.start.setText(_("Touch to start"))
        spoken = i18n.current()
        for code, choice in self.languages.items():
            choice.setChecked(code == spoken)
            # Marked by more than its colour: a check before the language spoken now.
            choice.setText(f"✓ {i18n.LANGUAGES[code]}" if code == spoken else i18n.LANGUAGES[code])
            # Read out in the language it names, with the state a screen reader says too.
            choice.setAccessibleName(i18n.LANGUAGES[code])
            choice.setAccessibleDescription(
                _("The language of this kiosk now") if code == spoken else ""
            )

    def _chosen(self, code: str) -> None:
        self.languages[code].setChecked(code == i18n.current())  # until the kiosk speaks it
        self.language_chosen.emit(code)

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
        self.heading = title("", self)
        self.notice = label("", "kioskNotice", self)
        self.tiles: list[tuple[int, QWidget]] = []
        self._shown: tuple[int, list[tuple[int, str]]] | None = None
        self._holder = QWidget()
        self._grid = QGridLayout(self._holder)
        self._grid.setSpacing(24)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self._holder.setObjectName("kioskTiles")
        scroll = self.list_area = QScrollArea(self)
        scroll.setObjectName("kioskScroll")
        scroll.viewport().setObjectName("kioskTiles")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._holder)
        self.back = button("", "kioskSecondary", self)
        self.back.clicked.connect(presenter.cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*MARGINS)
        layout.addWidget(self.heading)
        layout.addWidget(self.notice)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.back, 0, Qt.AlignmentFlag.AlignLeft)
        presenter.events_changed.connect(self.show_events)
        presenter.notice.connect(self.notice.setText)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(_("Choose an event"))
        self.list_area.setAccessibleName(_("Events"))
        self.list_area.setAccessibleDescription(_("Touch an event to choose its tickets"))
        self.back.setText(_("Start over"))
        self.notice.clear()
        self._shown = None  # the tiles again, in the language now
        self.show_events()

    def show_events(self) -> None:
        room = self.width() - MARGINS[0] - MARGINS[2] - 24
        columns = 1 if room < 2 * TILE_WIDTH + 24 else min(3, room // (TILE_WIDTH + 24))
        width = min(900, (room - (columns - 1) * 24) // columns) if columns == 1 else TILE_WIDTH
        width = max(width, TILE_WIDTH // 2)  # not laid out yet: any width, tiles come again
        shown = (
            width,
            [(s.event.id, when(s.event) + left_text(s)) for s in self._presenter.on_sale],
        )
        if shown == self._shown:
            return  # the same tiles: a touch on one must not hit a tile being replaced
        self._shown = shown
        for _event_id, tile in self.tiles:
            tile.hide()
            tile.deleteLater()
        self.tiles = []
        for index, summary in enumerate(self._presenter.on_sale):
            tile = self._tile(summary, width)
            self._grid.addWidget(tile, index // columns, index % columns)
            self.tiles.append((summary.event.id, tile))
        # One height for all: what the tallest tile's lines need (larger text, long names).
        height = max([TILE_HEIGHT, *(self._height_of(tile, width) for _id, tile in self.tiles)])
        for _id, tile in self.tiles:
            tile.setFixedHeight(height)
        looking = _("Looking for events…")
        if not self._presenter.on_sale:
            self.notice.setText(looking)
        elif self.notice.text() == looking:
            self.notice.clear()  # found them

    def resizeEvent(self, event: object) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.show_events()

    @staticmethod
    def _height_of(tile: QWidget, width: int) -> int:
        box = tile.layout()
        if box is None:
            return TILE_HEIGHT
        for line in tile.findChildren(QLabel):
            line.ensurePolished()  # the style sheet's font, before the tile is shown
        return (
            box.totalHeightForWidth(width) if box.hasHeightForWidth() else box.sizeHint().height()
        )

    def _tile(self, summary: EventSummary, width: int) -> QWidget:
        event = summary.event
        venue = event.venue.name if event.venue else ""
        tile = button("", "kioskTile", self._holder)
        lines = (
            (event.name, "kioskTileName"),
            (when(event), "kioskTileDate"),
            (venue, "kioskTileVenue"),
            (left_text(summary), "kioskTileLeft"),
        )
        tile.setAccessibleName(event.name)
        tile.setAccessibleDescription(". ".join(text for text, _name in lines[1:] if text))
        tile.setFixedWidth(width)
        box = QVBoxLayout(tile)
        box.setContentsMargins(24, 18, 24, 18)
        for text, name in lines:
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
        self.email.setMinimumHeight(72)
        self.email.setInputMethodHints(Qt.InputMethodHint.ImhEmailCharactersOnly)
        self.total = label("", "kioskTotal", self)
        self.notice = label("", "kioskNotice", self)
        self.cancel = button("", "kioskSecondary", self)
        self.pay = button("", "kioskPrimary", self)
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
        self.retranslate()

    def retranslate(self) -> None:
        self.email.setPlaceholderText(_("Email for your tickets (optional)"))
        self.email.setAccessibleName(_("Email for your tickets (optional)"))
        self.cancel.setText(_("Cancel"))
        self.pay.setText(_("Pay by card"))
        self._build_rows(self._presenter.offered())  # the prices as the language writes them
        self.refresh()

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
            _("Your seats: %(seats)s") % {"seats": ", ".join(seats)}
            if seats
            else _("Touch the seats you want on the map.")
        )
        count = presenter.ticket_count
        self.total.setText(
            ngettext("%(count)d ticket · %(total)s", "%(count)d tickets · %(total)s", count)
            % {"count": count, "total": presenter.total_text}
            if count
            else ""
        )
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
            price = label(i18n.money(config.face_value, config.currency), "kioskRowPrice", row)
            stepper = Stepper(row)
            stepper.minus.setAccessibleName(
                _("One ticket fewer: %(ticket)s") % {"ticket": config.name}
            )
            stepper.plus.setAccessibleName(
                _("One ticket more: %(ticket)s") % {"ticket": config.name}
            )
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
        self.heading = title("", self)
        self.text = label("", "kioskLead", self)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error = label("", "kioskError", self)
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_holder = QVBoxLayout()
        self.training = QFrame(self)
        self.training.setObjectName("kioskTrainingCard")
        self.approved = button("", "kioskSecondary", self.training)
        self.declined = button("", "kioskSecondary", self.training)
        card_row = QVBoxLayout(self.training)
        self.training_text = label("", "kioskText", self.training)
        card_row.addWidget(self.training_text)
        taps = QHBoxLayout()
        taps.addWidget(self.approved)
        taps.addWidget(self.declined)
        card_row.addLayout(taps)
        self.approved.clicked.connect(lambda: presenter.tap_card(APPROVED_CARD))
        self.declined.clicked.connect(lambda: presenter.tap_card(DECLINED_CARD))
        self.again = button("", "kioskPrimary", self)
        self.cancel = button("", "kioskSecondary", self)
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
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(_("Pay by card"))
        self.approved.setText(_("Approved card"))
        self.declined.setText(_("Declined card"))
        self.training_text.setText(_("Training — tap a test card on the reader:"))
        self.again.setText(_("Try again"))
        self.cancel.setText(_("Cancel"))
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
        self.heading = title("", self)
        self.text = label("", "kioskLead", self)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.codes_box = QWidget(self)
        self._codes = QGridLayout(self.codes_box)
        self._codes.setSpacing(24)
        self.more = label("", "kioskText", self)
        self.more.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.done = button("", "kioskPrimary", self)
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
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(_("Thank you!"))
        self.done.setText(_("Done"))

    def show_done(self, done: Done) -> None:
        sentences = [
            _("Order %(code)s.") % {"code": done.order.code},
            _(
                "Your tickets are printing now; take them from the slot below. You can also "
                "show these codes at the entrance."
            )
            if done.printed
            else _("Show these codes at the entrance."),
        ]
        if done.emailed_to:
            sentences.append(_("We also email them to %(email)s.") % {"email": done.emailed_to})
        self.text.setText(" ".join(sentences))
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
            image.setAccessibleName(_("QR code: %(payload)s") % {"payload": payload})
            image.setProperty("payload", payload)
            box.addWidget(image, 0, Qt.AlignmentFlag.AlignHCenter)
            caption = label(
                _("Ticket %(number)d · %(name)s") % {"number": index + 1, "name": name},
                "kioskText",
                cell,
            )
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(caption)
            self._codes.addWidget(cell, index // columns, index % columns)
            self.cells.append(cell)
            self.payloads.append(payload)
        extra = len(done.codes) - len(shown)
        self.more.setText(
            ngettext(
                "+ %(count)d more on your printed tickets",
                "+ %(count)d more on your printed tickets",
                extra,
            )
            % {"count": extra}
            if extra > 0
            else ""
        )
