"""The requests of the public "Orders" page (../shared/seeds), replayed as written there.

Only the placeholders change: `$JWT` becomes a real token, `7489` and `$ORDER_ID` real ids.
The page's email shows as "[email protected]" (an e-mail obfuscation artefact of the copy);
a real address stands in for it. The host is the tenant host of the page; the venue server
answers on any host, so only the path is kept.
"""

from __future__ import annotations

import httpx

from tests.helpers import factories as f

CREATE_ORDER = '{"orderItem": [{"quantity": 4, "ticket_config_id": 7489}], "format": "PDF"}'
ORDER_CONTACT = '{"first_name": "John","last_name": "Doe","email": "john.doe@example.com"}'


def test_seed_create_order_and_contact(live_server):
    ids = f.make_event(
        live_server.state, configs=[{"name": "VIP", "face_value": "50", "quantity": 20}]
    )
    with httpx.Client(base_url=live_server.base_url) as client:
        jwt = f.guest(client)["Authorization"].removeprefix("Bearer ")
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {jwt}"}
        created = client.post(
            "/event/v1/order",
            headers=headers,
            content=CREATE_ORDER.replace("7489", str(ids["config_ids"][0])),
        )
        assert created.status_code == 201, created.text
        order = created.json()["data"]
        assert order["order_item"][0]["quantity"] == 4
        assert order["format"] == "PDF" and order["status"] == "draft"
        contact = client.post(
            f"/event/v1/order/{order['id']}/order_contact", headers=headers, content=ORDER_CONTACT
        )
        assert contact.status_code == 200, contact.text
        assert contact.json()["data"]["last_name"] == "Doe"


def test_seed_sdk_shape_inline_contact(live_server):
    """The JS SDK example sends camelCase with an inline orderContact; the wire accepts it."""
    ids = f.make_event(live_server.state)
    with httpx.Client(base_url=live_server.base_url) as client:
        headers = f.guest(client)
        created = client.post(
            "/event/v1/order",
            headers=headers,
            json={
                "orderItem": [{"quantity": 4, "ticketConfigId": ids["config_ids"][0]}],
                "format": "PDF",
                "orderContact": {
                    "firstName": "John",
                    "lastName": "Doe",
                    "email": "john.doe@example.com",
                },
            },
        )
        assert created.status_code == 201, created.text
        assert created.json()["data"]["order_contact"]["first_name"] == "John"
