"""What every ticket output shares: the ticket as printed, the file it becomes, the plugin base.

An output plugin (pretix's `BaseTicketOutput`) turns the tickets of one order into one file:
`render(tickets, options=…)` → `OutputFile(filename, mimetype, data)`. Plugins are pure: the
caller loads everything a ticket shows into a `TicketView` first (event, venue, seat, price…),
so an output never touches the database, the network or the order's state.
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError

from boxoffice import i18n
from boxoffice.server.errors import InvalidInput

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class SeatLabel:
    """Where a seated ticket sits, as the seat map names it."""

    section: str | None
    row: str
    seat: str

    def __str__(self) -> str:
        parts = [self.section] if self.section else []
        return " · ".join([*parts, f"Row {self.row}", f"Seat {self.seat}"])


@dataclass(frozen=True, slots=True)
class TimeslotView:
    """The entry window a timeslotted ticket is valid for (aware datetimes)."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class TicketView:
    """Everything printed on one ticket, loaded by the caller; outputs read nothing else.

    Datetimes are timezone-aware; outputs show them in `timezone_name`, the event's zone.
    `qr_payload` is what the QR code and the Wallet barcode encode, signed by the caller;
    `code` is the ticket's unique, human-readable code printed under it.
    """

    ticket_id: int
    code: str
    qr_payload: str
    event_name: str
    event_start: datetime
    event_end: datetime
    timezone_name: str
    venue_name: str | None
    venue_address: str | None
    ticket_config_name: str
    sector_name: str | None
    seat: SeatLabel | None
    price: Decimal
    currency: str
    order_code: str
    holder_name: str | None
    organizer_name: str
    timeslot: TimeslotView | None = None
    doors_open: datetime | None = None
    # A copy printed again: the outputs mark it "REPRINT n" (None: the original print).
    reprint: int | None = None
    # The order's language ("en", "cs", "de"): labels, money and dates are written in it.
    language: str = i18n.DEFAULT

    def __post_init__(self) -> None:
        moments = [self.event_start, self.event_end, self.doors_open]
        if self.timeslot is not None:
            moments += [self.timeslot.start, self.timeslot.end]
        if any(m is not None and m.utcoffset() is None for m in moments):
            raise ValueError("TicketView datetimes must be timezone-aware")
        ZoneInfo(self.timezone_name)  # raises ZoneInfoNotFoundError for an unknown zone
        if not isinstance(self.price, Decimal):
            raise TypeError("TicketView.price must be a Decimal")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone_name)

    def local(self, moment: datetime) -> datetime:
        """`moment` in the event's timezone."""
        return moment.astimezone(self.tz)


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A rendered file: what an HTTP response or the printer gets."""

    filename: str
    mimetype: str
    data: bytes


class OutputOptions(BaseModel):
    """Base of every output's options; unknown keys are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


OptionsT = TypeVar("OptionsT", bound=OutputOptions)


class TicketOutput(ABC, Generic[OptionsT]):
    """A ticket output plugin: `identifier`, `verbose_name`, capability flags and `render`.

    Subclasses set `options_model` to their pydantic options class; plugin settings are
    models, never UI forms. Dependencies (e.g. the pkpass signing certificate) are
    constructor arguments, given by the composition root.
    """

    identifier: ClassVar[str]
    verbose_name: ClassVar[str]
    #: The output is a printable document (the counter's printer may take it).
    printable: ClassVar[bool] = False
    options_model: type[OptionsT]

    def parse_options(self, raw: Mapping[str, Any] | None = None) -> OptionsT:
        """Options from untrusted input (e.g. query parameters); `InvalidInput` if wrong."""
        try:
            return self.options_model.model_validate(raw or {})
        except ValidationError as exc:
            raise InvalidInput(
                f"Invalid options for the {self.identifier} output: {exc.errors()[0]['msg']}.",
                field="options",
            ) from exc

    @abstractmethod
    def render(
        self, tickets: Sequence[TicketView], *, options: OptionsT | None = None
    ) -> OutputFile:
        """Render `tickets` (in this order) into one file.

        Contract:
        - `tickets` holds at least one ticket, normally all of one order; an empty sequence
          raises `ValueError`. `options=None` means the defaults of `options_model`.
        - Pure: no database, no network, no change to any ticket or order. Whoever records
          "printed" or "downloaded" does it after this returns. Apart from timestamps such
          as a signing time, the same input gives the same file.
        - Safe to call from several threads at once.
        - The filename is ASCII, safe in a `Content-Disposition` header, and ends with the
          extension that matches `mimetype`.
        """


def require_tickets(tickets: Sequence[TicketView]) -> None:
    if not tickets:
        raise ValueError("a ticket output needs at least one ticket")


def order_label(tickets: Sequence[TicketView]) -> str:
    """The order code all `tickets` share, for file names ("" if they span orders)."""
    codes = {t.order_code for t in tickets}
    return safe_filename_part(codes.pop()) if len(codes) == 1 else ""


def safe_filename_part(text: str) -> str:
    """`text` reduced to ASCII letters, digits, `-` and `_` (accents dropped)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_text).strip("-")


# --- formatting shared by the outputs ------------------------------------------------------
# English: fixed names rather than strftime's %a/%b, which follow the process locale. Other
# languages: CLDR's formats through Babel (`boxoffice.i18n`).


def format_date(moment: datetime, language: str = i18n.DEFAULT) -> str:
    """'Sat 12 Dec 2026', cs 'so 12. 12. 2026' (in `moment`'s own timezone)."""
    if language != i18n.DEFAULT:
        return i18n.date(moment, language, weekday=True)
    return f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def format_time(moment: datetime, language: str = i18n.DEFAULT) -> str:
    """'19:30'."""
    if language != i18n.DEFAULT:
        return i18n.time(moment, language)
    return f"{moment.hour:02d}:{moment.minute:02d}"


def format_datetime(moment: datetime, *, zone: bool = True, language: str = i18n.DEFAULT) -> str:
    """'Sat 12 Dec 2026, 19:30 CET', cs 'so 12. 12. 2026 19:30 SEČ', de 'Sa. 12.12.2026,
    19:30 MEZ' (in `moment`'s own timezone)."""
    if language != i18n.DEFAULT:
        text = i18n.date_time(moment, language, weekday=True)
        name = i18n.zone_name(moment, language) if zone else None
    else:
        text = f"{format_date(moment)}, {format_time(moment)}"
        name = moment.tzname() if zone else None
    return f"{text} {name}" if name else text


def format_span(
    start: datetime, end: datetime, *, reference: datetime, language: str = i18n.DEFAULT
) -> str:
    """'14:00–14:30', with the date in front when the start is not on `reference`'s day."""
    span = f"{format_time(start, language)}–{format_time(end, language)}"
    if start.date() == reference.date():
        return span
    return f"{format_date(start, language)}, {span}"
