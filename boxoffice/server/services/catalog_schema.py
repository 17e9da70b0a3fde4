"""The catalog file format `boxoffice-catalog/1`: pydantic models, relative dates, compact forms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

FORMAT = "boxoffice-catalog/1"
SEAT_PITCH = 1.0  # x: neighbouring seats are one unit apart
ROW_PITCH = 1.0  # y: rows are one unit apart; sections are parted by one empty row

_DAYS = re.compile(r"^([+-]\d{1,4})d\s+(\d{1,2}):(\d{2})$")
_NOW = re.compile(r"^now(?:([+-])((?:\d+[dhms])+))?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_PART = re.compile(r"(\d+)([dhms])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


# --- dates -------------------------------------------------------------------------------


def _time_of_day(hour: int, minute: int) -> time:
    if hour > 23 or minute > 59:
        raise ValueError(f"{hour:02d}:{minute:02d} is no time of day")
    return time(hour, minute)


def parse_clock(text: str) -> time:
    """`HH:MM` to a time of day."""
    match = _CLOCK.match(text)
    if not match:
        raise ValueError(f"{text!r} is no time of day (write HH:MM)")
    return _time_of_day(int(match[1]), int(match[2]))


def _check_date_text(text: str) -> str:
    """Accept ISO-8601 with an offset, `+3d 19:30` / `-1d 09:00`, `now`, `now+2h`, `now-30m`."""
    match = _DAYS.match(text)
    if match:
        _time_of_day(int(match[2]), int(match[3]))
        return text
    if _NOW.match(text):
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is no date: write ISO-8601 with an offset, '+3d 19:30', 'now' or 'now+2h'"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset (write e.g. 2025-07-01T20:00:00+02:00)")
    return text


def local_day(now: datetime, tz: ZoneInfo, offset_days: int) -> date:
    """Today in `tz` (as of `now`), moved by `offset_days`."""
    return now.astimezone(tz).date() + timedelta(days=offset_days)


def at_local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """Wall time `clock` on `day` in `tz`, as an aware UTC datetime."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def resolve_date(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """A checked date text to an aware UTC datetime; relative forms count from `now` in `tz`."""
    match = _DAYS.match(text)
    if match:
        clock = _time_of_day(int(match[2]), int(match[3]))
        return at_local(local_day(now, tz, int(match[1])), clock, tz)
    match = _NOW.match(text)
    if match:
        delta = timedelta()
        for amount, unit in _PART.findall(match[2] or ""):
            delta += timedelta(**{_UNITS[unit]: int(amount)})
        return (now - delta if match[1] == "-" else now + delta).astimezone(UTC)
    return datetime.fromisoformat(text).astimezone(UTC)


# --- field types -------------------------------------------------------------------------


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


def _check_clock(text: str) -> str:
    parse_clock(text)
    return text


def _int_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


DateText = Annotated[str, AfterValidator(_check_date_text)]
ClockText = Annotated[str, AfterValidator(_check_clock)]
TimezoneName = Annotated[str, AfterValidator(_check_timezone)]
Currency = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$"), AfterValidator(str.upper)]
Money = Annotated[Decimal, Field(ge=0, max_digits=12)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Key = Annotated[str, Field(min_length=1, max_length=64)]
TaxRate = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
"""A VAT rate in percent ("21", "12.5"), included in the price."""
SeatPart = Annotated[str, BeforeValidator(_int_as_text), Field(min_length=1, max_length=16)]
Quantity = Annotated[int, Field(ge=0)]


class Spec(BaseModel):
    """A part of a catalog file: unknown keys are errors, so a typo never goes unnoticed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- organizers and venues ---------------------------------------------------------------


class OrganizerSpec(Spec):
    name: Key
    display_name: Name | None = None
    currency: Currency = "EUR"
    address: Annotated[str, Field(max_length=1000)] | None = None  # receipts; lines by "\n"
    vat_id: Annotated[str, Field(max_length=40)] | None = None


class VenueSpec(Spec):
    key: Key
    name: Name
    description: str | None = None
    street1: Annotated[str, Field(max_length=200)] | None = None
    street2: Annotated[str, Field(max_length=200)] | None = None
    city: Annotated[str, Field(max_length=100)] | None = None
    zip: Annotated[str, Field(max_length=20)] | None = None
    state: Annotated[str, Field(max_length=100)] | None = None
    country: Annotated[str, Field(min_length=2, max_length=2)] | None = None
    timezone_name: TimezoneName = "UTC"


# --- what an event sells -----------------------------------------------------------------


class TicketConfigSpec(Spec):
    key: Key | None = None  # defaults to the name
    name: Name
    description: str | None = None
    face_value: Money
    currency: Currency | None = None  # defaults to the organizer's
    tax_rate: TaxRate = Decimal(0)  # percent, VAT included in the face value
    quantity: Quantity | None = None  # null: unlimited (only seats, slots or sectors limit it)
    start_sale_at: DateText | None = None  # defaults to the time of the import
    end_sale_at: DateText | None = None
    max_per_order: Annotated[int, Field(ge=1)] | None = None
    seat_category: Key | None = None
    color: Annotated[str, Field(max_length=16)] | None = None

    @property
    def ref(self) -> str:
        return self.key or self.name


class TimeslotSpec(Spec):
    start_at: DateText
    end_at: DateText
    quantity: Quantity | None = None
    ticket_configs: list[Key] = []


class TimeslotSeriesSpec(Spec):
    """Slots on `days` days from `first_day` (0 = today): at `times`, or every N minutes."""

    first_day: int = 0
    days: Annotated[int, Field(ge=1, le=366)] = 1
    times: list[ClockText] | None = None
    opens: ClockText | None = None
    closes: ClockText | None = None
    every_minutes: Annotated[int, Field(ge=1)] | None = None
    duration_minutes: Annotated[int, Field(ge=1, le=24 * 60)]
    quantity: Quantity | None = None
    ticket_configs: list[Key] = []

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        opening = (self.opens, self.closes, self.every_minutes)
        if self.times is not None:
            if any(v is not None for v in opening):
                raise ValueError("give either times or opens/closes/every_minutes, not both")
            if not self.times:
                raise ValueError("times must list at least one HH:MM")
        elif any(v is None for v in opening):
            raise ValueError("give times, or all of opens, closes and every_minutes")
        elif parse_clock(self.opens or "") >= parse_clock(self.closes or ""):
            raise ValueError("closes must come after opens")
        if len(self.starts()) * self.days > 10000:
            raise ValueError("more than 10000 timeslots")
        return self

    def starts(self) -> list[time]:
        """The daily start times; with opening hours, every slot ends by closing time."""
        if self.times is not None:
            return sorted({parse_clock(t) for t in self.times})
        assert self.opens and self.closes and self.every_minutes
        opens, closes = parse_clock(self.opens), parse_clock(self.closes)
        minute, last = opens.hour * 60 + opens.minute, closes.hour * 60 + closes.minute
        result = []
        while minute + self.duration_minutes <= last:
            result.append(time(minute // 60, minute % 60))
            minute += self.every_minutes
        return result


class SectorSpec(Spec):
    name: Name
    quantity: Quantity | None = None
    ticket_configs: list[Key] = []


class DiscountSpec(Spec):
    name: Name
    type: Literal["percentage", "fixed"]
    value: Annotated[Decimal, Field(gt=0, max_digits=12)]  # percent, or major units
    ticket_configs: Annotated[list[Key], Field(min_length=1)]


# --- seat maps ---------------------------------------------------------------------------


class SeatIn(Spec):
    number: SeatPart
    category: Key
    accessible: bool = False
    x: float
    y: float
    label: Key | None = None  # defaults to ROW-NUMBER


class RowSpec(Spec):
    """A row: explicit `seats`, or the compact `count` seats numbered from `first`."""

    label: SeatPart
    seats: Annotated[list[SeatIn], Field(min_length=1)] | None = None
    count: Annotated[int, Field(ge=1, le=1000)] | None = None
    first: int = 1
    category: Key | None = None
    accessible: list[int] = []
    aisle_after: list[int] = []

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if self.seats is not None:
            extra = [
                name
                for name in ("count", "category", "accessible", "aisle_after", "first")
                if name in self.model_fields_set
            ]
            if extra:
                raise ValueError(f"a row with explicit seats takes no {', '.join(extra)}")
        elif self.count is None or self.category is None:
            raise ValueError("give seats, or count and category")
        else:
            numbers = range(self.first, self.first + self.count)
            strays = [n for n in self.accessible if n not in numbers]
            if strays:
                raise ValueError(f"accessible seats {strays} are not in this row")
        return self


class SectionSpec(Spec):
    name: Key
    rows: Annotated[list[RowSpec], Field(min_length=1)]


class SeatMapSpec(Spec):
    sections: Annotated[list[SectionSpec], Field(min_length=1)]


@dataclass(frozen=True)
class PlacedSeat:
    """One seat of a map, compact rows laid out; `path` names where it came from in the file."""

    section: str
    row: str
    number: str
    label: str
    category: str
    accessible: bool
    x: float
    y: float
    path: str


def _row_width(row: RowSpec) -> float:
    assert row.count is not None
    gaps = sum(1 for n in set(row.aisle_after) if row.first <= n < row.first + row.count - 1)
    return (row.count - 1 + gaps) * SEAT_PITCH


def place_seats(seat_map: SeatMapSpec, path: str) -> list[PlacedSeat]:
    """Every seat of the map. Compact rows are centred on the widest one, one row per y unit,
    an empty row between sections; an aisle (`aisle_after`) is one empty seat wide."""
    compact = [r for s in seat_map.sections for r in s.rows if r.seats is None]
    widest = max((_row_width(r) for r in compact), default=0.0)
    seats: list[PlacedSeat] = []
    y = 0.0
    for s_index, section in enumerate(seat_map.sections):
        if s_index:
            y += ROW_PITCH
        for r_index, row in enumerate(section.rows):
            row_path = f"{path}.sections[{s_index}].rows[{r_index}]"
            if row.seats is not None:
                seats.extend(
                    PlacedSeat(
                        section.name,
                        row.label,
                        seat.number,
                        seat.label or f"{row.label}-{seat.number}",
                        seat.category,
                        seat.accessible,
                        seat.x,
                        seat.y,
                        f"{row_path}.seats[{k}]",
                    )
                    for k, seat in enumerate(row.seats)
                )
            else:
                x0 = (widest - _row_width(row)) / 2
                seats.extend(_compact_row(section.name, row, x0, y, row_path))
            y += ROW_PITCH
    return seats


def _compact_row(section: str, row: RowSpec, x0: float, y: float, path: str) -> list[PlacedSeat]:
    assert row.count is not None and row.category is not None
    accessible, aisles = set(row.accessible), set(row.aisle_after)
    result, x = [], x0
    for number in range(row.first, row.first + row.count):
        result.append(
            PlacedSeat(
                section,
                row.label,
                str(number),
                f"{row.label}-{number}",
                row.category,
                number in accessible,
                x,
                y,
                path,
            )
        )
        x += SEAT_PITCH * (2 if number in aisles else 1)
    return result


# --- events and the file -----------------------------------------------------------------


class EventSpec(Spec):
    organizer: Key
    venue: Key | None = None
    name: Name
    description: str | None = None
    status: Literal["draft", "published", "canceled"] = "draft"
    start_at: DateText
    end_at: DateText
    gate_time: DateText | None = None
    timezone_name: TimezoneName | None = None  # defaults to the venue's, else UTC
    visible: bool = True
    chart_key: Annotated[str, Field(max_length=100)] | None = None
    main_image_uri: Annotated[str, Field(max_length=500)] | None = None
    contact_email: Annotated[str, Field(max_length=200)] | None = None
    ticket_configs: list[TicketConfigSpec] = []
    timeslots: list[TimeslotSpec] = []
    timeslot_series: list[TimeslotSeriesSpec] = []
    sectors: list[SectorSpec] = []
    discounts: list[DiscountSpec] = []
    seat_map: SeatMapSpec | None = None


class CatalogSpec(Spec):
    format: Literal["boxoffice-catalog/1"]
    organizers: list[OrganizerSpec] = []
    venues: list[VenueSpec] = []
    events: list[EventSpec] = []
