"""Staff set up an event over HTTP; the public reads it with `with=` expansion and paging."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from tests.helpers import factories as f
from tests.integration.test_order_rules import assert_error


@pytest.fixture
def staff_client(live_server):
    f.make_event(live_server.state, name="Existing")  # creates the `demo` organizer
    f.make_user(live_server.state, "manager", role="admin")
    with httpx.Client(base_url=live_server.base_url, timeout=10) as client:
        client.headers.update(f.login(client, "manager"))
        yield client


def test_set_up_publish_and_sell(live_server, staff_client):
    now = live_server.clock()
    venue = staff_client.post(
        "/venue/v1/venue",
        json={
            "name": "Stadthalle",
            "city": "Wien",
            "country": "AT",
            "timezone_name": "Europe/Vienna",
        },
    )
    assert venue.status_code == 201, venue.text
    event = staff_client.post(
        "/event/v1/organizer/demo/event",
        json={
            "name": "Jazz night",
            "startAt": (now + timedelta(days=3)).isoformat(),
            "end_at": (now + timedelta(days=3, hours=3)).isoformat(),
            "timezone_name": "Europe/Vienna",
            "venue_id": venue.json()["data"]["id"],
        },
    )
    assert event.status_code == 201, event.text
    event_id = event.json()["data"]["id"]
    assert event.json()["data"]["status"] == "draft"
    assert_error(
        staff_client.post(f"/event/v1/event/{event_id}/publish"), 400, "event_has_no_ticket_configs"
    )
    config = staff_client.post(
        f"/event/v1/event/{event_id}/ticket_config",
        json={
            "name": "Seat",
            "face_value": 19.9,
            "quantity": 50,
            "max_per_order": 6,
            "start_sale_at": (now - timedelta(hours=1)).isoformat(),
        },
    )
    assert config.status_code == 201, config.text
    assert config.json()["data"]["face_value"] == 19.9
    config_id = config.json()["data"]["id"]
    assert_error(
        staff_client.post(
            f"/event/v1/event/{event_id}/ticket_config",
            json={"name": "Bad", "face_value": "1.234", "start_sale_at": now.isoformat()},
        ),
        422,
        "validation_error",
        "face_value",
    )
    discount = staff_client.post(
        f"/event/v1/event/{event_id}/ticket_discount",
        json={
            "name": "Student",
            "type": "percentage",
            "value": 12.5,
            "ticket_config_ids": [config_id],
        },
    )
    assert discount.json()["data"]["value"] == 12.5
    published = staff_client.post(f"/event/v1/event/{event_id}/publish")
    assert published.json()["data"]["status"] == "published"

    with httpx.Client(base_url=live_server.base_url) as public:
        listed = public.get(
            "/event/v1/organizer/demo/event",
            params={"with": "[ticket_config.[ticket_discount],venue]"},
        )
        events = {e["name"]: e for e in listed.json()["data"]}
        jazz = events["Jazz night"]
        assert jazz["venue"]["name"] == "Stadthalle"
        assert jazz["ticket_config"][0]["ticket_discount"][0]["name"] == "Student"
        assert jazz["ticket_config"][0]["available"] == 50
        plain = public.get(f"/event/v1/event/{event_id}").json()["data"]
        assert plain["ticket_config"] is None  # only what `with` asks for
        guest = f.guest(public)
        sold = public.post(
            "/event/v1/order",
            headers=guest,
            json={
                "order_item": [
                    {
                        "quantity": 2,
                        "ticket_config_id": config_id,
                        "ticket_discount": [discount.json()["data"]["id"]],
                    }
                ]
            },
        )
        assert f.money(sold.json()["data"]["total"]) == f.money("34.82")  # 2 × (19.90 − 2.49)
        again = public.get(f"/event/v1/ticket_config/{config_id}").json()["data"]
        assert again["available"] == 48

    lowered = staff_client.patch(f"/event/v1/ticket_config/{config_id}", json={"quantity": 1})
    assert_error(lowered, 400, "quantity_below_sold", "quantity")
    canceled = staff_client.post(f"/event/v1/event/{event_id}/cancel")
    assert canceled.json()["data"]["status"] == "canceled"
    assert_error(staff_client.post(f"/event/v1/event/{event_id}/publish"), 400, "event_canceled")


def test_drafts_are_hidden_from_the_public(live_server, staff_client):
    hidden = f.make_event(live_server.state, name="Secret", status="draft")
    with httpx.Client(base_url=live_server.base_url) as public:
        names = [e["name"] for e in public.get("/event/v1/organizer/demo/event").json()["data"]]
        assert "Secret" not in names and "Existing" in names
        assert_error(public.get(f"/event/v1/event/{hidden['event_id']}"), 404, "event_not_found")
    staff_names = [
        e["name"] for e in staff_client.get("/event/v1/organizer/demo/event").json()["data"]
    ]
    assert "Secret" in staff_names
    public_view = staff_client.get(
        f"/event/v1/event/{hidden['event_id']}", params={"public": "true"}
    )
    assert public_view.status_code == 404


def test_list_paging_search_and_dates(live_server, staff_client):
    # Noon, so that no 3-hour show runs past midnight into the day asked for below.
    # Back to a noon, never forward past the staff token's life (the test may run at 00:10).
    noon = live_server.clock.now.replace(hour=12, minute=0)
    live_server.clock.now = noon if noon <= live_server.clock.now else noon - timedelta(days=1)
    for n in range(5):
        f.make_event(live_server.state, name=f"Show {n}", start_in=timedelta(days=10 + n))
    page = staff_client.get(
        "/event/v1/organizer/demo/event", params={"limit": 2, "offset": 2, "query": "show"}
    ).json()
    assert page["paging"] == {"limit": 2, "offset": 2, "total": 5}
    assert [e["name"] for e in page["data"]] == ["Show 2", "Show 3"]
    day = (live_server.clock() + timedelta(days=11)).date().isoformat()
    on_day = staff_client.get(
        "/event/v1/organizer/demo/event", params={"start_at": f"{day};{day}"}
    ).json()["data"]
    assert [e["name"] for e in on_day] == ["Show 1"]
    organizer = staff_client.get("/account/v1/organizer/demo").json()["data"]
    assert organizer["name"] == "demo"


def test_patch_refuses_null_for_required_fields(live_server, staff_client):
    ids = f.make_event(live_server.state, name="Patchable")
    for field in ("name", "start_at", "timezone_name", "visible"):
        response = staff_client.patch(f"/event/v1/event/{ids['event_id']}", json={field: None})
        assert_error(response, 422, "validation_error", field)
    for field in ("name", "face_value", "start_sale_at"):
        response = staff_client.patch(
            f"/event/v1/ticket_config/{ids['config_ids'][0]}", json={field: None}
        )
        assert_error(response, 422, "validation_error", field)
    unlimited = staff_client.patch(
        f"/event/v1/ticket_config/{ids['config_ids'][0]}", json={"quantity": None}
    )
    assert unlimited.json()["data"]["quantity"] is None


def test_duplicate_discount_and_unknown_venue_are_input_errors(live_server, staff_client):
    ids = f.make_event(live_server.state, name="Discounted")
    body = {"name": "Member", "type": "fixed", "value": 2, "ticket_config_ids": ids["config_ids"]}
    url = f"/event/v1/event/{ids['event_id']}/ticket_discount"
    assert staff_client.post(url, json=body).status_code == 201
    assert_error(staff_client.post(url, json=body), 409, "discount_name_taken", "name")
    assert_error(
        staff_client.patch(f"/event/v1/event/{ids['event_id']}", json={"venue_id": 4242}),
        422,
        "venue_not_found",
        "venue_id",
    )


def test_times_come_back_in_utc_and_lists_know_seat_maps(live_server, staff_client):
    ids = f.make_event(live_server.state, name="Seated")
    f.add_seats(live_server.state, ids["event_id"], rows="A", per_row=3)
    patched = staff_client.patch(
        f"/event/v1/event/{ids['event_id']}",
        json={"start_at": "2031-06-01T20:00:00+02:00", "end_at": "2031-06-01T23:00:00+02:00"},
    )
    assert patched.json()["data"]["start_at"] == "2031-06-01T18:00:00Z"
    listed = staff_client.get("/event/v1/organizer/demo/event").json()["data"]
    seated = {e["name"]: e["has_seat_map"] for e in listed}
    assert seated["Seated"] is True and seated["Existing"] is False
