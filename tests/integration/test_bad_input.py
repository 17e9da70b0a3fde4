"""Malformed requests get a 4xx JSON error naming the problem, and change nothing."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from boxoffice.server.db.models import Order
from tests.helpers import factories as f

BAD_ORDER_BODIES: list[tuple[str, int, str]] = [
    ("not json at all", 400, "invalid_json"),
    ('{"order_item": [', 400, "invalid_json"),
    ("[]", 400, "invalid_body"),
    ('"a string"', 400, "invalid_body"),
    ("{}", 422, "validation_error"),
    ('{"order_item": null}', 422, "validation_error"),
    ('{"order_item": []}', 422, "validation_error"),
    ('{"order_item": [{}]}', 422, "validation_error"),
    ('{"order_item": [{"quantity": "two", "ticket_config_id": CONFIG}]}', 422, "validation_error"),
    ('{"order_item": [{"quantity": 1e400, "ticket_config_id": CONFIG}]}', 422, "validation_error"),
    (
        '{"order_item": [{"quantity": 99999999999999999999, "ticket_config_id": CONFIG}]}',
        422,
        "validation_error",
    ),
    ('{"order_item": [{"quantity": 1, "ticket_config_id": -1}]}', 422, "validation_error"),
    (
        '{"order_item": [{"quantity": 1, "ticket_config_id": CONFIG}], "format": "GIF"}',
        422,
        "validation_error",
    ),
    (
        '{"order_item": [{"quantity": 1, "ticket_config_id": CONFIG, "selected_seats": "A-1"}]}',
        422,
        "validation_error",
    ),
    (
        '{"order_item": [{"quantity": 1, "ticket_config_id": CONFIG, "ticket_discount": [null]}]}',
        422,
        "validation_error",
    ),
    (
        '{"order_item": [{"quantity": 1, "ticket_config_id": CONFIG}], "order_contact": {}}',
        422,
        "validation_error",
    ),
    (
        '{"order_item": [{"quantity": 1, "ticket_config_id": CONFIG}], "hold_token": ""}',
        422,
        "validation_error",
    ),
    (
        '{"order_item": [{"quantity": 1, "ticket_config_id": 2147483648000}]}',
        422,
        "ticket_config_not_found",
    ),
]


@pytest.mark.parametrize(("body", "status", "code"), BAD_ORDER_BODIES)
def test_bad_order_bodies(live_server, body, status, code):
    ids = f.make_event(live_server.state)
    config = ids["config_ids"][0]
    with httpx.Client(base_url=live_server.base_url) as client:
        headers = {**f.guest(client), "Content-Type": "application/json"}
        response = client.post(
            "/event/v1/order", headers=headers, content=body.replace("CONFIG", str(config))
        )
    assert response.status_code == status, response.text
    error = response.json()
    assert error["errorCode"] == code and isinstance(error["message"], str) and error["message"]
    with live_server.state.read_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 0
    assert f.get_config(live_server.state, config).taken == 0


def test_validation_errors_name_the_field(live_server):
    ids = f.make_event(live_server.state)
    with httpx.Client(base_url=live_server.base_url) as client:
        response = client.post(
            "/event/v1/order",
            headers=f.guest(client),
            json={
                "orderItem": [
                    {"quantity": 1, "ticketConfigId": ids["config_ids"][0]},
                    {"quantity": 0, "ticket_config_id": ids["config_ids"][0]},
                ]
            },
        )
    body = response.json()
    assert body["field"] == "order_item[1].quantity"
    assert body["message"].startswith("order_item[1].quantity:")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/event/v1/order/not-a-number"),
        ("GET", "/event/v1/order/99999999"),
        ("GET", "/event/v1/event/0"),
        ("GET", "/event/v1/organizer/nobody/event"),
        ("GET", "/no/such/route"),
        ("DELETE", "/event/health"),
        ("GET", "/event/v1/order?limit=100000"),
        ("GET", "/event/v1/order?created_at=yesterday"),
        ("GET", "/event/v1/organizer/demo/event?with=[ticket_config"),
        ("GET", "/event/v1/hold_token/nope"),
    ],
)
def test_bad_paths_and_queries(live_server, method, path):
    f.make_event(live_server.state)
    with httpx.Client(base_url=live_server.base_url) as client:
        response = client.request(method, path, headers=f.guest(client))
    assert 400 <= response.status_code < 500, response.text
    body = response.json()
    assert set(body) >= {"message", "errorCode"}
