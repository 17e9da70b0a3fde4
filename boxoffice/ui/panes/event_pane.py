"""The events pane: search, a date filter and the list of events with their sale state."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from boxoffice import i18n
from boxoffice.i18n import _, ngettext
from boxoffice.ui import theme
from boxoffice.ui.announce import announce
from boxoffice.ui.presenters.events import EventsPresenter
from boxoffice.ui.sale_state import EventSummary, SaleState


def _state_colour(state: SaleState) -> str | None:
    """The state column's colour, from the theme (its contrast is tested there)."""
    look = theme.active()
    return {
        SaleState.ON_SALE: look.success_text,
        SaleState.SOLD_OUT: look.error,
        SaleState.NOT_STARTED: look.warning_text,
    }.get(state)


class EventList(QTreeWidget):
    """The list of events; Enter opens the current one.

    Signals:
        activated_event(int): the cashier chose this event.
    """

    activated_event = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None:
            self.activated_event.emit(int(item.data(0, Qt.ItemDataRole.UserRole)))
            return
        super().keyPressEvent(event)


class EventPane(QWidget):
    """Renders `EventsPresenter.visible` and asks it to filter and to load the chosen event."""

    def __init__(self, presenter: EventsPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._presenter = presenter
        self._open_when_found = False  # Enter came while the server was still searching
        self.search = QLineEdit(placeholderText=_("Search events (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(_("Search events"))
        self.day_filter = QCheckBox(_("On"))
        self.day = QDateEdit(QDate.currentDate())
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd d MMM yyyy")
        self.day.setEnabled(False)
        self.day.setAccessibleName(_("Day"))
        self.day.setAccessibleDescription(_("Only the events on this day, when On is ticked"))
        self.day_filter.setAccessibleName(_("Only one day"))
        self.list = EventList()
        self.list.setHeaderLabels([_("Event"), _("When"), _("State")])
        self.list.setAccessibleName(_("Events"))
        self.list.setAccessibleDescription(_("Enter opens the event in the cart"))
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # A name too long for its column keeps its start and its end ("Museum of…Exhibition",
        # not "Muse…"); the tooltip has it whole.
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.list.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.empty = QLabel(_("No events match."))
        self.empty.setVisible(False)
        # "Offline — showing events as of 14:32": what is listed comes from the cache.
        self.offline = QLabel()
        self.offline.setObjectName("offlineNotice")
        self.offline.setWordWrap(True)
        self.offline.setAccessibleDescription(_("Offline"))  # its name is its text: a live region
        self.offline.setVisible(False)
        self._layout()
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._open_first)
        self.day_filter.toggled.connect(self.day.setEnabled)
        self.day_filter.toggled.connect(self._filter)
        self.day.dateChanged.connect(self._filter)
        self.list.itemActivated.connect(self._activated)
        self.list.activated_event.connect(presenter.select)
        presenter.events_changed.connect(self.show_rows)
        presenter.offline_changed.connect(self.show_offline)

    def _layout(self) -> None:
        title = QLabel("<b>" + _("Events") + "</b>")
        dates = QHBoxLayout()
        dates.addWidget(self.day_filter)
        dates.addWidget(self.day, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.offline)
        layout.addWidget(self.search)
        layout.addLayout(dates)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)

    def show_offline(self, text: str) -> None:
        """Say that the list comes from the cache while the server is away ("" hides it)."""
        self.offline.setText(
            _("%(offline)s. Sales wait until the server is back.") % {"offline": text}
            if text
            else ""
        )
        self.offline.setVisible(bool(text))
        if text:
            announce(self.offline, urgent=True)

    def show_rows(self) -> None:
        current = self.current_event_id()
        self.list.clear()
        for summary in self._presenter.visible:
            item = _row(summary)
            self.list.addTopLevelItem(item)
            if summary.event.id == current:
                self.list.setCurrentItem(item)
        first = self.list.topLevelItem(0)
        if self.list.currentItem() is None and first is not None:
            self.list.setCurrentItem(first)
        self.empty.setVisible(not self._presenter.visible)
        if self._open_when_found and not self._presenter.searching:
            self._open_when_found = False
            self._open_first()

    def current_event_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(0, Qt.ItemDataRole.UserRole)) if item else None

    def _filter(self) -> None:
        self._open_when_found = False
        chosen = self.day.date()
        day = (
            date(chosen.year(), chosen.month(), chosen.day())
            if self.day_filter.isChecked()
            else None
        )
        self._presenter.set_filter(self.search.text(), day)

    def _open_first(self) -> None:
        if self._presenter.searching and len(self._presenter.visible) != 1:
            self._open_when_found = True  # the server may find the one event: open it then
            return
        if self.list.topLevelItemCount():
            self.list.setFocus()
            event_id = self.current_event_id()
            if event_id is not None and len(self._presenter.visible) == 1:
                self._presenter.select(event_id)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        self._presenter.select(int(item.data(0, Qt.ItemDataRole.UserRole)))


def _short_state(summary: EventSummary) -> str:
    """The State column's text, short so that the event's name keeps the width ("330 left",
    "From 07 Dec"); the tooltip has the whole sentence ("On sale · 330 left")."""
    if summary.state is SaleState.ON_SALE and summary.remaining is not None:
        return ngettext("%(count)d left", "%(count)d left", summary.remaining) % {
            "count": summary.remaining
        }
    if summary.state is SaleState.NOT_STARTED and summary.sale_starts_at is not None:
        starts = summary.sale_starts_at.astimezone(ZoneInfo(summary.event.timezone_name))
        return _("From %(day)s") % {"day": i18n.moment(starts, "%d %b", with_time=False)}
    return summary.state.text


def _row(summary: EventSummary) -> QTreeWidgetItem:
    event = summary.event
    when = event.start_at.astimezone(ZoneInfo(event.timezone_name))
    item = QTreeWidgetItem([event.name, i18n.moment(when, "%d %b %H:%M"), _short_state(summary)])
    item.setData(0, Qt.ItemDataRole.UserRole, event.id)
    venue = event.venue.name if event.venue else ""
    full = i18n.moment(when, "%A %d %B %Y %H:%M", weekday=True)
    item.setToolTip(0, f"{event.name}\n{full}\n{venue}")
    item.setToolTip(2, summary.status_text)
    colour = _state_colour(summary.state)
    if colour:
        item.setForeground(2, QColor(colour))
    if not summary.state.sellable:
        for column in (0, 1):
            item.setForeground(column, QColor(theme.active().text_muted))
    return item
