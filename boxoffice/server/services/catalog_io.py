"""Catalog import and export in the `boxoffice-catalog/1` JSON format (see docs/catalog.md)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from boxoffice import i18n
from boxoffice.sdk.models.seating import SeatSpec
from boxoffice.server.db.models import (
    Discount,
    Event,
    Order,
    Organizer,
    Seat,
    Sector,
    TicketConfig,
    Timeslot,
    Venue,
)
from boxoffice.server.errors import DomainError, InvalidInput
from boxoffice.server.services import audit, holds
from boxoffice.server.services import catalog_schema as fmt
from boxoffice.server.services.actors import SYSTEM, Actor
from boxoffice.server.services.money import to_major, to_minor

T = TypeVar("T")


@dataclass
class ImportSummary:
    """What an import did; events that already have orders are skipped and named in `notes`."""

    organizers_created: int = 0
    organizers_updated: int = 0
    venues_created: int = 0
    venues_updated: int = 0
    events_created: int = 0
    events_replaced: int = 0
    events_skipped: int = 0
    ticket_configs: int = 0
    timeslots: int = 0
    sectors: int = 0
    discounts: int = 0
    seats: int = 0
    notes: list[str] = field(default_factory=list)

    def describe(self, language: str = i18n.DEFAULT) -> str:
        """One line for people in `language`, e.g. for the command line."""
        counts = {name: value for name, value in vars(self).items() if isinstance(value, int)}
        line = i18n.translations(language).gettext(
            "organizers: %(organizers_created)d created, %(organizers_updated)d updated; "
            "venues: %(venues_created)d created, %(venues_updated)d updated; "
            "events: %(events_created)d created, %(events_replaced)d replaced, "
            "%(events_skipped)d skipped; %(ticket_configs)d ticket configs, "
            "%(timeslots)d timeslots, %(sectors)d sectors, %(discounts)d discounts, %(seats)d seats"
        )
        return line % counts


# --- import ------------------------------------------------------------------------------


def json_path(loc: Sequence[int | str]) -> str:
    """A pydantic location as a JSON path: ('events', 2, 'name') → `events[2].name`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def parse_catalog(data: Any) -> fmt.CatalogSpec:
    """Validate a parsed JSON document; InvalidInput names the JSON path of the first error."""
    try:
        return fmt.CatalogSpec.model_validate(data)
    except ValidationError as exc:
        errors = [
            {"path": json_path(e["loc"]), "message": e["msg"].removeprefix("Value error, ")}
            for e in exc.errors()
        ]
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InvalidInput(
            f"{first['path']}: {first['message']}{more}",
            code="invalid_catalog",
            field=first["path"],
            details={"errors": errors[:20]},
        ) from None


def _fail(path: str, message: str) -> InvalidInput:
    return InvalidInput(f"{path}: {message}", code="invalid_catalog", field=path)


def import_catalog(
    session: Session, data: Any, *, now: datetime, actor: Actor = SYSTEM
) -> ImportSummary:
    """Import a catalog document, all or nothing.

    It runs in a savepoint inside the caller's transaction: on any error nothing of it stays,
    and InvalidInput names the JSON path (`events[2].ticket_configs[0].face_value`).
    """
    spec = parse_catalog(data)
    with session.begin_nested():
        return _Importer(session, now, actor).run(spec)


def _unique(values: Iterable[tuple[str, str]], what: str) -> None:
    seen: dict[str, str] = {}
    for path, value in values:
        if value in seen:
            raise _fail(path, f"{what} {value!r} is already used at {seen[value]}")
        seen[value] = path


class _Importer:
    def __init__(self, session: Session, now: datetime, actor: Actor) -> None:
        self.session = session
        self.now = now
        self.actor = actor
        self.summary = ImportSummary()
        self.seen_events: dict[tuple[int, str, datetime], str] = {}

    def run(self, spec: fmt.CatalogSpec) -> ImportSummary:
        _unique(((f"organizers[{i}].name", o.name) for i, o in enumerate(spec.organizers)), "name")
        _unique(((f"venues[{i}].key", v.key) for i, v in enumerate(spec.venues)), "key")
        _unique(((f"venues[{i}].name", v.name) for i, v in enumerate(spec.venues)), "name")
        for organizer in spec.organizers:
            self._organizer(organizer)
        venues = {v.key: self._venue(v) for v in spec.venues}
        for i, event in enumerate(spec.events):
            self._event(f"events[{i}]", event, venues)
        self.session.flush()
        return self.summary

    def _organizer(self, spec: fmt.OrganizerSpec) -> None:
        row = self.session.scalar(select(Organizer).where(Organizer.name == spec.name))
        if row is None:
            self.session.add(
                Organizer(
                    name=spec.name,
                    display_name=spec.display_name or spec.name,
                    currency=spec.currency,
                    address=spec.address,
                    vat_id=spec.vat_id,
                )
            )
            self.summary.organizers_created += 1
        else:
            row.display_name = spec.display_name or row.display_name
            row.currency = spec.currency
            row.address = spec.address
            row.vat_id = spec.vat_id
            self.summary.organizers_updated += 1
        self.session.flush()

    def _venue(self, spec: fmt.VenueSpec) -> Venue:
        values = spec.model_dump(exclude={"key"})
        row = self.session.scalar(select(Venue).where(Venue.name == spec.name).order_by(Venue.id))
        if row is None:
            row = Venue(**values)
            self.session.add(row)
            self.summary.venues_created += 1
        else:
            for key, value in values.items():
                setattr(row, key, value)
            self.summary.venues_updated += 1
        self.session.flush()
        return row

    # --- events --------------------------------------------------------------------------

    def _event(self, path: str, spec: fmt.EventSpec, venues: dict[str, Venue]) -> None:
        organizer = self.session.scalar(select(Organizer).where(Organizer.name == spec.organizer))
        if organizer is None:
            raise _fail(f"{path}.organizer", f"no organizer {spec.organizer!r} in file or database")
        venue = None
        if spec.venue is not None:
            if spec.venue not in venues:
                raise _fail(f"{path}.venue", f"no venue with key {spec.venue!r} in this file")
            venue = venues[spec.venue]
        tz_name = spec.timezone_name or (venue.timezone_name if venue else "UTC")
        tz = ZoneInfo(tz_name)
        start, end = self._date(spec.start_at, tz), self._date(spec.end_at, tz)
        if end <= start:
            raise _fail(f"{path}.end_at", "the event must end after it starts")
        if spec.status == "published" and not spec.ticket_configs:
            raise _fail(f"{path}.status", "a published event needs at least one ticket config")
        identity = (organizer.id, spec.name, start)
        if identity in self.seen_events:
            raise _fail(
                path, f"the same event (organizer, name, start) as {self.seen_events[identity]}"
            )
        self.seen_events[identity] = path

        event = self.session.scalar(
            select(Event).where(
                Event.organizer_id == organizer.id, Event.name == spec.name, Event.start_at == start
            )
        )
        if event is not None and self._has_orders(event):
            self.summary.events_skipped += 1
            self.summary.notes.append(f"{path} {spec.name!r}: already has orders, left unchanged")
            return
        if event is None:
            event = Event(organizer_id=organizer.id, created_at=self.now)
            self.session.add(event)
            self.summary.events_created += 1
        else:
            self._clear(event)
            self.summary.events_replaced += 1
        event.venue_id = venue.id if venue else None
        event.name = spec.name
        event.description = spec.description
        event.status = spec.status
        event.start_at, event.end_at = start, end
        event.gate_time = self._date(spec.gate_time, tz) if spec.gate_time else None
        event.timezone_name = tz_name
        event.visible = spec.visible
        event.chart_key = spec.chart_key
        event.main_image_uri = spec.main_image_uri
        event.contact_email = spec.contact_email
        event.updated_at = self.now
        self.session.flush()

        configs = self._configs(path, spec, event, organizer, tz)
        self._timeslots(path, spec, event, configs, tz)
        self._sectors(path, spec, event, configs)
        self._discounts(path, spec, event, configs)
        if spec.seat_map is not None:
            self._seat_map(f"{path}.seat_map", spec.seat_map, event)
        self.session.flush()
        audit.record(
            self.session,
            actor=self.actor,
            action="event.imported",
            object_type="event",
            object_id=event.id,
            now=self.now,
        )

    def _date(self, text: str, tz: ZoneInfo) -> datetime:
        return fmt.resolve_date(text, now=self.now, tz=tz)

    def _has_orders(self, event: Event) -> bool:
        query = select(Order.id).where(Order.event_id == event.id).limit(1)
        return self.session.scalar(query) is not None

    def _clear(self, event: Event) -> None:
        """Remove what the event sells (it has no orders), so the file's version replaces it."""
        for model in (Seat, Discount, Sector, Timeslot, TicketConfig):
            self.session.execute(delete(model).where(model.event_id == event.id))
        self.session.expire(event, ["ticket_configs", "timeslots", "sectors", "discounts"])

    def _configs(
        self, path: str, spec: fmt.EventSpec, event: Event, organizer: Organizer, tz: ZoneInfo
    ) -> dict[str, TicketConfig]:
        _unique(
            ((f"{path}.ticket_configs[{j}].key", c.ref) for j, c in enumerate(spec.ticket_configs)),
            "key",
        )
        configs: dict[str, TicketConfig] = {}
        for j, c in enumerate(spec.ticket_configs):
            where = f"{path}.ticket_configs[{j}]"
            currency = c.currency or organizer.currency
            start_sale = self._date(c.start_sale_at, tz) if c.start_sale_at else self.now
            end_sale = self._date(c.end_sale_at, tz) if c.end_sale_at else None
            if end_sale is not None and end_sale <= start_sale:
                raise _fail(f"{where}.end_sale_at", "the sale must end after it starts")
            config = TicketConfig(
                event_id=event.id,
                name=c.name,
                description=c.description,
                face_value=_minor(c.face_value, currency, f"{where}.face_value"),
                currency=currency,
                tax_rate=int((c.tax_rate * 100).to_integral_value()),
                quantity=c.quantity,
                taken=0,
                start_sale_at=start_sale,
                end_sale_at=end_sale,
                max_per_order=c.max_per_order,
                seat_category=c.seat_category,
                color=c.color,
                position=j,
            )
            self.session.add(config)
            configs[c.ref] = config
        self.summary.ticket_configs += len(configs)
        return configs

    def _timeslots(
        self,
        path: str,
        spec: fmt.EventSpec,
        event: Event,
        configs: dict[str, TicketConfig],
        tz: ZoneInfo,
    ) -> None:
        slots: list[Timeslot] = []
        for j, t in enumerate(spec.timeslots):
            where = f"{path}.timeslots[{j}]"
            start, end = self._date(t.start_at, tz), self._date(t.end_at, tz)
            if end <= start:
                raise _fail(f"{where}.end_at", "the timeslot must end after it starts")
            chosen = _pick(configs, t.ticket_configs, where)
            slots.append(Timeslot(start_at=start, end_at=end, quantity=t.quantity))
            slots[-1].ticket_configs = chosen
        for j, series in enumerate(spec.timeslot_series):
            where = f"{path}.timeslot_series[{j}]"
            chosen = _pick(configs, series.ticket_configs, where)
            starts = series.starts()
            if not starts:
                raise _fail(f"{where}.duration_minutes", "no slot fits between opens and closes")
            for d in range(series.days):
                day = fmt.local_day(self.now, tz, series.first_day + d)
                for clock in starts:
                    start = fmt.at_local(day, clock, tz)
                    end = start + timedelta(minutes=series.duration_minutes)
                    slots.append(Timeslot(start_at=start, end_at=end, quantity=series.quantity))
                    slots[-1].ticket_configs = list(chosen)
        for slot in slots:
            slot.event_id = event.id
            slot.taken = 0
        self.session.add_all(slots)
        self.summary.timeslots += len(slots)

    def _sectors(
        self, path: str, spec: fmt.EventSpec, event: Event, configs: dict[str, TicketConfig]
    ) -> None:
        for j, s in enumerate(spec.sectors):
            chosen = _pick(configs, s.ticket_configs, f"{path}.sectors[{j}]")
            sector = Sector(event_id=event.id, name=s.name, quantity=s.quantity, taken=0)
            sector.ticket_configs = chosen
            self.session.add(sector)
        self.summary.sectors += len(spec.sectors)

    def _discounts(
        self, path: str, spec: fmt.EventSpec, event: Event, configs: dict[str, TicketConfig]
    ) -> None:
        _unique(
            ((f"{path}.discounts[{j}].name", d.name) for j, d in enumerate(spec.discounts)), "name"
        )
        for j, d in enumerate(spec.discounts):
            where = f"{path}.discounts[{j}]"
            chosen = _pick(configs, d.ticket_configs, where)
            if d.type == "percentage":
                if d.value > 100:
                    raise _fail(f"{where}.value", "a percentage discount is at most 100")
                basis_points = d.value * 100
                if basis_points != basis_points.to_integral_value():
                    raise _fail(f"{where}.value", "a percentage has at most two decimal places")
                value = int(basis_points)
            else:
                currencies = {c.currency for c in chosen}
                if len(currencies) != 1:
                    raise _fail(
                        f"{where}.ticket_configs", "a fixed discount needs configs of one currency"
                    )
                value = _minor(d.value, currencies.pop(), f"{where}.value")
            discount = Discount(event_id=event.id, name=d.name, type=d.type, value=value)
            discount.ticket_configs = chosen
            self.session.add(discount)
        self.summary.discounts += len(spec.discounts)

    def _seat_map(self, path: str, spec: fmt.SeatMapSpec, event: Event) -> None:
        seats = fmt.place_seats(spec, path)
        first_at: dict[str, str] = {}
        for seat in seats:
            if seat.label in first_at:
                raise _fail(
                    seat.path,
                    f"seat label {seat.label!r} is already used at {first_at[seat.label]}",
                )
            first_at[seat.label] = seat.path
        specs = [_seat_spec(s) for s in seats]
        self.session.flush()
        try:
            self.summary.seats += holds.put_seat_map(
                self.session, self.actor, event, specs, self.now
            )
        except DomainError as exc:
            raise _fail(path, exc.message) from exc


def _seat_spec(seat: fmt.PlacedSeat) -> SeatSpec:
    """A placed seat as the seat-map request has it. The catalog schema has already checked
    every length and stripped every text, so only SeatSpec's NUL check is left: a seat with a
    NUL is validated in full (and refused as before), the others skip validation, which took
    most of a 50,000-seat import."""
    values: dict[str, Any] = {
        "section": seat.section,
        "row": seat.row,
        "number": seat.number,
        "label": seat.label,
        "category": seat.category,
        "accessible": seat.accessible,
        "x": seat.x,
        "y": seat.y,
    }
    if any(
        "\x00" in text for text in (seat.section, seat.row, seat.number, seat.label, seat.category)
    ):
        return SeatSpec(**values)
    return SeatSpec.model_construct(**values)


def _minor(amount: Decimal, currency: str, path: str) -> int:
    try:
        return to_minor(amount, currency, field=path)
    except InvalidInput as exc:
        raise _fail(path, exc.message) from exc


def _pick(configs: dict[str, T], keys: list[str], path: str) -> list[T]:
    chosen: list[T] = []
    for k, key in enumerate(keys):
        if key not in configs:
            raise _fail(f"{path}.ticket_configs[{k}]", f"no ticket config with key {key!r}")
        if configs[key] not in chosen:
            chosen.append(configs[key])
    return chosen


# --- export ------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


def _keys(names: Iterable[str]) -> list[str]:
    """Readable keys from names, made unique with -2, -3, …"""
    keys: list[str] = []
    for name in names:
        base = _slug(name)[:60]
        key, n = base, 2
        while key in keys:
            key, n = f"{base}-{n}", n + 1
        keys.append(key)
    return keys


def _discount_value(discount: Discount) -> str:
    """Percent (basis points / 100, e.g. "12.5") or major units of the configs' currency."""
    if discount.type == "percentage":
        return format((Decimal(discount.value) / 100).normalize(), "f")
    currency = discount.ticket_configs[0].currency if discount.ticket_configs else "EUR"
    return str(to_major(discount.value, currency))


def export_catalog(session: Session) -> dict[str, Any]:
    """Every organizer, venue and event as a `boxoffice-catalog/1` document.

    Dates are absolute ISO-8601 in each event's time zone, money is a string in major units,
    seat maps list every seat; importing the result into an empty database gives it back.
    """
    organizers = session.scalars(select(Organizer).order_by(Organizer.name)).all()
    venues = session.scalars(select(Venue).order_by(Venue.name, Venue.id)).all()
    venue_keys = dict(zip((v.id for v in venues), _keys(v.name for v in venues), strict=True))
    events = session.scalars(
        select(Event)
        .order_by(Event.start_at, Event.name, Event.id)
        .options(
            selectinload(Event.ticket_configs),
            selectinload(Event.timeslots).selectinload(Timeslot.ticket_configs),
            selectinload(Event.sectors).selectinload(Sector.ticket_configs),
            selectinload(Event.discounts).selectinload(Discount.ticket_configs),
        )
    ).all()
    return {
        "format": fmt.FORMAT,
        "organizers": [
            {
                "name": o.name,
                "display_name": o.display_name,
                "currency": o.currency,
                "address": o.address,
                "vat_id": o.vat_id,
            }
            for o in organizers
        ],
        "venues": [
            {
                "key": venue_keys[v.id],
                "name": v.name,
                "description": v.description,
                "street1": v.street1,
                "street2": v.street2,
                "city": v.city,
                "zip": v.zip,
                "state": v.state,
                "country": v.country,
                "timezone_name": v.timezone_name,
            }
            for v in venues
        ],
        "events": [_export_event(session, e, venue_keys) for e in events],
    }


def _export_event(session: Session, event: Event, venue_keys: dict[int, str]) -> dict[str, Any]:
    tz = ZoneInfo(event.timezone_name)

    def when(moment: datetime | None) -> str | None:
        return moment.astimezone(tz).isoformat() if moment is not None else None

    keys = dict(
        zip(
            (c.id for c in event.ticket_configs),
            _keys(c.name for c in event.ticket_configs),
            strict=True,
        )
    )

    def refs(configs: Iterable[TicketConfig]) -> list[str]:
        return [keys[c.id] for c in sorted(configs, key=lambda c: (c.position, c.id))]

    return {
        "organizer": event.organizer.name,
        "venue": venue_keys.get(event.venue_id) if event.venue_id is not None else None,
        "name": event.name,
        "description": event.description,
        "status": event.status,
        "start_at": when(event.start_at),
        "end_at": when(event.end_at),
        "gate_time": when(event.gate_time),
        "timezone_name": event.timezone_name,
        "visible": event.visible,
        "chart_key": event.chart_key,
        "main_image_uri": event.main_image_uri,
        "contact_email": event.contact_email,
        "ticket_configs": [
            {
                "key": keys[c.id],
                "name": c.name,
                "description": c.description,
                "face_value": str(to_major(c.face_value, c.currency)),
                "currency": c.currency,
                "tax_rate": format((Decimal(c.tax_rate) / 100).normalize(), "f"),
                "quantity": c.quantity,
                "start_sale_at": when(c.start_sale_at),
                "end_sale_at": when(c.end_sale_at),
                "max_per_order": c.max_per_order,
                "seat_category": c.seat_category,
                "color": c.color,
            }
            for c in event.ticket_configs
        ],
        "timeslots": [
            {
                "start_at": when(t.start_at),
                "end_at": when(t.end_at),
                "quantity": t.quantity,
                "ticket_configs": refs(t.ticket_configs),
            }
            for t in event.timeslots
        ],
        "sectors": [
            {"name": s.name, "quantity": s.quantity, "ticket_configs": refs(s.ticket_configs)}
            for s in event.sectors
        ],
        "discounts": [
            {
                "name": d.name,
                "type": d.type,
                "value": _discount_value(d),
                "ticket_configs": refs(d.ticket_configs),
            }
            for d in event.discounts
        ],
        "seat_map": _export_seats(holds.seats_of(session, event.id)),
    }


def _export_seats(seats: Sequence[Seat]) -> dict[str, Any] | None:
    """Explicit seats, grouped by section and row in the order they were first seen."""
    if not seats:
        return None
    sections: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for s in seats:
        seat: dict[str, Any] = {
            "number": s.number,
            "category": s.category,
            "accessible": s.accessible,
            "x": s.x,
            "y": s.y,
        }
        if s.label != f"{s.row}-{s.number}":
            seat["label"] = s.label
        sections.setdefault(s.section, {}).setdefault(s.row, []).append(seat)
    return {
        "sections": [
            {"name": name, "rows": [{"label": row, "seats": list_} for row, list_ in rows.items()]}
            for name, rows in sections.items()
        ]
    }
