"""Seat maps and hold tokens with seats.io's semantics; seated orders with and without tokens."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from boxoffice.server.app import sweep_once
from tests.helpers import factories as f
from tests.integration.test_order_rules import assert_error


@pytest.fixture
def client(live_server):
    with httpx.Client(base_url=live_server.base_url, timeout=10) as client:
        yield client


@pytest.fixture
def hall(live_server) -> dict[str, Any]:
    ids = f.make_event(
        live_server.state,
        name="Hall",
        configs=[
            {"name": "Stalls", "face_value": "40", "quantity": None, "seat_category": "stalls"},
            {"name": "Standing", "face_value": "20", "quantity": 100},
        ],
    )
    f.add_seats(live_server.state, ids["event_id"], rows="AB", per_row=10)
    return ids


def token(client: httpx.Client, headers: dict[str, str], **body: Any) -> str:
    response = client.post("/event/v1/hold_token", headers=headers, json=body or None)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert set(data) == {"hold_token", "expires_at", "expires_in_seconds"}
    return str(data["hold_token"])


def hold(client: httpx.Client, headers, event_id, labels, hold_token) -> httpx.Response:
    return client.post(
        f"/event/v1/event/{event_id}/seat/hold",
        headers=headers,
        json={"objects": labels, "holdToken": hold_token},
    )


def statuses(client, event_id, hold_token=None) -> dict[str, str]:
    params = {"hold_token": hold_token} if hold_token else {}
    seats = client.get(f"/event/v1/event/{event_id}/seat_map", params=params)
    return {s["label"]: s["status"] for s in seats.json()["data"]["seats"]}


def test_token_lifecycle(live_server, client):
    headers = f.guest(client)
    t = token(client, headers)
    read = client.get(f"/event/v1/hold_token/{t}").json()["data"]
    assert read["expires_in_seconds"] == 15 * 60
    extended = client.post(
        f"/event/v1/hold_token/{t}", headers=headers, json={"expires_in_minutes": 60}
    )
    assert extended.json()["data"]["expires_in_seconds"] == 3600
    too_long = client.post(
        f"/event/v1/hold_token/{t}", headers=headers, json={"expires_in_minutes": 120}
    )
    live_server.clock.advance(minutes=30)
    too_long = client.post(
        f"/event/v1/hold_token/{t}", headers=headers, json={"expires_in_minutes": 100}
    )
    assert_error(too_long, 400, "hold_token_extension_too_long")
    expire = client.post(
        f"/event/v1/hold_token/{t}", headers=headers, json={"expires_in_minutes": 0}
    )
    assert expire.json()["data"]["expires_in_seconds"] == 0
    assert_error(client.get(f"/event/v1/hold_token/{t}"), 404, "hold_token_not_found")


def test_hold_release_and_expiry(live_server, client, hall):
    event_id = hall["event_id"]
    alice, bob = f.guest(client), f.guest(client)
    ta, tb = token(client, alice), token(client, bob)
    assert hold(client, alice, event_id, ["A-1", "A-2"], ta).status_code == 200
    seen = statuses(client, event_id, ta)
    assert seen["A-1"] == "reservedByToken" and seen["A-3"] == "free"
    mine = client.get(f"/event/v1/event/{event_id}/seat_map", params={"hold_token": ta})
    assert {s["label"] for s in mine.json()["data"]["seats"] if s["held_by_you"]} == {"A-1", "A-2"}
    # All or nothing: A-2 is Alice's, so Bob gets neither A-2 nor A-3.
    body = assert_error(hold(client, bob, event_id, ["A-3", "A-2"], tb), 409, "seat_taken")
    assert body["details"]["seats"] == ["A-2"]
    assert statuses(client, event_id)["A-3"] == "free"
    assert_error(hold(client, bob, event_id, ["Z-9"], tb), 422, "seat_not_found")
    # Bob cannot release Alice's seat; Alice can.
    released = client.post(
        f"/event/v1/event/{event_id}/seat/release",
        headers=bob,
        json={"objects": ["A-2"], "hold_token": tb},
    )
    assert_error(released, 400, "seats_not_held")
    released = client.post(
        f"/event/v1/event/{event_id}/seat/release",
        headers=alice,
        json={"objects": ["A-2"], "hold_token": ta},
    )
    assert released.status_code == 200
    assert statuses(client, event_id)["A-2"] == "free"
    # Alice's token lapses: A-1 is free again for Bob without any sweep.
    live_server.clock.advance(minutes=15, seconds=1)
    tb = token(client, bob)
    assert hold(client, bob, event_id, ["A-1"], tb).status_code == 200


def test_best_available_holds_adjacent_seats(live_server, client, hall):
    headers = f.guest(client)
    t = token(client, headers)
    response = client.post(
        f"/event/v1/event/{hall['event_id']}/seat/best_available",
        headers=headers,
        json={"number": 4, "hold_token": t},
    )
    assert response.status_code == 200, response.text
    labels = response.json()["data"]["objects"]
    assert labels == ["A-4", "A-5", "A-6", "A-7"]  # front row, centre
    taken = statuses(client, hall["event_id"])
    assert all(taken[label] == "reservedByToken" for label in labels)
    assert_error(
        client.post(
            f"/event/v1/event/{hall['event_id']}/seat/best_available",
            headers=headers,
            json={"number": 17, "hold_token": t},
        ),
        409,
        "sold_out",
    )


def test_order_with_hold_token_takes_exactly_its_seats(live_server, client, hall):
    event_id, stalls = hall["event_id"], hall["config_ids"][0]
    alice = f.guest(client)
    t = token(client, alice)
    hold(client, alice, event_id, ["B-1", "B-2", "B-3"], t)
    mismatch = client.post(
        "/event/v1/order",
        headers=alice,
        json={
            "order_item": [
                {"quantity": 2, "ticket_config_id": stalls, "selected_seats": ["B-1", "B-2"]}
            ],
            "format": "PDF",
            "hold_token": t,
        },
    )
    assert_error(mismatch, 400, "hold_token_mismatch")
    count = client.post(
        "/event/v1/order",
        headers=alice,
        json={
            "order_item": [
                {"quantity": 3, "ticket_config_id": stalls, "selected_seats": ["B-1", "B-2"]}
            ],
            "format": "PDF",
            "hold_token": t,
        },
    )
    assert_error(count, 422, "seat_count_mismatch", "order_item[0].selected_seats")
    missing = client.post(
        "/event/v1/order",
        headers=alice,
        json={"order_item": [{"quantity": 3, "ticket_config_id": stalls}], "format": "PDF"},
    )
    assert_error(missing, 422, "seats_required")
    made = client.post(
        "/event/v1/order",
        headers=alice,
        json={
            "orderItem": [
                {"quantity": 3, "ticket_config_id": stalls, "selectedSeats": ["B-1", "B-2", "B-3"]}
            ],
            "format": "PDF",
            "holdToken": t,
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["data"]["order_item"][0]["selected_seats"] == ["B-1", "B-2", "B-3"]
    assert f.money(made.json()["data"]["total"]) == f.money(120)
    # The order keeps the seats past the token's life, until the order itself expires.
    client.post(f"/event/v1/hold_token/{t}", headers=alice, json={"expires_in_minutes": 1})
    live_server.clock.advance(minutes=5)
    assert statuses(client, event_id)["B-1"] == "reservedByToken"
    bob = f.guest(client)
    tb = token(client, bob)
    assert_error(hold(client, bob, event_id, ["B-1"], tb), 409, "seat_taken")
    live_server.clock.advance(minutes=10, seconds=1)
    # An order's seats stay held until the order is released (here by the sweeper).
    assert statuses(client, event_id)["B-1"] == "reservedByToken"
    sweep_once(live_server.state)
    assert statuses(client, event_id)["B-1"] == "free"
    assert hold(client, bob, event_id, ["B-1"], tb).status_code == 200


def test_seat_rules_without_hold_token(live_server, client, hall):
    event_id = hall["event_id"]
    stalls, standing = hall["config_ids"]
    alice, bob = f.guest(client), f.guest(client)
    free_order = client.post(
        "/event/v1/order",
        headers=alice,
        json={
            "order_item": [
                {"quantity": 2, "ticket_config_id": stalls, "selected_seats": ["A-9", "A-10"]}
            ],
            "format": "PDF",
        },
    )
    assert free_order.status_code == 201, free_order.text
    # Not reserved: the seats stay free until the payment books them.
    assert statuses(client, event_id)["A-9"] == "free"
    t = token(client, bob)
    hold(client, bob, event_id, ["A-8"], t)
    assert_error(
        client.post(
            "/event/v1/order",
            headers=alice,
            json={
                "order_item": [
                    {"quantity": 1, "ticket_config_id": stalls, "selected_seats": ["A-8"]}
                ],
                "format": "PDF",
            },
        ),
        409,
        "seat_taken",
    )
    assert_error(
        client.post(
            "/event/v1/order",
            headers=alice,
            json={
                "order_item": [
                    {"quantity": 1, "ticket_config_id": stalls, "selected_seats": ["Q-99"]}
                ],
                "format": "PDF",
            },
        ),
        422,
        "seat_not_found",
    )
    assert_error(
        client.post(
            "/event/v1/order",
            headers=alice,
            json={
                "order_item": [
                    {"quantity": 1, "ticket_config_id": standing, "selected_seats": ["A-7"]}
                ],
                "format": "PDF",
            },
        ),
        422,
        "seat_not_for_config",
    )
    assert_error(
        client.post(
            "/event/v1/order",
            headers=alice,
            json={
                "order_item": [
                    {"quantity": 2, "ticket_config_id": stalls, "selected_seats": ["A-7", "A-7"]}
                ],
                "format": "PDF",
            },
        ),
        422,
        "duplicate_seat",
    )
    # General admission in the same seated event needs no seats.
    assert (
        client.post(
            "/event/v1/order",
            headers=alice,
            json={"order_item": [{"quantity": 2, "ticket_config_id": standing}], "format": "PDF"},
        ).status_code
        == 201
    )


def test_canceled_order_frees_its_held_seats(live_server, client, hall):
    event_id, stalls = hall["event_id"], hall["config_ids"][0]
    alice = f.guest(client)
    t = token(client, alice)
    hold(client, alice, event_id, ["A-5"], t)
    made = client.post(
        "/event/v1/order",
        headers=alice,
        json={
            "order_item": [{"quantity": 1, "ticket_config_id": stalls, "selected_seats": ["A-5"]}],
            "format": "PDF",
            "hold_token": t,
        },
    )
    client.delete(f"/event/v1/order/{made.json()['data']['id']}", headers=alice)
    assert statuses(client, event_id)["A-5"] == "free"


def test_seat_map_is_staff_only_to_change(live_server, client, hall):
    guest = f.guest(client)
    body = {"seats": [{"section": "S", "row": "A", "number": "1", "category": "stalls"}]}
    assert_error(
        client.put(f"/event/v1/event/{hall['event_id']}/seat_map", headers=guest, json=body),
        403,
        "permission_denied",
    )
    f.make_user(live_server.state, "manager", role="admin")
    staff = f.login(client, "manager")
    duplicate = {"seats": body["seats"] * 2}
    assert_error(
        client.put(f"/event/v1/event/{hall['event_id']}/seat_map", headers=staff, json=duplicate),
        422,
        "duplicate_seat_label",
    )
    replaced = client.put(f"/event/v1/event/{hall['event_id']}/seat_map", headers=staff, json=body)
    assert replaced.json()["data"]["seats"] == 1
