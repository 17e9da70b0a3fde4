"""The venue's card readers (Stripe Terminal): register one, list them, pick one per counter.

Stripe keeps each reader and what it is doing; the `card_reader` table keeps the venue's
choices (label, Location, counter). Readers are registered to one Location the server makes
on first use (kept in the `setting` table per live/test mode) unless a Location is named.
A reader registered in the Stripe Dashboard is listed too and taken on when it is picked
for a counter. Staff only (a kiosk may list readers and tap a training card); the test card
(`present`) only in training or Stripe test mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from boxoffice.server.db.models import CardReader, Organizer, Setting
from boxoffice.server.errors import Conflict, InvalidInput, NotFound, RuleViolation
from boxoffice.server.payments.card import provider_call
from boxoffice.server.payments.card_present import reader_refused
from boxoffice.server.services.actors import Actor, require_seller, require_staff
from boxoffice.server.stripe.gateway import PaymentProviderError, ReaderInfo, StripeGateway

LOCATION_SETTING = "stripe.terminal_location.{mode}"
LOCATION_NAME = "Box Office"
BAD_CODE = ("invalid_registration_code", "resource_missing")
NOT_WAITING = ("terminal_reader_action_not_in_progress", "payment_intent_unexpected_state")


@dataclass(frozen=True)
class ReaderView:
    """A reader as listed: the venue's row (None if not taken on) and Stripe's live state
    (None if Stripe could not be asked)."""

    id: str
    row: CardReader | None
    live: ReaderInfo | None


def register(
    session: Session,
    actor: Actor,
    gateway: StripeGateway,
    *,
    code: str,
    label: str,
    counter: str | None,
    location: str | None,
    country: str,
    now: datetime,
) -> ReaderView:
    """Pair a reader by the code it shows, label it, and pick it for `counter` if named."""
    require_staff(actor)
    location_id = location or _location(session, gateway, country)
    try:
        info = gateway.register_reader(code.strip(), label.strip(), location_id)
    except PaymentProviderError as exc:
        if exc.code in BAD_CODE:
            raise InvalidInput(
                "The reader did not accept this registration code. Check the code the reader "
                "shows (it changes after a few minutes) and type it again.",
                code="invalid_registration_code",
                field="registration_code",
            ) from exc
        raise Conflict(f"The card service said: {exc}", code="payment_provider_error") from exc
    row = _take_on(session, info, actor, now)
    if counter:
        _pick(session, row, counter)
    return ReaderView(info.id, row, info)


def list_readers(session: Session, actor: Actor, gateway: StripeGateway) -> list[ReaderView]:
    """Every reader the venue took on and every one Stripe knows, with Stripe's status
    (a kiosk may look: it learns whether its counter has a reader)."""
    require_seller(actor)
    rows = {row.id: row for row in session.scalars(select(CardReader).order_by(CardReader.label))}
    try:
        live = {reader.id: reader for reader in gateway.list_readers()}
    except PaymentProviderError:
        live = {}  # listed from the table; status unknown (None) until Stripe answers
    views = [ReaderView(rid, row, live.get(rid)) for rid, row in rows.items()]
    views += [ReaderView(rid, None, info) for rid, info in live.items() if rid not in rows]
    return views


def update_reader(
    session: Session,
    actor: Actor,
    gateway: StripeGateway,
    reader_id: str,
    *,
    fields: set[str],
    counter: str | None,
    label: str | None,
    now: datetime,
) -> ReaderView:
    """Pick a reader for `counter` (None: for no counter) and/or rename it; a reader only
    Stripe knew is taken on."""
    require_staff(actor)
    info = _retrieve(gateway, reader_id)
    row = session.get(CardReader, reader_id) or _take_on(session, info, actor, now)
    if "label" in fields and label:
        row.label = label.strip()
    if "counter" in fields:
        if counter:
            _pick(session, row, counter)
        else:
            row.counter = None
    session.flush()
    return ReaderView(reader_id, row, info)


def reader_for(session: Session, reader_id: str | None, counter: str | None) -> str:
    """The reader a card_present payment is taken on: the one named (it must be taken on),
    else the one picked for the request's counter."""
    if reader_id:
        if session.get(CardReader, reader_id) is None:
            raise NotFound(
                "That card reader is not registered here. Register it or pick it in Settings.",
                code="reader_not_found",
            )
        return reader_id
    row = (
        session.scalar(select(CardReader).where(CardReader.counter == counter)) if counter else None
    )
    if row is None:
        raise InvalidInput(
            "No card reader is set for this counter. Choose one in Settings, or take the card "
            "another way.",
            code="reader_required",
            field="reader_id",
        )
    return row.id


def present(
    session: Session, actor: Actor, gateway: StripeGateway, reader_id: str, card: str | None
) -> ReaderInfo:
    """Training and Stripe test mode: the customer's card tapped on a simulated reader."""
    require_seller(actor)
    if gateway.livemode:
        raise RuleViolation("Test cards can be tapped only in training mode.", code="training_only")
    if session.get(CardReader, reader_id) is None:
        raise NotFound("That card reader is not registered here.", code="reader_not_found")
    try:
        return gateway.present_payment_method(reader_id, card)
    except PaymentProviderError as exc:
        if exc.code in (
            "terminal_reader_action_not_in_progress",
            "payment_intent_unexpected_state",
        ):
            raise RuleViolation(
                "The reader is not waiting for a card: start the payment first.",
                code="reader_not_waiting",
            ) from exc
        if exc.code == "invalid_number":
            raise InvalidInput(
                "That is not a valid test card number.", code="invalid_number", field="card_number"
            ) from exc
        raise reader_refused(exc) from exc


def _retrieve(gateway: StripeGateway, reader_id: str) -> ReaderInfo:
    try:
        return gateway.retrieve_reader(reader_id)
    except PaymentProviderError as exc:
        if exc.code == "resource_missing":
            raise NotFound("Stripe knows no such card reader.", code="reader_not_found") from exc
        raise Conflict(f"The card service said: {exc}", code="payment_provider_error") from exc


def _take_on(session: Session, info: ReaderInfo, actor: Actor, now: datetime) -> CardReader:
    row = session.get(CardReader, info.id)
    if row is None:
        row = CardReader(
            id=info.id,
            label=info.label or info.id,
            device_type=info.device_type,
            location_id=info.location,
            livemode=info.livemode,
            registered_by=actor.id if actor.id > 0 else None,
            registered_at=now,
        )
        session.add(row)
    else:
        row.label = info.label or row.label
    session.flush()
    return row


def _pick(session: Session, row: CardReader, counter: str) -> None:
    """`row` serves `counter` from now on; a reader that served it before no longer does."""
    session.execute(
        update(CardReader)
        .where(CardReader.counter == counter, CardReader.id != row.id)
        .values(counter=None)
    )
    row.counter = counter
    session.flush()


def _location(session: Session, gateway: StripeGateway, country: str) -> str:
    """The Location readers are registered to: made once per mode, then kept."""
    key = LOCATION_SETTING.format(mode="live" if gateway.livemode else "test")
    kept = session.get(Setting, key)
    if kept is not None:
        return kept.value
    name = session.scalar(select(Organizer.name).order_by(Organizer.id)) or LOCATION_NAME
    location = provider_call(lambda: gateway.create_location(name, {"country": country.upper()}))
    session.add(Setting(key=key, value=location.id))
    session.flush()
    return location.id
