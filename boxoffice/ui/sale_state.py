"""Whether an event can be sold now, and what is left: the line the events pane shows."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from boxoffice.sdk.models.events import Event, TicketConfig


class SaleState(enum.StrEnum):
    ON_SALE = "On sale"
    NOT_STARTED = "Sale starts"
    SOLD_OUT = "Sold out"
    SALE_ENDED = "Sale ended"
    NOT_PUBLISHED = "Not published"
    CANCELED = "Canceled"
    OVER = "Over"
    NO_TICKETS = "No tickets"

    @property
    def sellable(self) -> bool:
        return self is SaleState.ON_SALE


@dataclass(frozen=True)
class EventSummary:
    """An event as a row of the events pane."""

    event: Event
    state: SaleState
    remaining: int | None  # None when nothing limits it (or only seats and slots do)
    sale_starts_at: datetime | None = None

    @property
    def status_text(self) -> str:
        """ "On sale · 120 left", "Sale starts 30 Nov 09:00", "Sold out"…"""
        if self.state is SaleState.NOT_STARTED and self.sale_starts_at is not None:
            starts = self.sale_starts_at.astimezone(ZoneInfo(self.event.timezone_name))
            return f"Sale starts {starts:%d %b %H:%M}"  # local time, as the event's own time
        if self.state is SaleState.ON_SALE and self.remaining is not None:
            return f"On sale · {self.remaining} left"
        return self.state.value


def config_on_sale(config: TicketConfig, now: datetime) -> bool:
    """Whether `config` is in its sale window at `now` (stock aside)."""
    started = config.start_sale_at <= now
    ended = config.end_sale_at is not None and config.end_sale_at <= now
    return started and not ended


def summarize(event: Event, now: datetime) -> EventSummary:
    """The sale state of `event` (with its ticket configs expanded) at `now`."""
    configs = event.ticket_config or []
    remaining = _remaining(configs)
    if event.status == "canceled":
        return EventSummary(event, SaleState.CANCELED, remaining)
    if event.status != "published":
        return EventSummary(event, SaleState.NOT_PUBLISHED, remaining)
    if event.end_at <= now:
        return EventSummary(event, SaleState.OVER, remaining)
    if not configs:
        return EventSummary(event, SaleState.NO_TICKETS, remaining)
    selling = [c for c in configs if config_on_sale(c, now)]
    if any(c.available is None or c.available > 0 for c in selling):
        return EventSummary(event, SaleState.ON_SALE, remaining)
    upcoming = sorted(c.start_sale_at for c in configs if c.start_sale_at > now)
    if selling or (remaining == 0 and not upcoming):
        return EventSummary(event, SaleState.SOLD_OUT, remaining)
    if upcoming:
        return EventSummary(event, SaleState.NOT_STARTED, remaining, upcoming[0])
    return EventSummary(event, SaleState.SALE_ENDED, remaining)


def _remaining(configs: list[TicketConfig]) -> int | None:
    counts = [c.available for c in configs if c.available is not None]
    return sum(counts) if counts else None
