"""An order's history over real HTTP: created, paid, reprinted, reissued, refunded and its
mails, oldest first, with who; its owner may read it, strangers may not."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from boxoffice.server.db.models import MailJob, Ticket
from boxoffice.server.services import audit, users
from boxoffice.server.services.actors import Actor
from tests.helpers import factories as f
from tests.integration.test_order_rules import assert_error
from tests.integration.test_receipts import sell_cash


@pytest.fixture
def client(live_server):
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        yield client


def test_history_lists_everything_in_order(live_server, client):
    ids = f.make_event(live_server.state)
    with f.write_session(live_server.state) as session:
        users.create_user(
            session,
            username="anna",
            password=f.PASSWORD,
            role="staff",
            now=live_server.state.clock(),
            first_name="Anna",
            last_name="Berger",
        )
    staff = f.login(client, "anna")
    order = sell_cash(
        client, staff, [{"ticket_config_id": ids["config_ids"][0], "quantity": 2}], 50, live_server
    )
    contact = client.post(
        f"/event/v1/order/{order['id']}/order_contact",
        headers=staff,
        json={"first_name": "Ada", "last_name": "L", "email": "ada@example.org"},
    )
    assert contact.status_code == 200, contact.text
    live_server.clock.advance(minutes=1)
    reprint = client.post(
        f"/event/v1/order/{order['id']}/reprint", headers=staff, json={"reason": "Wet"}
    )
    assert reprint.status_code == 200, reprint.text
    live_server.clock.advance(minutes=1)
    with live_server.state.read_sessions() as session:
        first = session.scalars(
            select(Ticket).where(Ticket.order_id == order["id"]).order_by(Ticket.id)
        ).first()
        assert first is not None
        first_id = first.id
    reissue = client.post(
        f"/event/v1/order/{order['id']}/reissue",
        headers=staff,
        json={"reason": "Lost", "ticket_ids": [first_id]},
    )
    assert reissue.status_code == 200, reissue.text
    now = live_server.state.clock()
    with f.write_session(live_server.state) as session:
        # A mail as the mail queue keeps it, and a refund's audit as services/refunds writes it.
        session.add(
            MailJob(
                order_id=order["id"],
                recipient="ada@example.org",
                subject="Your tickets",
                message=b"",
                status="sent",
                attempts=1,
                created_at=now + timedelta(minutes=1),
                sent_at=now + timedelta(minutes=2),
            )
        )
        audit.record(
            session,
            actor=Actor(id=0, role="staff"),
            action="order.refunded",
            object_type="order",
            object_id=order["id"],
            now=now + timedelta(minutes=3),
            data={"amount": 2500},
        )
    answer = client.get(f"/event/v1/order/{order['id']}/history", headers=staff)
    assert answer.status_code == 200, answer.text
    entries = answer.json()["data"]
    actions = [e["action"] for e in entries]
    for expected in (
        "order.created",
        "order.paid",
        "order.contact_set",
        "order.reprinted",
        "order.reissued",
        "mail.queued",
        "mail.sent",
        "order.refunded",
    ):
        assert expected in actions, actions
    assert actions.index("order.created") < actions.index("order.paid")
    assert actions.index("order.paid") < actions.index("order.reprinted")
    assert actions.index("order.reprinted") < actions.index("order.reissued")
    assert actions.index("order.reissued") < actions.index("mail.queued")
    assert actions.index("mail.sent") < actions.index("order.refunded")
    stamps = [e["at"] for e in entries]
    assert stamps == sorted(stamps)
    reprinted = entries[actions.index("order.reprinted")]
    assert reprinted["who"] == "Anna Berger (anna)" and reprinted["details"]["reason"] == "Wet"
    assert entries[actions.index("mail.sent")]["details"]["recipient"] == "ada@example.org"
    # strangers do not see it
    assert_error(
        client.get(f"/event/v1/order/{order['id']}/history", headers=f.guest(client)),
        404,
        "order_not_found",
    )


def test_the_owner_reads_the_history_of_their_order(live_server, client):
    ids = f.make_event(live_server.state)
    guest = f.guest(client)
    order = client.post(
        "/event/v1/order",
        headers=guest,
        json={"order_item": [{"ticket_config_id": ids["config_ids"][0], "quantity": 1}]},
    ).json()["data"]
    answer = client.get(f"/event/v1/order/{order['id']}/history", headers=guest)
    assert answer.status_code == 200, answer.text
    assert [e["action"] for e in answer.json()["data"]] == ["order.created"]
