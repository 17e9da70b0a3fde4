"""Every rule of order creation, each with its failing case, over real HTTP and SQLite."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from boxoffice.server.db.models import User
from boxoffice.server.services.actors import SYSTEM
from tests.helpers import factories as f


@pytest.fixture
def client(live_server):
    with httpx.Client(base_url=live_server.base_url, timeout=10) as client:
        yield client


def order(
    client: httpx.Client, headers: dict[str, str], items: list[dict[str, Any]], **extra: Any
) -> httpx.Response:
    return client.post(
        "/event/v1/order", headers=headers, json={"order_item": items, "format": "PDF", **extra}
    )


def assert_error(
    response: httpx.Response, status: int, code: str, field: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["errorCode"] == code, body
    assert body["message"]
    if field is not None:
        assert body.get("field") == field, body
    return body


def test_guest_orders_and_total_is_computed(live_server, client):
    ids = f.make_event(
        live_server.state,
        configs=[
            {"name": "Adult", "face_value": "25.50", "quantity": 10},
            {"name": "Child", "face_value": "10", "quantity": 10},
        ],
    )
    headers = f.guest(client)
    response = order(
        client,
        headers,
        [
            {"quantity": 2, "ticket_config_id": ids["config_ids"][0]},
            {"quantity": 1, "ticket_config_id": ids["config_ids"][1]},
        ],
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["status"] == "draft"
    assert f.money(data["total"]) == f.money("61.00")
    assert data["currency"] == "EUR"
    assert len(data["code"]) == 6 and not set(data["code"]) & set("O01IL")
    assert [i["quantity"] for i in data["order_item"]] == [2, 1]
    assert f.get_config(live_server.state, ids["config_ids"][0]).taken == 2


def test_anonymous_caller_is_refused(live_server, client):
    ids = f.make_event(live_server.state)
    response = order(client, {}, [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}])
    assert_error(response, 401, "not_authenticated")


def test_forged_and_expired_tokens_are_refused(live_server, client):
    ids = f.make_event(live_server.state)
    item = [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}]
    forged = {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJpZCI6MX0."}
    assert_error(order(client, forged, item), 401, "invalid_token")
    headers = f.guest(client)
    live_server.clock.advance(hours=2, seconds=1)
    assert_error(order(client, headers, item), 401, "token_expired")


def test_unpublished_event_is_refused(live_server, client):
    ids = f.make_event(live_server.state, status="draft")
    response = order(
        client, f.guest(client), [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}]
    )
    assert_error(response, 400, "event_not_published", "order_item[0].ticket_config_id")


def test_sale_not_started_and_ended(live_server, client):
    now = live_server.clock()
    ids = f.make_event(
        live_server.state,
        configs=[
            {
                "name": "Later",
                "face_value": "5",
                "quantity": 5,
                "start_sale_at": now + timedelta(days=2),
            },
            {
                "name": "Over",
                "face_value": "5",
                "quantity": 5,
                "start_sale_at": now - timedelta(days=3),
                "end_sale_at": now - timedelta(hours=1),
            },
            {"name": "Open", "face_value": "5", "quantity": 5},
        ],
    )
    headers = f.guest(client)
    later, over, open_ = ids["config_ids"]
    body = assert_error(
        order(
            client,
            headers,
            [
                {"quantity": 1, "ticket_config_id": open_},
                {"quantity": 1, "ticket_config_id": later},
            ],
        ),
        400,
        "sale_not_started",
        "order_item[1].ticket_config_id",
    )
    assert "starts on" in body["message"]
    assert_error(
        order(client, headers, [{"quantity": 1, "ticket_config_id": over}]), 400, "sale_ended"
    )
    # Nothing was taken by the refused order.
    assert f.get_config(live_server.state, open_).taken == 0


def test_quantity_limits(live_server, client):
    ids = f.make_event(
        live_server.state,
        configs=[{"name": "Max 4", "face_value": "5", "quantity": 50, "max_per_order": 4}],
    )
    headers = f.guest(client)
    config = ids["config_ids"][0]
    assert_error(
        order(client, headers, [{"quantity": 0, "ticket_config_id": config}]),
        422,
        "validation_error",
        "order_item[0].quantity",
    )
    assert_error(
        order(client, headers, [{"quantity": -3, "ticket_config_id": config}]),
        422,
        "validation_error",
        "order_item[0].quantity",
    )
    assert_error(
        order(
            client,
            headers,
            [
                {"quantity": 3, "ticket_config_id": config},
                {"quantity": 2, "ticket_config_id": config},
            ],
        ),
        422,
        "max_per_order_exceeded",
        "order_item[1].quantity",
    )
    assert order(client, headers, [{"quantity": 4, "ticket_config_id": config}]).status_code == 201


def test_sold_out_names_what_is_left(live_server, client):
    ids = f.make_event(
        live_server.state, configs=[{"name": "Small", "face_value": "5", "quantity": 3}]
    )
    headers = f.guest(client)
    config = ids["config_ids"][0]
    assert order(client, headers, [{"quantity": 2, "ticket_config_id": config}]).status_code == 201
    body = assert_error(
        order(client, headers, [{"quantity": 2, "ticket_config_id": config}]),
        409,
        "sold_out",
        "order_item[0].ticket_config_id",
    )
    assert body["details"] == {"available": 1}
    assert "Only 1" in body["message"]


def test_unknown_config_and_mixed_events(live_server, client):
    first = f.make_event(live_server.state, name="One")
    second = f.make_event(live_server.state, name="Two")
    headers = f.guest(client)
    assert_error(
        order(client, headers, [{"quantity": 1, "ticket_config_id": 999999}]),
        422,
        "ticket_config_not_found",
        "order_item[0].ticket_config_id",
    )
    assert_error(
        order(
            client,
            headers,
            [
                {"quantity": 1, "ticket_config_id": first["config_ids"][0]},
                {"quantity": 1, "ticket_config_id": second["config_ids"][0]},
            ],
        ),
        422,
        "mixed_events",
    )


def _timeslot_event(live_server) -> dict[str, Any]:
    from boxoffice.sdk.models import events as ev
    from boxoffice.server.db.models import Event
    from boxoffice.server.services import catalog

    ids = f.make_event(
        live_server.state,
        configs=[
            {"name": "Adult", "face_value": "12", "quantity": None},
            {"name": "Other", "face_value": "3", "quantity": None},
        ],
    )
    now = live_server.clock()
    with f.write_session(live_server.state) as session:
        event = session.get(Event, ids["event_id"])
        assert event is not None
        slot = catalog.create_timeslot(
            session,
            SYSTEM,
            event,
            ev.CreateTimeslotRequest(
                start_at=now + timedelta(days=1),
                end_at=now + timedelta(days=1, hours=1),
                quantity=3,
                ticket_config_ids=[ids["config_ids"][0]],
            ),
            now,
        )
        past = catalog.create_timeslot(
            session,
            SYSTEM,
            event,
            ev.CreateTimeslotRequest(
                start_at=now - timedelta(hours=2),
                end_at=now - timedelta(hours=1),
                quantity=3,
                ticket_config_ids=[ids["config_ids"][0]],
            ),
            now,
        )
        sector = catalog.create_sector(
            session,
            SYSTEM,
            event,
            ev.CreateSectorRequest(
                name="Front", quantity=2, ticket_config_ids=[ids["config_ids"][1]]
            ),
            now,
        )
        discount = catalog.create_discount(
            session,
            SYSTEM,
            event,
            ev.CreateDiscountRequest(
                name="Student",
                type="percentage",
                value=20,
                ticket_config_ids=[ids["config_ids"][0]],
            ),
            now,
        )
        fixed = catalog.create_discount(
            session,
            SYSTEM,
            event,
            ev.CreateDiscountRequest(
                name="Member", type="fixed", value=5, ticket_config_ids=[ids["config_ids"][1]]
            ),
            now,
        )
        return {
            **ids,
            "slot": slot.id,
            "past": past.id,
            "sector": sector.id,
            "discount": discount.id,
            "fixed": fixed.id,
        }


def test_timeslot_rules_and_capacity(live_server, client):
    ids = _timeslot_event(live_server)
    adult, other = ids["config_ids"]
    headers = f.guest(client)
    assert_error(
        order(client, headers, [{"quantity": 1, "ticket_config_id": adult}]),
        422,
        "timeslot_required",
        "order_item[0].timeslot_id",
    )
    assert_error(
        order(
            client,
            headers,
            [
                {
                    "quantity": 1,
                    "ticket_config_id": other,
                    "timeslot_id": ids["slot"],
                    "sector_id": ids["sector"],
                }
            ],
        ),
        422,
        "timeslot_not_for_config",
        "order_item[0].timeslot_id",
    )
    assert_error(
        order(
            client,
            headers,
            [{"quantity": 1, "ticket_config_id": adult, "timeslot_id": ids["past"]}],
        ),
        400,
        "timeslot_past",
    )
    ok = order(
        client, headers, [{"quantity": 3, "ticket_config_id": adult, "timeslot_id": ids["slot"]}]
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["data"]["order_item"][0]["timeslot_id"] == ids["slot"]
    assert_error(
        order(
            client,
            headers,
            [{"quantity": 1, "ticket_config_id": adult, "timeslot_id": ids["slot"]}],
        ),
        409,
        "sold_out",
        "order_item[0].timeslot_id",
    )


def test_sector_rules_and_capacity(live_server, client):
    ids = _timeslot_event(live_server)
    adult, other = ids["config_ids"]
    headers = f.guest(client)
    assert_error(
        order(client, headers, [{"quantity": 1, "ticket_config_id": other}]),
        422,
        "sector_required",
        "order_item[0].sector_id",
    )
    assert_error(
        order(
            client,
            headers,
            [
                {
                    "quantity": 1,
                    "ticket_config_id": adult,
                    "timeslot_id": ids["slot"],
                    "sector_id": ids["sector"],
                }
            ],
        ),
        422,
        "sector_not_for_config",
        "order_item[0].sector_id",
    )
    assert (
        order(
            client,
            headers,
            [{"quantity": 2, "ticket_config_id": other, "sector_id": ids["sector"]}],
        ).status_code
        == 201
    )
    assert_error(
        order(
            client,
            headers,
            [{"quantity": 1, "ticket_config_id": other, "sector_id": ids["sector"]}],
        ),
        409,
        "sold_out",
        "order_item[0].sector_id",
    )


def test_discounts_apply_only_to_their_configs(live_server, client):
    ids = _timeslot_event(live_server)
    adult, other = ids["config_ids"]
    headers = f.guest(client)
    response = order(
        client,
        headers,
        [
            {
                "quantity": 2,
                "ticket_config_id": adult,
                "timeslot_id": ids["slot"],
                "ticket_discount": [ids["discount"]],
            },
            {
                "quantity": 1,
                "ticket_config_id": other,
                "sector_id": ids["sector"],
                "ticketDiscount": [ids["fixed"]],
            },
        ],
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert f.money(data["order_item"][0]["price"]) == f.money("9.60")
    assert f.money(data["order_item"][1]["price"]) == f.money("0")  # 3 - 5 floors at 0
    assert f.money(data["total"]) == f.money("19.20")
    assert_error(
        order(
            client,
            headers,
            [
                {
                    "quantity": 1,
                    "ticket_config_id": other,
                    "sector_id": ids["sector"],
                    "ticket_discount": [ids["discount"]],
                }
            ],
        ),
        422,
        "discount_not_for_config",
        "order_item[0].ticket_discount",
    )
    assert_error(
        order(
            client,
            headers,
            [
                {
                    "quantity": 1,
                    "ticket_config_id": adult,
                    "timeslot_id": ids["slot"],
                    "ticket_discount": [ids["discount"], ids["discount"]],
                }
            ],
        ),
        422,
        "duplicate_discount",
    )


def test_contact_inline_and_posted(live_server, client):
    ids = f.make_event(live_server.state)
    headers = f.guest(client)
    contact = {"firstName": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}
    created = order(
        client,
        headers,
        [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}],
        order_contact=contact,
    )
    assert created.status_code == 201, created.text
    assert created.json()["data"]["order_contact"]["first_name"] == "Ada"
    order_id = created.json()["data"]["id"]
    bad = client.post(
        f"/event/v1/order/{order_id}/order_contact",
        headers=headers,
        json={"first_name": "Ada", "last_name": "L", "email": "not-an-email"},
    )
    assert_error(bad, 422, "validation_error", "email")
    posted = client.post(
        f"/event/v1/order/{order_id}/order_contact",
        headers=headers,
        json={
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": "grace@example.org",
            "phone": "+43 1 234",
        },
    )
    assert posted.status_code == 200, posted.text
    read = client.get(
        f"/event/v1/order/{order_id}", headers=headers, params={"with": "[order_contact]"}
    )
    assert read.json()["data"]["order_contact"]["email"] == "grace@example.org"
    # Without a contact, an order is fine too (walk-ins at the counter).
    plain = order(client, headers, [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}])
    assert plain.json()["data"]["order_contact"] is None


def test_orders_are_private_but_staff_see_all(live_server, client):
    ids = f.make_event(live_server.state)
    alice, bob = f.guest(client), f.guest(client)
    f.make_user(live_server.state, "clerk", role="staff")
    staff = f.login(client, "clerk")
    made = order(
        client,
        alice,
        [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}],
        order_contact={"first_name": "A", "last_name": "B", "email": "a@example.org"},
    )
    order_id = made.json()["data"]["id"]
    assert_error(client.get(f"/event/v1/order/{order_id}", headers=bob), 404, "order_not_found")
    assert client.get("/event/v1/order", headers=bob).json()["paging"]["total"] == 0
    assert client.get("/event/v1/order", headers=alice).json()["paging"]["total"] == 1
    # Staff see their own orders, and everyone's when they ask (the vendor SDK's filter).
    assert client.get("/event/v1/order", headers=staff).json()["paging"]["total"] == 0
    everyone = {"include_not_owned": "true"}
    listed = client.get(
        "/event/v1/order",
        headers=staff,
        params={"email": "A@example.org", "event_id": ids["event_id"], **everyone},
    )
    assert [o["id"] for o in listed.json()["data"]] == [order_id]
    code = made.json()["data"]["code"]
    by_code = client.get(
        "/event/v1/order", headers=staff, params={"code": code.lower(), **everyone}
    )
    assert by_code.json()["paging"]["total"] == 1
    for query, found in [("a B", 1), (code[2:].lower(), 1), ("example.org", 1), ("zed", 0)]:
        searched = client.get("/event/v1/order", headers=staff, params={"query": query, **everyone})
        assert searched.json()["paging"]["total"] == found, query
    assert_error(
        client.get("/event/v1/order", headers=bob, params=everyone), 403, "permission_denied"
    )
    assert_error(client.delete(f"/event/v1/order/{order_id}", headers=bob), 404, "order_not_found")


def test_cancel_gives_inventory_back(live_server, client):
    ids = f.make_event(live_server.state, configs=[{"name": "S", "face_value": "5", "quantity": 2}])
    headers = f.guest(client)
    config = ids["config_ids"][0]
    made = order(client, headers, [{"quantity": 2, "ticket_config_id": config}])
    order_id = made.json()["data"]["id"]
    assert_error(
        order(client, headers, [{"quantity": 1, "ticket_config_id": config}]), 409, "sold_out"
    )
    canceled = client.delete(f"/event/v1/order/{order_id}", headers=headers)
    assert canceled.json()["data"]["box_office_status"] == "canceled"
    assert_error(
        client.post(f"/event/v1/order/{order_id}/cancel", headers=headers),
        400,
        "order_not_cancelable",
    )
    assert order(client, headers, [{"quantity": 2, "ticket_config_id": config}]).status_code == 201


def test_expired_draft_releases_its_tickets(live_server, client):
    ids = f.make_event(live_server.state, configs=[{"name": "S", "face_value": "5", "quantity": 2}])
    config = ids["config_ids"][0]
    headers = f.guest(client)
    made = order(client, headers, [{"quantity": 2, "ticket_config_id": config}])
    order_id = made.json()["data"]["id"]
    live_server.clock.advance(minutes=14)
    assert_error(
        order(client, headers, [{"quantity": 1, "ticket_config_id": config}]), 409, "sold_out"
    )
    live_server.clock.advance(minutes=1, seconds=1)
    headers = f.guest(client)  # the old token would do too; a new buyer comes along
    assert order(client, headers, [{"quantity": 2, "ticket_config_id": config}]).status_code == 201
    staff_user = f.make_user(live_server.state, "boss", role="admin")
    old = client.get(f"/event/v1/order/{order_id}", headers=f.login(client, staff_user))
    assert old.json()["data"]["box_office_status"] == "canceled"
    assert old.json()["data"]["cancel_reason"] == "expired"


def test_sweeper_expires_drafts(live_server, client):
    from boxoffice.server.app import sweep_once

    ids = f.make_event(live_server.state)
    config = ids["config_ids"][0]
    headers = f.guest(client)
    order(client, headers, [{"quantity": 4, "ticket_config_id": config}])
    assert f.get_config(live_server.state, config).taken == 4
    live_server.clock.advance(minutes=16)
    assert sweep_once(live_server.state) == 1
    assert f.get_config(live_server.state, config).taken == 0


def test_one_currency_per_order(live_server, client):
    ids = f.make_event(
        live_server.state,
        configs=[
            {"name": "Euro", "face_value": "10", "quantity": 5},
            {"name": "Yen", "face_value": "1000", "currency": "JPY", "quantity": 5},
        ],
    )
    assert_error(
        order(
            client,
            f.guest(client),
            [
                {"quantity": 1, "ticket_config_id": ids["config_ids"][0]},
                {"quantity": 1, "ticket_config_id": ids["config_ids"][1]},
            ],
        ),
        422,
        "mixed_currencies",
    )


def test_an_event_that_is_over_is_not_sold(live_server, client):
    ids = f.make_event(live_server.state, start_in=timedelta(hours=-5))
    assert_error(
        order(client, f.guest(client), [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}]),
        400,
        "event_over",
    )


def test_every_seated_item_needs_seats(live_server, client):
    ids = f.make_event(
        live_server.state,
        configs=[
            {"name": "Stalls", "face_value": "40", "quantity": None, "seat_category": "stalls"},
            {"name": "Balcony", "face_value": "30", "quantity": None, "seat_category": "balcony"},
        ],
    )
    f.add_seats(live_server.state, ids["event_id"], rows="A", per_row=4)
    stalls, balcony = ids["config_ids"]
    response = order(
        client,
        f.guest(client),
        [
            {"quantity": 1, "ticket_config_id": stalls, "selected_seats": ["A-1"]},
            {"quantity": 1, "ticket_config_id": balcony},
        ],
    )
    assert_error(response, 422, "seats_required", "order_item[1].selected_seats")


def test_order_read_embeds_the_event_on_request(live_server, client):
    ids = f.make_event(live_server.state, name="Embedded")
    headers = f.guest(client)
    made = order(
        client,
        headers,
        [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}],
        hold_token="ignored-without-seats",
    )
    assert made.json()["data"]["hold_token"] is None
    order_id = made.json()["data"]["id"]
    plain = client.get(f"/event/v1/order/{order_id}", headers=headers).json()["data"]
    assert plain["event"] is None
    embedded = client.get(
        f"/event/v1/order/{order_id}", headers=headers, params={"with": "[event.[ticket_config]]"}
    ).json()["data"]
    assert embedded["event"]["name"] == "Embedded"
    assert embedded["event"]["ticket_config"][0]["id"] == ids["config_ids"][0]


@pytest.mark.parametrize("who", ["named staff", "staff without a name", "guest"])
def test_the_answer_to_a_new_order_is_what_reading_it_says(live_server, who):
    """The create answer is built without reading the order back (its cashier and owner come
    from the caller's account): it must say what `GET` says."""
    ids = f.make_event(live_server.state)
    with httpx.Client(base_url=live_server.base_url) as client:
        if who == "guest":
            headers = f.guest(client)
        else:
            f.make_user(live_server.state, "seller")
            if who == "named staff":
                with f.write_session(live_server.state) as session:
                    session.execute(
                        update(User)
                        .where(User.username == "seller")
                        .values(first_name="Ada", last_name="Lovelace")
                    )
            headers = f.login(client, "seller")
        made = order(client, headers, [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}])
        assert made.status_code == 201, made.text
        read = client.get(f"/event/v1/order/{made.json()['data']['id']}", headers=headers)
    assert made.json() == read.json()
    cashier = {"named staff": "Ada Lovelace", "staff without a name": "seller", "guest": None}
    assert made.json()["data"].get("cashier") == cashier[who]
