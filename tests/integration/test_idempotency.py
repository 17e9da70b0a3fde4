"""`Idempotency-Key`: a retried request replays the first answer instead of acting twice."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from tests.conftest import BOTH_DATABASES
from tests.helpers import factories as f
from tests.integration.test_order_rules import assert_error


def test_retry_replays_and_creates_one_order(live_server):
    ids = f.make_event(live_server.state)
    config = ids["config_ids"][0]
    body = {"order_item": [{"quantity": 2, "ticket_config_id": config}], "format": "PDF"}
    with httpx.Client(base_url=live_server.base_url) as client:
        headers = {**f.guest(client), "Idempotency-Key": str(uuid.uuid4())}
        first = client.post("/event/v1/order", headers=headers, json=body)
        second = client.post("/event/v1/order", headers=headers, json=body)
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        assert second.headers["idempotent-replayed"] == "true"
        assert f.get_config(live_server.state, config).taken == 2
        # Same key, different body: refused, nothing created.
        changed = client.post("/event/v1/order", headers=headers, json={**body, "format": "PKPASS"})
        assert_error(changed, 422, "idempotency_key_reuse")
        # Keys belong to their caller: another buyer with the same key gets their own order.
        other = {**f.guest(client), "Idempotency-Key": headers["Idempotency-Key"]}
        third = client.post("/event/v1/order", headers=other, json=body)
        assert third.status_code == 201 and third.json()["data"]["id"] != first.json()["data"]["id"]
        assert f.get_config(live_server.state, config).taken == 4


def test_errors_are_replayed_but_conflicts_are_not(live_server):
    ids = f.make_event(
        live_server.state, configs=[{"name": "One", "face_value": "1", "quantity": 1}]
    )
    config = ids["config_ids"][0]
    with httpx.Client(base_url=live_server.base_url) as client:
        guest = f.guest(client)
        client.post(
            "/event/v1/order",
            headers=guest,
            json={"order_item": [{"quantity": 1, "ticket_config_id": config}]},
        )
        key = {**guest, "Idempotency-Key": "retry-me"}
        body = {"order_item": [{"quantity": 1, "ticket_config_id": config}]}
        assert_error(client.post("/event/v1/order", headers=key, json=body), 409, "sold_out")
        # 409 is not stored: once the first order is canceled, the retry succeeds.
        orders = client.get("/event/v1/order", headers=guest).json()["data"]
        client.delete(f"/event/v1/order/{orders[0]['id']}", headers=guest)
        assert client.post("/event/v1/order", headers=key, json=body).status_code == 201
        # A 4xx answer of the service is stored and replayed, even once it would be different.
        late = {**guest, "Idempotency-Key": "late-one"}
        missing = {"order_item": [{"quantity": 1, "ticket_config_id": config + 1000}]}
        first = client.post("/event/v1/order", headers=late, json=missing)
        again = client.post("/event/v1/order", headers=late, json=missing)
        assert first.status_code == again.status_code and 400 <= first.status_code < 500
        assert again.json() == first.json()
        assert again.headers.get("idempotent-replayed") == "true"
        # A malformed body is answered before the route, the same every time; the key is
        # then used, so it cannot make an order with another body.
        bad = {**guest, "Idempotency-Key": "bad-one"}
        first = client.post("/event/v1/order", headers=bad, json={"order_item": []})
        again = client.post("/event/v1/order", headers=bad, json={"order_item": []})
        assert first.status_code == again.status_code == 422
        assert again.json() == first.json()
        assert_error(
            client.post("/event/v1/order", headers=bad, json=body), 422, "idempotency_key_reuse"
        )


@BOTH_DATABASES  # the claim is dialect-specific SQL (INSERT … ON CONFLICT DO NOTHING)
async def test_concurrent_duplicates_create_one_order(live_server):
    ids = f.make_event(
        live_server.state, configs=[{"name": "Many", "face_value": "1", "quantity": 100}]
    )
    config = ids["config_ids"][0]
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as client:
        login = await client.post("/account/v1/guest/login")
        headers = {
            "Authorization": f"Bearer {login.json()['data']['token']}",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        body = {"order_item": [{"quantity": 1, "ticket_config_id": config}], "format": "PDF"}
        responses = await asyncio.gather(
            *(client.post("/event/v1/order", headers=headers, json=body) for _ in range(16))
        )
    created = {r.json()["data"]["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    for response in responses:
        if response.status_code == 409:
            assert response.json()["errorCode"] == "idempotency_in_progress"
            assert response.headers["retry-after"] == "1"
        else:
            assert response.status_code == 201
    assert f.get_config(live_server.state, config).taken == 1
