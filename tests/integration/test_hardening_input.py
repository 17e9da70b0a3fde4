"""Issue 12, items 5, 6, 7 and 9: hostile input gets a JSON 4xx and leaves the keep-alive
connection usable; idempotency claims of a crashed process are retried; bodies are bounded;
internationalised mail addresses are delivered or refused at once."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, insert, select, update

from boxoffice.server.config import ServerSettings
from boxoffice.server.db.models import IdempotencyRecord, Order
from tests.conftest import BOTH_DATABASES
from tests.helpers import factories as f
from tests.helpers.processes import free_port

BIG = "9223372036854775808"  # 2**63, one more than the largest BIGINT
WEBHOOK_SECRET = "whsec_test_hardening"


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> ServerSettings:
    return ServerSettings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        load_demo=False,
        sweep_interval_seconds=3600,
        stripe_webhook_secret=WEBHOOK_SECRET,
    )


def _then_still_usable(client: httpx.Client, previous: httpx.Response | None = None) -> None:
    """The keep-alive connection of the error answers the next request too (the very same
    connection: a closed one would be replaced silently by the pool)."""
    health = client.get("/event/health")
    assert health.status_code == 200
    if previous is not None:
        assert health.extensions["network_stream"] is previous.extensions["network_stream"]


def _assert_4xx(response: httpx.Response, *codes: str) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    body = response.json()
    assert isinstance(body["message"], str) and body["message"]
    if codes:
        assert body["errorCode"] in codes, body


# --- item 6: integers above 2**63 - 1, Unicode digits, NUL bytes, a webhook without currency


@BOTH_DATABASES
@pytest.mark.parametrize(
    ("method", "path", "auth"),
    [
        ("GET", f"/event/v1/event/{BIG}", False),
        ("GET", "/event/v1/order/99999999999999999999", True),
        ("GET", f"/event/v1/order/{BIG}", True),
        ("GET", f"/event/v1/order?offset={BIG}", True),
        ("GET", f"/event/v1/organizer/demo/event?offset={BIG}", False),
        ("POST", f"/payment/v1/payment?order_id={BIG}&type=cash", True),
        ("POST", f"/payment/v1/payment/reconcile?order_id={BIG}", True),
        ("GET", f"/event/v1/ticket_config/{BIG}", False),
        ("GET", f"/event/v1/venue/{BIG}", False),
        ("GET", "/account/v1/organizer/%C2%B3", False),
        ("GET", f"/account/v1/organizer/{BIG}", False),
        ("GET", "/event/v1/event/%C2%B3", False),
        ("GET", "/event/v1/organizer/demo/event?query=a%00b", False),
        ("GET", "/event/v1/organizer/a%00b/event", False),
    ],
)
def test_out_of_range_ids_and_odd_characters_are_4xx(live_server, method, path, auth):
    f.make_event(live_server.state)
    with httpx.Client(base_url=live_server.base_url) as client:
        headers = f.guest(client) if auth else {}
        response = client.request(method, path, headers=headers)
        _assert_4xx(response, "validation_error", "not_found", "organizer_not_found")
        _then_still_usable(client, response)


@BOTH_DATABASES
def test_the_largest_offset_is_an_empty_page(live_server):
    f.make_event(live_server.state)
    with httpx.Client(base_url=live_server.base_url) as client:
        largest = int(BIG) - 1
        response = client.get(f"/event/v1/organizer/demo/event?offset={largest}")
        assert response.status_code == 200, response.text
        assert response.json()["data"] == []


@BOTH_DATABASES
@pytest.mark.parametrize(
    "item",
    [
        {"quantity": 1, "ticket_config_id": int(BIG)},
        {"quantity": 1, "ticket_config_id": 1, "timeslot_id": 10**20},
        {"quantity": 1, "ticket_config_id": 1, "sector_id": int(BIG)},
    ],
)
def test_huge_ids_in_an_order_body_are_422(live_server, item):
    f.make_event(live_server.state)
    with httpx.Client(base_url=live_server.base_url) as client:
        response = client.post(
            "/event/v1/order", headers=f.guest(client), json={"order_item": [item]}
        )
        _assert_4xx(response, "validation_error")
        assert response.status_code == 422
        _then_still_usable(client, response)


@BOTH_DATABASES
def test_nul_bytes_in_a_login_name_and_a_contact_name_are_422(live_server):
    ids = f.make_event(live_server.state)
    with httpx.Client(base_url=live_server.base_url) as client:
        response = client.post(
            "/account/v1/auth/login", json={"username": "clerk\x00", "password": "x" * 10}
        )
        _assert_4xx(response, "validation_error")
        _then_still_usable(client, response)
        contact = {"first_name": "Ann\x00", "last_name": "Lee", "email": "ann@example.com"}
        response = client.post(
            "/event/v1/order",
            headers=f.guest(client),
            json={
                "order_item": [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}],
                "order_contact": contact,
            },
        )
        _assert_4xx(response, "validation_error")
        _then_still_usable(client, response)


def _signed(payload: bytes, secret: str) -> str:
    stamp = int(time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def test_a_signed_webhook_whose_intent_lacks_a_currency_is_4xx(live_server):
    ids = f.make_event(live_server.state)
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        headers = f.guest(client)
        order = client.post(
            "/event/v1/order",
            headers=headers,
            json={"order_item": [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}]},
        ).json()["data"]
        paid = client.post(
            "/payment/v1/payment",
            headers=headers,
            params={"order_id": order["id"], "type": "card"},
            json={},
        )
        assert paid.status_code == 200, paid.text
        intent: dict[str, Any] = paid.json()["data"]["payment_intent"]
        event = {
            "id": "evt_hardening",
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": intent["id"],
                    "object": "payment_intent",
                    "amount": 1000,
                    "status": "succeeded",
                }
            },
        }
        payload = json.dumps(event).encode()
        response = client.post(
            "/payment/v1/webhook/stripe",
            content=payload,
            headers={
                "Stripe-Signature": _signed(payload, WEBHOOK_SECRET),
                "Content-Type": "application/json",
            },
        )
        _assert_4xx(response, "validation_error")
        _then_still_usable(client, response)
        status = client.get(f"/event/v1/order/{order['id']}", headers=headers).json()["data"]
        assert status["status"] != "paid"


def test_an_unexpected_error_is_a_json_500_and_the_connection_stays(live_server, monkeypatch):
    from boxoffice.server.services import catalog

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(catalog, "get_organizer", broken)
    with httpx.Client(base_url=live_server.base_url) as client:
        response = client.get("/account/v1/organizer/demo")
        assert response.status_code == 500
        assert response.json()["errorCode"] == "internal_error"
        _then_still_usable(client, response)


# --- item 7: a bounded body


def test_a_body_over_one_megabyte_is_413_and_the_connection_stays(live_server):
    f.make_event(live_server.state)
    big = b'{"username": "' + b"a" * (1024 * 1024) + b'", "password": "xxxxxxxxxx"}'
    with httpx.Client(base_url=live_server.base_url) as client:
        response = client.post(
            "/account/v1/auth/login", content=big, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413, response.text
        assert response.json()["errorCode"] == "payload_too_large"
        _then_still_usable(client, response)

        def chunks() -> Any:  # no Content-Length: chunked transfer encoding
            for _ in range(12):
                yield b" " * (100 * 1024)

        response = client.post(
            "/account/v1/auth/login",
            content=chunks(),
            headers={"Content-Type": "application/json", "Idempotency-Key": "big-chunked"},
        )
        assert response.status_code == 413, response.text
        assert response.json()["errorCode"] == "payload_too_large"
    with httpx.Client(base_url=live_server.base_url) as client:
        _then_still_usable(client)
        ordinary = client.post("/account/v1/guest/login")
        assert ordinary.status_code == 200


# --- item 5: a claim left by a crashed process


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _claims() -> list[Any]:
    host = socket.gethostname()
    return [
        pytest.param(lambda: f"{host}/{_dead_pid()}/0badc0de", 0, 201, id="this-host-dead-pid"),
        pytest.param(lambda: f"{host}/{os.getpid()}/0badc0de", 0, 201, id="this-pid-other-boot"),
        pytest.param(lambda: "elsewhere/1/0badc0de", 31, 201, id="other-host-past-lease"),
        pytest.param(lambda: None, 31, 201, id="unnamed-past-lease"),
        pytest.param(lambda: "elsewhere/1/0badc0de", 5, 409, id="other-host-within-lease"),
    ]


@BOTH_DATABASES
@pytest.mark.parametrize(("claimant", "age", "status"), _claims())
def test_a_claim_left_by_a_gone_process_is_retried_not_refused(live_server, claimant, age, status):
    ids = f.make_event(live_server.state)
    f.make_user(live_server.state, "clerk")
    body = {"order_item": [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}]}
    with httpx.Client(base_url=live_server.base_url) as client:
        headers = f.login(client, "clerk")
        user_id = client.get("/account/v1/user/me", headers=headers).json()["data"]["id"]
        payload = json.dumps(body).encode()
        digest = hashlib.sha256(b"\0".join([b"POST", b"/event/v1/order", b"", payload])).hexdigest()
        # What a server killed mid-request leaves behind: a claim with no answer.
        with f.write_session(live_server.state) as session:
            session.execute(
                insert(IdempotencyRecord).values(
                    actor=f"user:{user_id}",
                    key="crashed-key",
                    request_hash=digest,
                    created_at=live_server.clock() - timedelta(seconds=age),
                    **_claimed_by(claimant()),
                )
            )
        keyed = {**headers, "Idempotency-Key": "crashed-key", "Content-Type": "application/json"}
        first = client.post("/event/v1/order", headers=keyed, content=payload)
        assert first.status_code == status, first.text
        if status == 409:
            assert first.json()["errorCode"] == "idempotency_in_progress"
            assert f.get_config(live_server.state, ids["config_ids"][0]).taken == 0
            return
        # The answer is stored just after it is sent: a replay may need a moment.
        deadline = time.monotonic() + 5
        while True:
            again = client.post("/event/v1/order", headers=keyed, content=payload)
            if again.status_code != 409 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
        assert again.json() == first.json()
    assert f.get_config(live_server.state, ids["config_ids"][0]).taken == 1


def _stored_answer(state: Any, actor: str, key: str) -> int | None:
    with f.write_session(state) as session:
        return session.execute(
            select(IdempotencyRecord.status_code).where(
                IdempotencyRecord.actor == actor, IdempotencyRecord.key == key
            )
        ).scalar_one_or_none()


@BOTH_DATABASES
@pytest.mark.parametrize("window", ["claim-left-unanswered", "no-record-at-all"])
def test_an_order_committed_but_not_answered_before_a_crash_is_returned_not_made_again(
    live_server, window
):
    """The crash window: the order's transaction committed, the process died before the
    idempotency store kept its answer. The retry gets the very same order, not a second one."""
    ids = f.make_event(live_server.state)
    f.make_user(live_server.state, "clerk")
    body = {"order_item": [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}]}
    with httpx.Client(base_url=live_server.base_url) as client:
        headers = f.login(client, "clerk")
        user_id = client.get("/account/v1/user/me", headers=headers).json()["data"]["id"]
        actor = f"user:{user_id}"
        keyed = {**headers, "Idempotency-Key": "committed-key"}
        first = client.post("/event/v1/order", headers=keyed, json=body)
        assert first.status_code == 201, first.text
        deadline = time.monotonic() + 5  # the answer is stored just after it is sent
        while _stored_answer(live_server.state, actor, "committed-key") is None:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        # What a server killed between the commit and the storing of the answer leaves behind.
        with f.write_session(live_server.state) as session:
            if window == "claim-left-unanswered":
                session.execute(
                    update(IdempotencyRecord)
                    .where(
                        IdempotencyRecord.actor == actor, IdempotencyRecord.key == "committed-key"
                    )
                    .values(
                        status_code=None,
                        content_type=None,
                        body=None,
                        **_claimed_by(f"{socket.gethostname()}/{_dead_pid()}/0badc0de"),
                    )
                )
            else:
                session.execute(
                    delete(IdempotencyRecord).where(
                        IdempotencyRecord.actor == actor, IdempotencyRecord.key == "committed-key"
                    )
                )
        retry = client.post("/event/v1/order", headers=keyed, json=body)
        assert retry.status_code == 201, retry.text
        assert retry.json()["data"]["id"] == first.json()["data"]["id"]
        assert retry.json() == first.json()
        # And the other requests of this caller are untouched: a new key is a new order.
        other = client.post(
            "/event/v1/order", headers={**headers, "Idempotency-Key": "next-key"}, json=body
        )
        assert other.status_code == 201 and other.json()["data"]["id"] != first.json()["data"]["id"]
    with f.write_session(live_server.state) as session:
        orders = session.execute(select(Order.id).where(Order.user_id == user_id)).scalars().all()
    assert len(orders) == 2
    assert f.get_config(live_server.state, ids["config_ids"][0]).taken == 2


def _claimed_by(claimant: str | None) -> dict[str, Any]:
    columns = IdempotencyRecord.__table__.columns
    return {"claimed_by": claimant} if "claimed_by" in columns else {}


# --- item 9: internationalised addresses


def _mail_settings(tmp_path: Path, port: int | None) -> ServerSettings:
    smtp: dict[str, Any] = (
        {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False} if port else {}
    )
    return ServerSettings(
        data_dir=tmp_path / "data",
        load_demo=False,
        sweep_interval_seconds=3600,
        mail_interval_seconds=3600,
        **smtp,
    )


def _paid_order_for(live: Any, email: str) -> httpx.Response:
    ids = f.make_event(
        live.state, configs=[{"name": "Free entry", "face_value": "0", "quantity": 10}]
    )
    contact = {"first_name": "Jöhn", "last_name": "Dœ", "email": email}
    with httpx.Client(base_url=live.base_url, timeout=30) as client:
        headers = f.guest(client)
        response = client.post(
            "/event/v1/order",
            headers=headers,
            json={
                "order_item": [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}],
                "order_contact": contact,
            },
        )
        if response.status_code == 201:
            paid = client.post(
                "/payment/v1/payment",
                headers=headers,
                params={"order_id": response.json()["data"]["id"], "type": "card"},
                json={},
            )
            assert paid.status_code == 201, paid.text
    return response


@pytest.mark.parametrize(
    ("email", "smtputf8", "envelope_to"),
    [
        ("jöhn@exämple.com", True, "jöhn@xn--exmple-cua.com"),
        ("john@exämple.com", False, "john@xn--exmple-cua.com"),
        ("john@exämple.com", True, "john@xn--exmple-cua.com"),
    ],
)
def test_an_internationalised_address_is_a_real_address_in_the_mail(
    tmp_path, clock, email, smtputf8, envelope_to
):
    from tests.integration.test_mail_delivery import deliver, jobs, running, smtp_server

    port = free_port()
    with (
        smtp_server(port, enable_SMTPUTF8=smtputf8) as inbox,
        running(_mail_settings(tmp_path, port), clock) as live,
    ):
        assert _paid_order_for(live, email).status_code == 201
        assert deliver(live) == 1, jobs(live)[0].last_error
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == [envelope_to]
    raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
    header = next(line for line in raw.split(b"\r\n") if line.lower().startswith(b"to:"))
    assert b"=?" not in header, header  # not an encoded-word
    assert header.decode() == f"To: {envelope_to}"


def test_a_utf8_mailbox_without_smtputf8_fails_clearly_and_for_good(tmp_path, clock):
    from tests.integration.test_mail_delivery import deliver, jobs, running, smtp_server

    port = free_port()
    with (
        smtp_server(port, enable_SMTPUTF8=False) as inbox,
        running(_mail_settings(tmp_path, port), clock) as live,
    ):
        assert _paid_order_for(live, "jöhn@exämple.com").status_code == 201
        assert deliver(live) == 0
        [job] = jobs(live)
    assert not inbox.envelopes
    assert job.status == "failed" and job.last_error
    assert "does not offer SMTPUTF8" in job.last_error, job.last_error


def test_the_outbox_writes_an_internationalised_address_as_an_address(tmp_path, clock):
    from tests.integration.test_mail_delivery import deliver, running

    with running(_mail_settings(tmp_path, None), clock) as live:
        assert _paid_order_for(live, "jöhn@exämple.com").status_code == 201
        assert deliver(live) == 1
        [eml] = live.state.settings.outbox_dir.glob("*.eml")
    header = next(
        line for line in eml.read_bytes().split(b"\r\n") if line.lower().startswith(b"to:")
    )
    assert header.decode() == "To: jöhn@xn--exmple-cua.com"


def test_an_address_whose_domain_cannot_be_encoded_is_422_at_order_contact(tmp_path, clock):
    from tests.integration.test_mail_delivery import running

    with running(_mail_settings(tmp_path, None), clock) as live:
        response = _paid_order_for(live, "john@exa\u200dmple.com")
    assert response.status_code == 422, response.text
    assert response.json()["field"].startswith("order_contact.email")
