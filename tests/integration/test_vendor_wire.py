"""The server rules behind the vendor SDK's wire (issue 13) that its conformance flow
(tests/end2end/test_vendor_sdk.py) does not reach: refused tenants, refused sorts and fields,
the vendor's order statuses beside ours, and the migration that renamed ours."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import text

from boxoffice.sdk.models.order_status import FROM_VENDOR_STATUS, VENDOR_STATUS, OrderStatus
from boxoffice.sdk.models.orders import Order
from boxoffice.server.api.tenants import host_label
from boxoffice.server.db.migrate import alembic_config
from tests.helpers import factories as f
from tests.helpers.live_server import FakeClock, LiveServer, demo_live_server


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        yield client


def _order(
    client: httpx.Client, headers: dict[str, str], config_id: int, **extra: Any
) -> dict[str, Any]:
    body = {"order_item": [{"quantity": 2, "ticket_config_id": config_id}], **extra}
    response = client.post("/event/v1/order", headers=headers, json=body)
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()["data"]
    return order


def _error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["errorCode"] == code and body["message"], body
    return body


# --- tenants -----------------------------------------------------------------------------------


def test_host_label_reads_the_tenant_in_front_of_the_domain() -> None:
    assert host_label("demo.venue.test:8765", "venue.test") == "demo"
    assert host_label("DEMO.Venue.Test.", "venue.test") == "demo"
    assert host_label("venue.test:8765", "venue.test") is None  # the base host
    assert host_label("demo.elsewhere.test", "venue.test") is None
    assert host_label("[::1]:8765", "venue.test") is None


def test_a_tenant_domain_names_the_tenant_and_refuses_other_tenants(tmp_path: Path) -> None:
    with (
        demo_live_server(tmp_path, FakeClock(), tenant_domain="venue.test") as server,
        httpx.Client(base_url=server.base_url, timeout=30) as client,
    ):
        organizer = client.get("/account/v1/organizer/demo").json()["data"]
        assert organizer["organization_name"] == "demo"
        for host in ("demo.venue.test", "Demo.venue.test:8765", "127.0.0.1"):
            events = client.get("/event/v1/organizer/demo/event", headers={"Host": host})
            assert events.status_code == 200, (host, events.text)
        stranger = client.get("/event/v1/organizer/demo/event", headers={"Host": "x.venue.test"})
        assert "'x'" in _error(stranger, 404, "unknown_tenant")["message"]


def test_without_a_tenant_domain_clients_keep_the_base_url(tmp_path: Path) -> None:
    with (
        demo_live_server(tmp_path, FakeClock()) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as client,
    ):
        organizer = client.get("/account/v1/organizer/demo").json()["data"]
        assert organizer["organization_name"] is None
        # Any host is answered: the server ignores it without a tenant domain.
        elsewhere = client.get("/event/v1/event", headers={"Host": "x.venue.test"})
        assert elsewhere.status_code == 200


# --- request bodies and list queries -------------------------------------------------------------


def test_an_unknown_body_field_is_refused_and_changes_nothing(live_server, client) -> None:
    ids = f.make_event(live_server.state)
    guest = f.guest(client)
    refused = client.post(
        "/event/v1/order",
        headers=guest,
        json={"order_item": [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}], "x": 1},
    )
    assert _error(refused, 422, "unknown_field")["field"] == "x"
    nested = client.post(
        "/event/v1/order",
        headers=guest,
        json={"order_item": [{"quantity": 1, "ticketConfigId": ids["config_ids"][0], "seat": 4}]},
    )
    assert _error(nested, 422, "unknown_field")["field"] == "order_item[0].seat"
    assert client.get("/event/v1/order", headers=guest).json()["paging"]["total"] == 0
    assert f.get_config(live_server.state, ids["config_ids"][0]).taken == 0


def test_the_contact_company_is_business_name_and_the_older_name_still_works(
    live_server, client
) -> None:
    ids = f.make_event(live_server.state)
    guest = f.guest(client)
    order = _order(client, guest, ids["config_ids"][0])
    contact = {"first_name": "Ada", "last_name": "L", "email": "ada@example.org"}
    for name in ("businessName", "business_name", "companyName", "company_name"):
        answer = client.post(
            f"/event/v1/order/{order['id']}/order_contact",
            headers=guest,
            json={**contact, name: f"ACME {name}"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["business_name"] == f"ACME {name}"
        assert answer.json()["data"]["id"] == order["id"]
    read = client.get(f"/event/v1/order/{order['id']}", headers=guest).json()["data"]
    assert read["order_contact"]["business_name"] == "ACME company_name"
    assert "company_name" not in read["order_contact"]


def test_order_lists_sort_filter_and_refuse_what_they_cannot_do(live_server, client) -> None:
    ids = f.make_event(live_server.state)
    f.make_user(live_server.state, "clerk")
    staff = f.login(client, "clerk")
    made = [_order(client, staff, ids["config_ids"][0])["id"] for _ in range(3)]

    def listed(**params: Any) -> list[int]:
        answer = client.get("/event/v1/order", headers=staff, params=params)
        assert answer.status_code == 200, answer.text
        return [o["id"] for o in answer.json()["data"]]

    assert listed() == made[::-1]  # newest first
    assert listed(sort_by="id") == made
    assert listed(sort_by="-id") == made[::-1]
    assert listed(sort_by="id", direction="DESC") == made[::-1]
    assert listed(sort_by="-created_at", direction="asc") == made
    assert listed(id=made[1]) == [made[1]]
    assert listed(organizer_id="demo") == made[::-1]
    assert listed(organizer_id="nobody") == []
    for params, code in (
        ({"sort_by": "password"}, "invalid_sort"),
        ({"status": "payment_failed"}, "invalid_status"),
        ({"direction": "sideways"}, "validation_error"),
    ):
        _error(client.get("/event/v1/order", headers=staff, params=params), 422, code)


def test_the_event_list_of_every_organizer(live_server, client) -> None:
    f.make_event(live_server.state, name="Soon", start_in=timedelta(days=2))
    f.make_event(live_server.state, name="Later", start_in=timedelta(days=20))
    f.make_event(live_server.state, name="Over", start_in=timedelta(days=-3))
    f.make_event(live_server.state, name="Draft", status="draft")
    f.make_user(live_server.state, "clerk")
    staff = f.login(client, "clerk")

    def names(headers: dict[str, str] | None = None, **params: Any) -> list[str]:
        answer = client.get("/event/v1/event", headers=headers or {}, params=params)
        assert answer.status_code == 200, answer.text
        assert answer.json()["paging"]["total"] == len(answer.json()["data"])
        return [e["name"] for e in answer.json()["data"]]

    assert names() == ["Over", "Soon", "Later"]
    assert "Draft" in names(staff)
    assert "Draft" not in names(staff, public="true")
    assert names(future_events="true") == ["Soon", "Later"]
    assert names(sort_by="-start_at") == ["Later", "Soon", "Over"]
    assert names(q="late") == names(name="LATE") == ["Later"]
    assert names(organizer_id="demo") == ["Over", "Soon", "Later"]
    assert names(organizer_id="nobody") == []  # as the orders filter: nothing, not 404


# --- orders in the vendor's shape ----------------------------------------------------------------


def test_statuses_map_both_ways_and_each_vendor_status_has_one_meaning() -> None:
    assert set(VENDOR_STATUS) == set(OrderStatus)
    for vendor, ours in FROM_VENDOR_STATUS.items():
        assert VENDOR_STATUS[ours] == vendor
    # An answer from Tickethead (no box_office_status) reads in our terms.
    order = Order.model_validate(
        {
            "id": 1,
            "code": "X",
            "event_id": 1,
            "owner_id": "u1",
            "status": "payment_failed",
            "format": "PDF",
            "currency": "EUR",
            "total": 0,
            "created_at": "2026-12-04T10:00:00Z",
            "updated_at": "2026-12-04T10:00:00Z",
            "order_item": [],
        }
    )
    assert order.status == OrderStatus.CANCELED
    wire = order.model_dump(mode="json")
    assert (wire["status"], wire["box_office_status"]) == ("payment_failed", "canceled")


def test_a_canceled_card_order_in_the_vendors_words(live_server, client) -> None:
    ids = f.make_event(live_server.state)
    guest = f.guest(client)
    order = _order(client, guest, ids["config_ids"][0])
    assert (order["owner_type"], order["payment_id"], order["status"]) == ("guest", None, "draft")
    assert order["owner_id"] == str(order["owner_id"]) and order["order_item"][0]["price"] == 25
    paid = client.post(
        "/payment/v1/payment/stripe",
        headers=guest,
        params={"order_id": order["id"], "type": "card"},
        json={},
    )
    assert paid.status_code == 200, paid.text
    intent = paid.json()["data"]["payment_intent"]["id"]
    assert paid.json()["data"]["order"]["payment_id"] == intent
    canceled = client.delete(f"/event/v1/order/{order['id']}", headers=guest).json()["data"]
    assert (canceled["status"], canceled["box_office_status"]) == ("payment_failed", "canceled")
    eps = client.post(
        "/payment/v1/payment/stripe", headers=guest, params={"order_id": order["id"], "type": "eps"}
    )
    _error(eps, 422, "unsupported_payment_type")


def test_payment_config_and_health_need_no_sign_in(live_server, client) -> None:
    config = client.get("/payment/v1/payment/config")
    assert config.status_code == 200 and config.json()["data"]["publishable_key"].startswith("pk_")
    assert client.get("/payment/health").json()["status"] == "ok"


def test_a_free_order_shows_its_tickets_under_its_items_only_when_asked(live_server, client):
    ids = f.make_event(
        live_server.state,
        configs=[
            {"name": "Free", "face_value": "0", "quantity": 10},
            {"name": "Kids", "face_value": "0", "quantity": 10},
        ],
    )
    guest = f.guest(client)
    body = {
        "order_item": [
            {"quantity": 2, "ticket_config_id": ids["config_ids"][0]},
            {"quantity": 1, "ticket_config_id": ids["config_ids"][1]},
        ]
    }
    order = client.post("/event/v1/order", headers=guest, json=body).json()["data"]
    paid = client.post("/payment/v1/payment", headers=guest, params={"order_id": order["id"]})
    assert paid.status_code == 201, paid.text
    plain = client.get(f"/event/v1/order/{order['id']}", headers=guest).json()["data"]
    assert [item["ticket"] for item in plain["order_item"]] == [None, None]
    asked = client.get(
        f"/event/v1/order/{order['id']}", headers=guest, params={"with": "[order_item.[ticket]]"}
    ).json()["data"]
    tickets = [item["ticket"] for item in asked["order_item"]]
    assert [len(t) for t in tickets] == [2, 1]
    assert all(t["qr_payload"] for t in tickets[0] + tickets[1])  # the owner's own
    listed = client.get("/event/v1/order", headers=guest, params={"with": "order_item.ticket"})
    assert [len(i["ticket"]) for i in listed.json()["data"][0]["order_item"]] == [2, 1]


# --- the migration -----------------------------------------------------------------------------


def test_the_migration_renames_declined_orders_and_the_business_name(live_server, client):
    ids = f.make_event(live_server.state)
    guest = f.guest(client)
    contact = {"first_name": "A", "last_name": "B", "email": "a@example.org", "businessName": "Co"}
    order = _order(client, guest, ids["config_ids"][0], order_contact=contact)
    engine = live_server.state.engine
    with engine.begin() as connection:
        connection.execute(text("UPDATE \"order\" SET status = 'declined'"))
    config = alembic_config(engine)

    def migrate(to: str) -> None:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            if to == "head":
                command.upgrade(config, to)
            else:
                command.downgrade(config, to)

    def stored() -> tuple[str, str]:
        with engine.connect() as connection:
            status = connection.execute(text('SELECT status FROM "order"')).scalar_one()
            names = connection.execute(text("SELECT * FROM order_contact")).mappings().one()
        company = names.get("business_name", names.get("company_name"))
        return status, company

    migrate("0005_order_keys")
    assert stored() == ("payment_failed", "Co")
    migrate("head")
    assert stored() == ("declined", "Co")
    read = client.get(f"/event/v1/order/{order['id']}", headers=guest).json()["data"]
    assert (read["status"], read["box_office_status"]) == ("payment_processing", "declined")
