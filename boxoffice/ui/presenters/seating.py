"""Seat picking for one event: the seat map, a hold token, holds and releases, best available.

The server decides (a hold is all or nothing and may answer `seat_taken`); the presenter
keeps what it was told: the map, the seats this sale holds and the hold's expiry. Seat
actions run one after another, so quick clicks never race each other or make two tokens.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from boxoffice.desktop.catalog_cache import CatalogCache
from boxoffice.i18n import N_, _
from boxoffice.sdk import (
    SDK,
    APIConnectionError,
    BoxOfficeError,
    HoldExpiredError,
    SeatsUnavailableError,
    ServerError,
    SoldOutError,
)
from boxoffice.sdk.models.seating import SeatCategory, SeatMap, SeatObject
from boxoffice.ui.errors import user_message
from boxoffice.ui.tasks import TaskRunner

logger = logging.getLogger(__name__)

HOLD_EXPIRED = N_("The seat hold ran out. Pick the seats again.")


class SeatingPresenter(QObject):
    """The seats of one sale on one event's seat map.

    Signals:
        selection_changed(list labels, str hold_token): the seats this sale holds changed
            (hold_token is "" while there is none).
        pending_changed(): seats waiting for the server changed (`pending_labels`).
        seat_map_changed(): a fresh seat map is in `seat_map`.
        busy_changed(bool): a server call is running.
        error(str): a sentence for the cashier.
    """

    selection_changed = Signal(list, str)
    pending_changed = Signal()
    seat_map_changed = Signal()
    busy_changed = Signal(bool)
    error = Signal(str)

    def __init__(
        self,
        sdk: SDK,
        *,
        event_id: int,
        on_error: Callable[[str], None] | None = None,
        hold_token: str | None = None,
        parent: QObject | None = None,
        cache: CatalogCache | None = None,
    ) -> None:
        super().__init__(parent)
        self._sdk = sdk
        self._cache = cache
        self.offline = False  # the map shown is the cached one: the server is away
        self.event_id = event_id
        self._on_error = on_error
        self._map: SeatMap | None = None
        self._token = hold_token
        self._expires_at: datetime | None = None
        self._selected: list[str] = []
        self._pending: set[str] = set()
        self._lock = asyncio.Lock()
        self._serial = 0
        self._tasks = TaskRunner(on_error=self._fail, on_busy=self.busy_changed.emit)
        self._expiry = QTimer(self)
        self._expiry.setSingleShot(True)
        self._expiry.timeout.connect(self._check_expiry)

    # --- state ------------------------------------------------------------------------

    @property
    def seat_map(self) -> SeatMap | None:
        return self._map

    @property
    def seat_categories(self) -> list[SeatCategory]:
        return list(self._map.categories) if self._map else []

    @property
    def selected_labels(self) -> list[str]:
        return list(self._selected)

    @property
    def pending_labels(self) -> list[str]:
        return sorted(self._pending)

    @property
    def hold_token(self) -> str | None:
        return self._token

    @property
    def expires_at(self) -> datetime | None:
        """When the seats this sale holds are let go, if it holds any."""
        return self._expires_at if self._selected else None

    def seconds_left(self, now: datetime | None = None) -> int | None:
        """Seconds until the hold runs out (for the countdown), or None without seats."""
        if self.expires_at is None:
            return None
        now = now or datetime.now(UTC)
        return max(0, int((self.expires_at - now).total_seconds()))

    def seat(self, label: str) -> SeatObject | None:
        if self._map is None:
            return None
        return next((s for s in self._map.seats if s.label == label), None)

    def category_of(self, label: str) -> SeatCategory | None:
        seat = self.seat(label)
        if seat is None:
            return None
        return next((c for c in self.seat_categories if c.key == seat.category), None)

    def order_items(self) -> list[dict[str, Any]]:
        """The held seats as order items, one per ticket config (a category's first config)."""
        by_config: dict[int, list[str]] = {}
        for label in self._selected:
            category = self.category_of(label)
            if category is None or category.ticket_config_id is None:
                raise ValueError(f"seat {label} has no ticket config on sale")
            by_config.setdefault(category.ticket_config_id, []).append(label)
        return [
            {"ticket_config_id": config, "quantity": len(labels), "selected_seats": labels}
            for config, labels in by_config.items()
        ]

    @property
    def busy(self) -> bool:
        return self._tasks.is_running()

    async def settle(self) -> None:
        """Wait until no server call of this presenter is running."""
        await self._tasks.wait_all()

    # --- intents --------------------------------------------------------------------

    def load(self) -> asyncio.Task[Any]:
        """(Re)load the seat map; with a reused token, the seats it holds become the selection."""
        return self._tasks.run("load", self._load(adopt=True))

    def toggle(self, label: str) -> asyncio.Task[Any] | None:
        """Hold a free seat or release a held one; booked seats are refused at once."""
        if label in self._pending:
            return None
        if label in self._selected:
            return self._action(self._release, [label])
        seat = self.seat(label)
        if seat is not None and seat.status == "booked":
            self._say(_("Seat %(seat)s is already sold.") % {"seat": label})
            return None
        return self._action(self._hold, [label])

    def best_available(
        self, number: int, *, category: str | None = None, accessible: bool = False
    ) -> asyncio.Task[Any]:
        """Replace the selection with the `number` best free seats the server finds."""
        return self._action(self._best, [], number, category, accessible)

    def clear(self) -> asyncio.Task[Any] | None:
        """Release every seat this sale holds (the token stays for more picking)."""
        if not self._selected:
            return None
        return self._action(self._release, list(self._selected))

    def reset(self) -> asyncio.Task[Any]:
        """The sale is cancelled: release everything and forget the token.

        Seat actions already sent finish first, so a hold in flight is released too.
        """
        self._tasks.cancel("load")
        return self._tasks.run("reset", self._reset())

    # --- the work ---------------------------------------------------------------------

    def _action(self, work: Callable[..., Any], labels: list[str], *args: Any) -> asyncio.Task[Any]:
        self._serial += 1
        self._pending.update(labels)
        self.pending_changed.emit()
        return self._tasks.run(f"seat-{self._serial}", self._serialized(work, labels, *args))

    async def _serialized(self, work: Callable[..., Any], labels: list[str], *args: Any) -> None:
        try:
            async with self._lock:
                await work(labels, *args)
        except HoldExpiredError:
            self._selected, self._token, self._expires_at = [], None, None
            self._emit_selection()
            await self._load(adopt=False)
            raise
        except (SeatsUnavailableError, SoldOutError):
            await self._load(adopt=False)
            raise
        finally:
            self._pending.difference_update(labels)
            self.pending_changed.emit()

    async def _ensure_token(self) -> str:
        if self._token is None:
            token = await self._sdk.seating.create_hold_token()
            self._token, self._expires_at = token.hold_token, token.expires_at
        return self._token

    async def _hold(self, labels: list[str]) -> None:
        token = await self._ensure_token()
        result = await self._sdk.seating.hold(self.event_id, labels, token)
        self._selected += [label for label in result.objects if label not in self._selected]
        self._held_until(result.expires_at)

    async def _release(self, labels: list[str]) -> None:
        if self._token is None:
            return
        result = await self._sdk.seating.release(self.event_id, labels, self._token)
        self._selected = [label for label in self._selected if label not in labels]
        self._held_until(result.expires_at)

    async def _best(
        self, _labels: list[str], number: int, category: str | None, accessible: bool
    ) -> None:
        token = await self._ensure_token()
        result = await self._sdk.seating.best_available(
            self.event_id,
            number,
            token,
            categories=None if category is None else [category],
            accessible=accessible,
        )
        previous = [label for label in self._selected if label not in result.objects]
        self._selected = list(result.objects)
        self._held_until(result.expires_at)
        if previous:
            await self._release_quietly(previous, token)
        await self._load(adopt=False)

    async def _reset(self) -> None:
        async with self._lock:
            labels, token = list(self._selected), self._token
            self._selected, self._token, self._expires_at = [], None, None
            self._emit_selection()
            await self._release_quietly(labels, token)

    async def _release_quietly(self, labels: Sequence[str], token: str | None) -> None:
        if labels and token:
            try:
                await self._sdk.seating.release(self.event_id, list(labels), token)
            except BoxOfficeError as exc:  # an order may have claimed them
                logger.info("release of %s not done: %s", ", ".join(labels), exc)

    async def _load(self, *, adopt: bool) -> None:
        try:
            self._map = await self._sdk.seating.get_seat_map(self.event_id, hold_token=self._token)
        except (APIConnectionError, ServerError):
            cached = self._cache.load_seat_map(self.event_id) if self._cache else None
            if cached is None:
                raise
            self._map, self.offline = cached, True  # to look at; holding needs the server
            self.seat_map_changed.emit()
            return
        self.offline = False
        if self._cache is not None:
            self._cache.save_seat_map(self.event_id, _without_holds(self._map))
        if adopt and self._token is not None:
            self._selected = [s.label for s in self._map.seats if s.held_by_you]
            if self._selected and self._expires_at is None:
                held = await self._sdk.seating.get_hold_token(self._token)
                self._expires_at = held.expires_at
            self._emit_selection()
        self.seat_map_changed.emit()

    def _held_until(self, expires_at: datetime) -> None:
        self._expires_at = expires_at
        self._emit_selection()

    def _emit_selection(self) -> None:
        self._expiry.stop()
        left = self.seconds_left()
        if left is not None:
            self._expiry.start(min(left * 1000 + 500, 2**31 - 1))
        self.selection_changed.emit(list(self._selected), self._token or "")

    def _check_expiry(self) -> None:
        left = self.seconds_left()
        if left is None:
            return
        if left > 0:
            self._expiry.start(left * 1000 + 500)
            return
        self._selected, self._token, self._expires_at = [], None, None
        self._emit_selection()
        self._say(_(HOLD_EXPIRED))
        self._tasks.run("load", self._load(adopt=False))

    def _fail(self, exc: BaseException) -> None:
        self._say(user_message(exc))

    def _say(self, text: str) -> None:
        self.error.emit(text)
        if self._on_error is not None:
            self._on_error(text)


def _without_holds(seat_map: SeatMap) -> SeatMap:
    """The map as anyone sees it: this counter's own holds are not kept in the cache."""
    seats = [
        s.model_copy(update={"held_by_you": False}) if s.held_by_you else s for s in seat_map.seats
    ]
    return seat_map.model_copy(update={"seats": seats})
