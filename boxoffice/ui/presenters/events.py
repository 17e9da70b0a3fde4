"""The events pane's state: the organizer's events with their sale state, filtered locally.

The first page of events is shown as soon as it arrives and the rest is fetched behind it,
so the list appears as fast with 2,000 events as with 20; until everything is in, the search
box also asks the server (`query=`), so an event not loaded yet is still found.

With a `CatalogCache` the list is shown from disk at once (`show_cached`) and kept there
whenever the server has given all of it; while the server is away the cached list and events stay
browsable, and `offline_changed` says since when they are ("Offline — showing events as of
14:32"). Orders still always go to the server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal

from boxoffice import i18n
from boxoffice.desktop.catalog_cache import CatalogCache
from boxoffice.i18n import _
from boxoffice.sdk import SDK, APIConnectionError, BoxOfficeError, ServerError
from boxoffice.sdk.models.events import Event
from boxoffice.ui.errors import user_message
from boxoffice.ui.sale_state import EventSummary, summarize
from boxoffice.ui.tasks import TaskRunner

Clock = Callable[[], datetime]

LIST_WITH = ["ticket_config", "venue"]
FIRST_PAGE = 100  # events shown before the rest is fetched
PAGE = 500  # the rest, page by page (the server's largest page)
SEARCH_PAGE = 100  # matches asked of the server while the list is not complete
SEARCH_PAUSE = 0.2  # seconds of no typing before the server is asked
DETAIL_WITH = ["ticket_config", "timeslot", "sector", "ticket_discount", "venue"]


class EventsPresenter(QObject):
    """Loads the events (first page first), filters them as the cashier types (on the server
    too while not every event is loaded), loads the chosen one in full.

    Signals:
        events_changed(): `visible` has new rows.
        event_loading(str): the name of the event just chosen; its tickets are loading.
        event_loaded(object): the chosen `Event`, with configs, slots, sectors and discounts.
        event_failed(str): the chosen event could not be loaded; a sentence for the cashier.
        busy_changed(bool): a load is running.
        error(str): a sentence for the cashier.
        offline_changed(str): "Offline — showing events as of 14:32" while what is shown
            comes from the cache because the server is away; "" once it answered again.
    """

    events_changed = Signal()
    event_loading = Signal(str)
    event_loaded = Signal(object)
    event_failed = Signal(str)
    busy_changed = Signal(bool)
    error = Signal(str)
    offline_changed = Signal(str)

    def __init__(
        self, sdk: SDK, *, clock: Clock | None = None, cache: CatalogCache | None = None
    ) -> None:
        super().__init__()
        self._sdk = sdk
        self._cache = cache
        self._as_of: datetime | None = None  # when what is shown came from the server
        self.offline_text = ""
        self._clock = clock or (lambda: datetime.now(UTC))
        self._all: list[EventSummary] = []
        self._complete = False  # `_all` holds every event the server has
        self._searching = ""  # the text the server is being asked about
        self._searches = 0  # server searches started: only the latest one counts
        self._text = ""
        self._day: date | None = None
        self.visible: list[EventSummary] = []
        self.selected: Event | None = None
        self._choices = 0  # events chosen so far: a replaced load is not a failed one
        self.tasks = TaskRunner(on_error=self._failed, on_busy=self.busy_changed.emit)

    def refresh(self) -> None:
        """Reload the event list from the server."""
        self.tasks.run("list", self.load_list())

    @property
    def loading(self) -> bool:
        """The event list is being fetched."""
        return self.tasks.is_running("list")

    @property
    def complete(self) -> bool:
        """Every event the server has is loaded (not only the first pages)."""
        return self._complete

    @property
    def searching(self) -> bool:
        """The server is being asked for events matching the search text."""
        return bool(self._searching)

    def set_filter(self, text: str = "", day: date | None = None) -> None:
        """Show events whose name or venue contains `text` and that take place on `day`; while
        not every event is loaded, the server is asked too (after a short pause in typing)."""
        self._text, self._day = text.strip().lower(), day
        self._apply_filter()
        if self._text and not self._complete:
            self._searching = self._text
            self._searches += 1
            self.tasks.run("search", self._search(self._text, self._searches))
        else:
            self._searching = ""
            self.tasks.cancel("search")

    def select(self, event_id: int) -> None:
        """Load event `event_id` in full for the cart (replaces a load still running); what
        is shown goes at once (`event_loading`), then `event_loaded` or `event_failed`."""
        summary = self.summary_of(event_id)
        name = summary.event.name if summary else _("The event")
        self.selected = None
        self._choices += 1
        self.event_loading.emit(name)
        self.tasks.run("detail", self._load_chosen(event_id, name, self._choices))

    def show_cached(self) -> bool:
        """Show the cached event list at once (before the server answered); False if none."""
        cached = self._cache.load_events() if self._cache is not None else None
        if cached is None:
            return False
        self._show(cached.events)
        self._as_of = cached.saved_at
        return True

    async def load_list(self) -> None:
        """Fetch every event with its ticket configs and venue, showing the first page as
        soon as it arrives and the rest as it comes; rows sellable now first. The server
        away, a list already shown (from the cache) stays, marked offline."""
        try:
            first = await self._sdk.event.list_events(limit=FIRST_PAGE, with_=LIST_WITH)
        except (APIConnectionError, ServerError):
            if not self._all and not self.show_cached():
                raise
            self._set_offline()
            return
        events = list(first.data)
        self._merge(events, complete=len(events) >= first.paging.total)
        self._set_online()
        while not self._complete:
            try:
                page = await self._sdk.event.list_events(
                    limit=PAGE, offset=len(events), with_=LIST_WITH
                )
            except (APIConnectionError, ServerError):
                self._set_offline()  # what came so far stays listed
                return
            events += page.data
            self._merge(events, complete=not page.data or len(events) >= page.paging.total)
        if self._cache is not None:
            self._cache.save_events(events, now=self._clock())

    async def load_detail(self, event_id: int) -> Event:
        """Fetch one event with everything the cart offers (while the server is away: as it
        was cached, to look at; the order still goes to the server)."""
        try:
            event = await self._sdk.event.get_event(event_id, with_=DETAIL_WITH)
        except (APIConnectionError, ServerError):
            cached = self._cache.load_event(event_id) if self._cache is not None else None
            if cached is None:
                raise
            event = cached
            self._set_offline()
        else:
            if self._cache is not None:
                self._cache.save_event(event)
        self.selected = event
        self.event_loaded.emit(event)
        return event

    def _show(self, events: list[Event]) -> None:
        now = self._clock()
        unique = {event.id: event for event in events}  # a page may repeat a row: list moved
        summaries = [summarize(event, now) for event in unique.values()]
        self._all = sorted(summaries, key=lambda s: (not s.state.sellable, s.event.start_at))
        self._apply_filter()

    def _merge(self, events: list[Event], *, complete: bool) -> None:
        """Show `events` from the server: the whole list when `complete`, else over what is
        shown (cached rows or search results stay until the whole list replaces them)."""
        self._complete = complete
        if complete:
            self._searching = ""
            self._searches += 1
            self.tasks.cancel("search")
            self._show(events)
        else:
            self._show([s.event for s in self._all] + events)

    async def _search(self, text: str, number: int) -> None:
        """Ask the server for events matching `text` (after a pause in typing) and list them
        with what is loaded; the local filter then decides what shows. Search `number`
        counts only while no later one started."""
        try:
            await asyncio.sleep(SEARCH_PAUSE)
            found = await self._sdk.event.list_events(
                limit=SEARCH_PAGE, query=text, with_=LIST_WITH
            )
        except (APIConnectionError, ServerError):
            found = None  # offline: the local filter is all there is
        finally:
            if number == self._searches:
                self._searching = ""
        if number != self._searches:
            return
        if found is not None and not self._complete:
            self._show([s.event for s in self._all] + found.data)
        else:
            self._apply_filter()  # "no longer searching" shown with the same rows

    def _set_offline(self) -> None:
        when = _("earlier")
        if self._as_of is not None:
            when = i18n.short_moment(self._as_of.astimezone(), self._clock().astimezone())
        self.offline_text = _("Offline — showing events as of %(when)s") % {"when": when}
        self.offline_changed.emit(self.offline_text)

    def _set_online(self) -> None:
        self._as_of = self._clock()
        if self.offline_text:
            self.offline_text = ""
            self.offline_changed.emit("")

    async def _load_chosen(self, event_id: int, name: str, choice: int) -> None:
        """`load_detail` for choice number `choice`; says so when it fails or is stopped
        (not when a later choice replaced it)."""
        try:
            await self.load_detail(event_id)
        except BoxOfficeError as exc:
            self.event_failed.emit(
                _("%(event)s could not be loaded. %(problem)s Choose it again to retry.")
                % {"event": name, "problem": user_message(exc)}
            )
            raise
        except asyncio.CancelledError:
            if choice == self._choices:
                self.event_failed.emit(
                    _("Loading %(event)s was stopped. Choose it again to load it.")
                    % {"event": name}
                )
            raise

    def stop(self) -> None:
        """Stop loading (Esc): the list shown stays; a chosen event's load says it stopped."""
        self.tasks.cancel()

    async def aclose(self) -> None:
        """Stop every task of this presenter (the app is closing)."""
        await self.tasks.aclose()

    def summary_of(self, event_id: int) -> EventSummary | None:
        return next((s for s in self._all if s.event.id == event_id), None)

    def _apply_filter(self) -> None:
        self.visible = [s for s in self._all if self._matches(s.event)]
        self.events_changed.emit()

    def _matches(self, event: Event) -> bool:
        if self._text:
            venue = event.venue.name if event.venue else ""
            if self._text not in f"{event.name} {venue}".lower():
                return False
        if self._day is not None:
            zone = ZoneInfo(event.timezone_name)
            first = event.start_at.astimezone(zone).date()
            last = event.end_at.astimezone(zone).date()
            return first <= self._day <= last
        return True

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, BoxOfficeError):
            self.error.emit(user_message(exc))
