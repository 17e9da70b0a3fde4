"""Password and guest login, refresh, token claims, roles on every route."""

from __future__ import annotations

import httpx
import jwt
import pytest

from tests.helpers import factories as f
from tests.integration.test_order_rules import assert_error


@pytest.fixture
def client(live_server):
    with httpx.Client(base_url=live_server.base_url, timeout=10) as client:
        yield client


def test_login_claims_and_refresh(live_server, client):
    f.make_user(live_server.state, "cashier", role="staff")
    response = client.post(
        "/account/v1/auth/login", json={"username": "Cashier", "password": f.PASSWORD}
    )
    assert response.status_code == 200, response.text
    pair = response.json()["data"]
    claims = jwt.decode(pair["token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 7200
    assert claims["username"] == "cashier" and claims["type"] == "registered"
    assert claims["permissions"] == {
        "demo": {
            "staff": [
                "event.event.create",
                "event.event.update",
                "event.event.view",
                "event.order.view",
                "payment.order.confirm",
            ]
        }
    }
    refreshed = client.post(
        "/account/v1/auth/refresh", json={"refreshToken": pair["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["data"]["refresh_token"] != pair["refresh_token"]
    # A refresh token works once.
    assert_error(
        client.post("/account/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}),
        401,
        "invalid_refresh_token",
    )


def test_wrong_password_and_unknown_user_look_the_same(live_server, client):
    f.make_user(live_server.state, "cashier", role="staff")
    wrong = client.post(
        "/account/v1/auth/login", json={"username": "cashier", "password": "nope-nope"}
    )
    unknown = client.post(
        "/account/v1/auth/login", json={"username": "ghost", "password": "nope-nope"}
    )
    assert wrong.json() == unknown.json()
    assert_error(wrong, 401, "invalid_credentials")


def test_passwords_are_stored_memory_hard(live_server):
    from boxoffice.server.db.models import User

    f.make_user(live_server.state, "cashier", role="staff")
    with live_server.state.read_sessions() as session:
        user = session.query(User).filter_by(username="cashier").one()
        assert user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$")


def test_guest_refresh_keeps_the_same_guest(live_server, client):
    first = client.post("/account/v1/guest/login").json()["data"]
    again = client.post(
        "/account/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    ).json()["data"]
    a = jwt.decode(first["token"], options={"verify_signature": False})
    b = jwt.decode(again["token"], options={"verify_signature": False})
    assert a["id"] == b["id"] and b["type"] == "guest"


def test_registration_makes_customers_only(live_server, client):
    made = client.post(
        "/account/v1/user",
        json={"username": "fan", "password": "long enough", "email": "fan@example.org"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["data"]["role"] == "customer"
    assert_error(
        client.post(
            "/account/v1/user",
            json={"username": "sneaky", "password": "long enough", "role": "staff"},
        ),
        403,
        "permission_denied",
    )
    assert_error(
        client.post("/account/v1/user", json={"username": "FAN", "password": "long enough"}),
        409,
        "username_taken",
    )
    assert_error(
        client.post("/account/v1/user", json={"username": "short", "password": "2short"}),
        422,
        "validation_error",
        "password",
    )
    f.make_user(live_server.state, "root", role="admin")
    admin = f.login(client, "root")
    staff = client.post(
        "/account/v1/user",
        headers=admin,
        json={"username": "clerk2", "password": "long enough", "role": "staff"},
    )
    assert staff.json()["data"]["role"] == "staff"


STAFF_ONLY = [
    (
        "POST",
        "/event/v1/organizer/demo/event",
        {"name": "X", "start_at": "2030-01-01T10:00Z", "end_at": "2030-01-01T12:00Z"},
    ),
    ("PATCH", "/event/v1/event/{event}", {"name": "Renamed"}),
    ("POST", "/event/v1/event/{event}/publish", None),
    ("POST", "/event/v1/event/{event}/cancel", None),
    (
        "POST",
        "/event/v1/event/{event}/ticket_config",
        {"name": "T", "face_value": 1, "start_sale_at": "2020-01-01T00:00Z"},
    ),
    ("PATCH", "/event/v1/ticket_config/{config}", {"face_value": 2}),
    (
        "POST",
        "/event/v1/event/{event}/timeslot",
        {"start_at": "2030-01-01T10:00Z", "end_at": "2030-01-01T11:00Z"},
    ),
    ("POST", "/event/v1/event/{event}/sector", {"name": "S"}),
    (
        "POST",
        "/event/v1/event/{event}/ticket_discount",
        {"name": "D", "type": "fixed", "value": 1, "ticket_config_ids": ["{config}"]},
    ),
    (
        "PUT",
        "/event/v1/event/{event}/seat_map",
        {"seats": [{"section": "S", "row": "A", "number": "1", "category": "c"}]},
    ),
    ("POST", "/venue/v1/venue", {"name": "V"}),
]


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ONLY)
def test_staff_routes_refuse_guests_and_anonymous(live_server, client, method, path, body):
    ids = f.make_event(live_server.state)
    config = ids["config_ids"][0]
    url = path.format(event=ids["event_id"], config=config)
    if body and "ticket_config_ids" in body:
        body = {**body, "ticket_config_ids": [config]}
    assert_error(client.request(method, url, json=body), 401, "not_authenticated")
    assert_error(
        client.request(method, url, json=body, headers=f.guest(client)), 403, "permission_denied"
    )
    customer = client.post("/account/v1/user", json={"username": "cust", "password": f.PASSWORD})
    assert customer.status_code == 201
    assert_error(
        client.request(method, url, json=body, headers=f.login(client, "cust")),
        403,
        "permission_denied",
    )
    f.make_user(live_server.state, "clerk", role="staff")
    allowed = client.request(method, url, json=body, headers=f.login(client, "clerk"))
    assert allowed.status_code in (200, 201), allowed.text


def test_customer_login_with_email(live_server, client):
    client.post(
        "/account/v1/user",
        json={"username": "fan", "password": "long enough", "email": "Fan@Example.org"},
    )
    response = client.post(
        "/account/v1/auth/login", json={"username": "fan@example.org", "password": "long enough"}
    )
    assert response.status_code == 200
