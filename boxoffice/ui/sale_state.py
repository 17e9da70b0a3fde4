"""Whether an event can be sold now, and what is left: the line the events pane shows."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from boxoffice import i18n
from boxoffice.i18n import N_, _, ngettext
from boxoffice.sdk.models.events import Event, TicketConfig


class SaleState(enum.StrEnum):
    # The values are English; `text` is what the counter shows.
    ON_SALE = N_("On sale")
    NOT_STARTED = N_("Sale starts")
    SOLD_OUT = N_("Sold out")
    SALE_ENDED = N_("Sale ended")
    NOT_PUBLISHED = N_("Not published")
    CANCELED = N_("Canceled")
    OVER = N_("Over")
    NO_TICKETS = N_("No tickets")

    @property
    def sellable(self) -> bool:
        return self is SaleState.ON_SALE

    @property
    def text(self) -> str:
        """The state in the counter's language."""
        return _(self.value)


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
            # local time, as the event's own time
            return _("Sale starts %(when)s") % {"when": i18n.moment(starts, "%d %b %H:%M")}
        if self.state is SaleState.ON_SALE and self.remaining is not None:
            return ngettext(
                "On sale · %(count)d left", "On sale · %(count)d left", self.remaining
            ) % {"count": self.remaining}
        return self.state.text


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
