"""The SDK against a real venue server: the seed's sale, staff cash, and each error class."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import pytest

from boxoffice.sdk import (
    SDK,
    AuthenticationError,
    BadRequestError,
    EventNotPublishedError,
    HoldExpiredError,
    NotFoundError,
    PasswordCredentials,
    RefreshTokenCredentials,
    SaleNotStartedError,
    SeatsUnavailableError,
    SoldOutError,
    ValidationError,
)
from boxoffice.sdk.models.account import CreateUserRequest
from tests.helpers import factories as f

pytestmark = pytest.mark.integration

CONTACT = {"first_name": "John", "last_name": "Doe", "email": "john@example.com"}


@pytest.fixture
async def sdk(live_server) -> AsyncIterator[SDK]:
    async with await SDK.build(live_server.base_url, organizer="demo", max_retries=0) as client:
        yield client


async def test_guest_sale_of_the_seed(live_server, sdk):
    ids = f.make_event(
        live_server.state, configs=[{"name": "Free entry", "face_value": "0", "quantity": 10}]
    )
    await sdk.authorize()
    page = await sdk.event.list_events(limit=10, with_=["ticket_config"])
    assert page.paging.total == 1
    event = page.data[0]
    assert event.id == ids["event_id"] and event.ticket_config is not None
    config = event.ticket_config[0]
    assert config.face_value == Decimal(0)
    order = await sdk.order.create_order(
        [{"quantity": 2, "ticket_config_id": config.id}], format="PDF"
    )
    assert order.status == "draft" and order.total == Decimal(0)
    contact = await sdk.order.create_order_contact(order.id, CONTACT)
    assert contact.email == "john@example.com"
    paid = await sdk.payment.create_payment_intent(order.id)
    assert paid.payment_intent is None and paid.order is not None
    assert paid.order.status == "paid"
    pdf = await sdk.order.download_tickets(order.id)
    assert pdf.startswith(b"%PDF")
    tickets = await sdk.ticket.list_tickets()
    assert len(tickets) == 2
    one = await sdk.order.download_ticket(order.id, tickets[0].id)
    assert one.startswith(b"%PDF")
    again = await sdk.order.get_order(order.id, with_="[event]")
    assert again.event is not None and again.order_contact is not None
    listed = await sdk.order.list_orders()
    assert [o.id for o in listed.data] == [order.id]
    assert (await sdk.account.me()).role == "guest"


async def test_staff_password_login_and_cash(live_server, sdk):
    ids = f.make_event(
        live_server.state, configs=[{"name": "Adult", "face_value": "12.50", "quantity": 10}]
    )
    f.make_user(live_server.state, "cashier", role="staff")
    f.open_shift(live_server.state)
    sdk.counter = f.COUNTER
    await sdk.authorize(PasswordCredentials("cashier", f.PASSWORD))
    assert (await sdk.account.me()).username == "cashier"
    order = await sdk.order.create_order(
        [{"quantity": 2, "ticket_config_id": ids["config_ids"][0]}]
    )
    assert order.total == Decimal("25")
    paid = await sdk.payment.create_payment_intent(order.id, type="cash", tendered=Decimal(50))
    assert paid.payment is not None and paid.payment.change == Decimal(25)
    assert paid.order is not None and paid.order.status == "paid"
    organizer = await sdk.account.get_organizer()
    assert organizer.name == "demo"
    user = await sdk.account.create_user(
        CreateUserRequest(username="buyer", password=f.PASSWORD, email="buyer@example.org")
    )
    assert user.role == "customer"


async def test_expired_token_is_refreshed_once(live_server, sdk):
    f.make_event(live_server.state)
    f.make_user(live_server.state, "clerk", role="staff")
    await sdk.authorize(PasswordCredentials("clerk", f.PASSWORD))
    live_server.clock.advance(hours=2, seconds=1)
    assert (await sdk.account.me()).username == "clerk"  # logged in again on the 401
    refresh = sdk.refresh_token
    assert refresh is not None
    await sdk.authorize(RefreshTokenCredentials(refresh))
    live_server.clock.advance(hours=2, seconds=1)
    assert (await sdk.account.me()).username == "clerk"  # refreshed with the rotated token
    with pytest.raises(AuthenticationError) as caught:
        await sdk.authorize(RefreshTokenCredentials(refresh))  # already used
    assert caught.value.code == "invalid_refresh_token"


async def test_seating_calls(live_server, sdk):
    ids = f.make_event(
        live_server.state,
        configs=[{"name": "Seat", "face_value": "20", "seat_category": "stalls"}],
    )
    labels = f.add_seats(live_server.state, ids["event_id"], rows="A", per_row=4)
    await sdk.authorize()
    token = await sdk.seating.create_hold_token(expires_in_minutes=5)
    assert (await sdk.seating.get_hold_token(token.hold_token)).hold_token == token.hold_token
    held = await sdk.seating.hold(ids["event_id"], labels[:1], token.hold_token)
    assert held.objects == labels[:1]
    best = await sdk.seating.best_available(ids["event_id"], 2, token.hold_token)
    assert len(best.objects) == 2
    released = await sdk.seating.release(ids["event_id"], best.objects, token.hold_token)
    assert released.objects == best.objects
    seat_map = await sdk.seating.get_seat_map(ids["event_id"], hold_token=token.hold_token)
    assert [s.label for s in seat_map.seats if s.held_by_you] == labels[:1]
    other = await SDK.build(live_server.base_url, max_retries=0)
    async with other:
        await other.authorize()
        rival = await other.seating.create_hold_token()
        with pytest.raises(SeatsUnavailableError) as taken:
            await other.seating.hold(ids["event_id"], labels[:1], rival.hold_token)
        assert taken.value.status == 409 and taken.value.code == "seat_taken"
        with pytest.raises(SoldOutError):
            await other.seating.best_available(ids["event_id"], 4, rival.hold_token)
    await sdk.seating.extend_hold_token(token.hold_token, 0)
    with pytest.raises(HoldExpiredError) as expired:
        await sdk.seating.get_hold_token(token.hold_token)
    assert expired.value.status == 404


async def test_domain_errors_from_real_requests(live_server, sdk):
    now = live_server.clock()
    draft = f.make_event(live_server.state, status="draft")
    ids = f.make_event(
        live_server.state,
        configs=[
            {"name": "Few", "face_value": "5", "quantity": 1},
            {"name": "Later", "face_value": "5", "start_sale_at": now + timedelta(days=2)},
        ],
    )
    few, later = ids["config_ids"]
    with pytest.raises(AuthenticationError) as bad_login:
        await sdk.authorize(PasswordCredentials("nobody", "wrong password"))
    assert bad_login.value.code == "invalid_credentials" and bad_login.value.status == 401
    await sdk.authorize()
    with pytest.raises(SoldOutError) as sold_out:
        await sdk.order.create_order([{"quantity": 2, "ticket_config_id": few}])
    assert sold_out.value.code == "sold_out" and sold_out.value.message
    with pytest.raises(SaleNotStartedError):
        await sdk.order.create_order([{"quantity": 1, "ticket_config_id": later}])
    with pytest.raises(EventNotPublishedError) as unpublished:
        await sdk.order.create_order([{"quantity": 1, "ticket_config_id": draft["config_ids"][0]}])
    assert unpublished.value.field == "order_item[0].ticket_config_id"
    with pytest.raises(NotFoundError) as missing:
        await sdk.order.get_order(999_999)
    assert missing.value.code == "order_not_found"
    with pytest.raises(ValidationError) as invalid:
        await sdk.event.list_events(limit=10_000)
    assert invalid.value.status == 422 and invalid.value.field == "limit"


async def test_staff_catalog_set_up(live_server, sdk):
    from boxoffice.sdk.models import events as ev
    from boxoffice.sdk.models.seating import SeatSpec

    f.make_event(live_server.state, name="Opener")  # creates the organizer
    f.make_user(live_server.state, "manager", role="staff")
    await sdk.authorize(PasswordCredentials("manager", f.PASSWORD))
    now = live_server.clock()
    venue = await sdk.event.create_venue(ev.CreateVenueRequest(name="Hall", city="Wien"))
    assert (await sdk.event.get_venue(venue.id)).name == "Hall"
    event = await sdk.event.create_event(
        ev.CreateEventRequest(
            name="Gala",
            start_at=now + timedelta(days=3),
            end_at=now + timedelta(days=3, hours=2),
            venue_id=venue.id,
        )
    )
    assert event.status == "draft"
    config = await sdk.event.create_ticket_config(
        event.id,
        ev.CreateTicketConfigRequest(
            name="Seat",
            face_value=Decimal("19.90"),
            start_sale_at=now - timedelta(hours=1),
            seat_category="main",
        ),
    )
    assert config.face_value == Decimal("19.90")
    config = await sdk.event.update_ticket_config(
        config.id, ev.UpdateTicketConfigRequest(face_value=Decimal("21.50"))
    )
    assert (await sdk.event.get_ticket_config(config.id)).face_value == Decimal("21.50")
    slot = await sdk.event.create_timeslot(
        event.id,
        ev.CreateTimeslotRequest(start_at=now + timedelta(days=3), end_at=now + timedelta(days=4)),
    )
    assert slot.event_id == event.id
    sector = await sdk.event.create_sector(event.id, ev.CreateSectorRequest(name="Left"))
    assert sector.name == "Left"
    discount = await sdk.event.create_ticket_discount(
        event.id,
        ev.CreateDiscountRequest(
            name="Student", type="percentage", value=Decimal(10), ticket_config_ids=[config.id]
        ),
    )
    assert discount.value == Decimal(10)
    seats = [SeatSpec(section="Main", row="A", number=str(n), category="main") for n in (1, 2)]
    assert (await sdk.seating.put_seat_map(event.id, seats)).seats == 2
    renamed = await sdk.event.update_event(event.id, ev.UpdateEventRequest(name="Gala Night"))
    assert renamed.name == "Gala Night"
    assert (await sdk.event.publish_event(event.id)).status == "published"
    full = await sdk.event.get_event(event.id, with_=["venue", "ticket_config.[ticket_discount]"])
    assert full.venue is not None and full.ticket_config is not None
    assert full.has_seat_map
    assert (await sdk.event.unpublish_event(event.id)).status == "draft"
    assert (await sdk.event.cancel_event(event.id)).status == "canceled"
    titles = [e.name async for e in sdk.event.iter_events(page_size=1)]
    assert titles == ["Gala Night", "Opener"]
    me = await sdk.account.me()
    assert (await sdk.account.get_user(me.id)).username == "manager"


async def test_cancel_reconcile_and_transfer(live_server, sdk):
    ids = f.make_event(
        live_server.state, configs=[{"name": "Free", "face_value": "0", "quantity": 10}]
    )
    config = ids["config_ids"][0]
    f.make_user(live_server.state, "boss", role="admin")
    await sdk.authorize(PasswordCredentials("boss", f.PASSWORD))
    await sdk.account.create_user(
        CreateUserRequest(username="alice", password=f.PASSWORD, email="alice@example.org")
    )
    await sdk.authorize()
    draft = await sdk.order.create_order([{"quantity": 1, "ticket_config_id": config}])
    assert (await sdk.payment.reconcile(draft.id)).status == "draft"
    canceled = await sdk.order.cancel_order(draft.id)
    assert canceled.status == "canceled" and canceled.cancel_reason == "canceled"
    secure = await sdk.order.create_order(
        [{"quantity": 2, "ticket_config_id": config}],
        format="SECURE",
        order_contact={"first_name": "Alice", "last_name": "A", "email": "alice@example.org"},
    )
    await sdk.payment.create_payment_intent(secure.id)
    await sdk.authorize(PasswordCredentials("alice", f.PASSWORD))
    wallet = await sdk.ticket.list_tickets(format="SECURE")
    assert len(wallet) == 2 and all(t.qr_payload for t in wallet)
    assert (await sdk.ticket.get_ticket(wallet[0].id)).code == wallet[0].code
    moved = await sdk.ticket.transfer_tickets([wallet[0].id], new_owner_email="bob@example.org")
    assert [t.id for t in moved] == [wallet[0].id] and moved[0].owner_id != wallet[0].owner_id
    assert [t.id for t in await sdk.ticket.list_tickets(ids=[t.id for t in wallet])] == [
        wallet[1].id
    ]


async def test_staff_see_the_mail_queue_and_only_failed_mail_is_retried(live_server, sdk):
    ids = f.make_event(
        live_server.state, configs=[{"name": "Free entry", "face_value": "0", "quantity": 10}]
    )
    f.make_user(live_server.state, "clerk", role="staff")
    await sdk.authorize(PasswordCredentials("clerk", f.PASSWORD))
    order = await sdk.order.create_order(
        [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}], order_contact=CONTACT
    )
    await sdk.payment.create_payment_intent(order.id)  # free: paid at once, mail queued
    queued = await sdk.account.list_mail(status="queued")
    assert [(job.order_id, job.recipient) for job in queued.data] == [
        (order.id, "john@example.com")
    ]
    with pytest.raises(BadRequestError) as refused:
        await sdk.account.retry_mail(queued.data[0].id)
    assert refused.value.code == "mail_not_failed"
    assert (await sdk.account.list_mail(status="failed")).data == []
