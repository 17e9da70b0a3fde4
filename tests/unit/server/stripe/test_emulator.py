"""The Stripe gateway against the emulator child process, and Stripe.js's calls through it."""

from __future__ import annotations

import json
import logging
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from boxoffice.server.stripe.emulator import (
    EMULATED_PUBLISHABLE_KEY,
    EMULATED_SECRET_KEY,
)
from boxoffice.server.stripe.gateway import (
    IntentInfo,
    PaymentProviderError,
    StripeGateway,
    WebhookSignatureError,
)
from tests.unit.server.stripe.emulated import (
    CARD_3DS,
    CARD_DECLINED,
    CARD_OK,
    WAIT,
    confirm,
    new_intent,
)


def authenticate(browser: httpx.Client, intent: IntentInfo, *, success: bool) -> httpx.Response:
    return browser.post(
        f"/v1/payment_intents/{intent.id}/_authenticate",
        params={"success": "true" if success else "false"},
        data={"key": EMULATED_PUBLISHABLE_KEY, "client_secret": intent.client_secret or ""},
    )


# --- gateway ---------------------------------------------------------------------------------


def test_create_intent_gives_a_client_secret_and_needs_a_payment_method(gateway):
    intent = new_intent(gateway)
    assert intent.id.startswith("pi_")
    assert intent.client_secret is not None
    assert intent.client_secret.startswith(f"{intent.id}_secret_")
    assert intent.status == "requires_payment_method"
    assert (intent.amount, intent.currency, intent.livemode) == (2500, "eur", False)
    assert dict(intent.metadata) == {"order_id": "17"}
    assert gateway.emulated and not gateway.livemode
    wire = intent.to_wire()
    assert wire["object"] == "payment_intent"
    assert wire["payment_method_types"] == ["card"]
    assert (wire["amount_received"], wire["next_action"], wire["last_payment_error"]) == (
        0,
        None,
        None,
    )
    assert json.loads(json.dumps(wire)) == wire
    assert intent.client_secret not in repr(intent)
    assert gateway.retrieve_intent(intent.id) == intent


def test_idempotency_key_replays_the_first_intent(gateway):
    first = gateway.create_intent(900, "eur", metadata={}, idempotency_key="order-5-attempt-1")
    again = gateway.create_intent(900, "eur", metadata={}, idempotency_key="order-5-attempt-1")
    assert again.id == first.id
    with pytest.raises(PaymentProviderError) as caught:
        gateway.create_intent(901, "eur", metadata={}, idempotency_key="order-5-attempt-1")
    assert caught.value.code == "idempotency_error"


def test_unknown_intent_is_a_provider_error(gateway):
    with pytest.raises(PaymentProviderError) as caught:
        gateway.retrieve_intent("pi_doesnotexist")
    assert (caught.value.code, caught.value.http_status) == ("resource_missing", 404)


def test_cancel_intent(gateway):
    intent = new_intent(gateway)
    assert gateway.cancel_intent(intent.id).status == "canceled"
    assert gateway.retrieve_intent(intent.id).status == "canceled"


def test_live_keys_never_reach_the_emulator(emulator):
    with pytest.raises(ValueError, match="live"):
        StripeGateway(
            "sk_live_abcdef", "pk_live_abcdef", api_base=emulator.base_url, webhook_secret=None
        )
    with pytest.raises(ValueError):
        StripeGateway("sk_test_abcdef", "pk_live_abcdef", webhook_secret=None)
    answer = httpx.get(
        f"{emulator.base_url}/v1/payment_intents",
        headers={"Authorization": "Bearer sk_live_abcdef"},
        timeout=5.0,
        trust_env=False,
    )
    assert answer.status_code == 401


def test_no_secret_in_our_logs(gateway, browser, caplog):
    caplog.set_level(logging.DEBUG, logger="boxoffice")
    intent = new_intent(gateway)
    confirm(browser, intent, CARD_DECLINED)
    with pytest.raises(PaymentProviderError):
        gateway.cancel_intent("pi_doesnotexist")
    assert intent.id in caplog.text
    assert intent.client_secret and intent.client_secret not in caplog.text
    assert EMULATED_SECRET_KEY not in caplog.text


# --- Stripe.js's calls with the publishable key ---------------------------------------------


def test_typed_4242_succeeds(gateway, browser):
    intent = new_intent(gateway)
    seen = browser.get(
        f"/v1/payment_intents/{intent.id}",
        params={"key": EMULATED_PUBLISHABLE_KEY, "client_secret": intent.client_secret},
    )
    assert seen.status_code == 200
    assert seen.json()["status"] == "requires_payment_method"
    assert "metadata" not in seen.json()  # a publishable key sees a subset, as on Stripe

    answer = confirm(browser, intent, CARD_OK)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "succeeded"
    paid = gateway.retrieve_intent(intent.id)
    assert paid.status == "succeeded"
    assert paid.amount_received == 2500
    assert paid.payment_method is not None


def test_declined_card_then_4242(gateway, browser):
    intent = new_intent(gateway)
    answer = confirm(browser, intent, CARD_DECLINED)
    assert answer.status_code == 402
    error = answer.json()["error"]
    assert (error["type"], error["code"], error["decline_code"]) == (
        "card_error",
        "card_declined",
        "generic_decline",
    )
    assert error["message"] == "Your card was declined."
    assert error["payment_intent"]["status"] == "requires_payment_method"
    declined = gateway.retrieve_intent(intent.id)
    assert declined.status == "requires_payment_method"
    assert declined.last_payment_error is not None
    assert declined.last_payment_error.code == "card_declined"
    assert declined.last_payment_error.decline_code == "generic_decline"

    assert confirm(browser, intent, CARD_OK).json()["status"] == "succeeded"
    paid = gateway.retrieve_intent(intent.id)
    assert (paid.status, paid.last_payment_error) == ("succeeded", None)


@pytest.mark.parametrize(
    ("number", "code", "decline_code"),
    [
        ("4000000000000002", "card_declined", "generic_decline"),
        ("4000000000009995", "card_declined", "insufficient_funds"),
        ("4000000000000069", "expired_card", "expired_card"),
    ],
)
def test_stripe_decline_cards(gateway, browser, number, code, decline_code):
    intent = new_intent(gateway)
    answer = confirm(browser, intent, number)
    assert answer.status_code == 402
    error = answer.json()["error"]
    assert (error["type"], error["code"], error["decline_code"]) == (
        "card_error",
        code,
        decline_code,
    )
    last = gateway.retrieve_intent(intent.id).last_payment_error
    assert last is not None
    assert (last.code, last.decline_code) == (code, decline_code)


def test_mistyped_card_is_a_card_error(gateway, browser):
    intent = new_intent(gateway)
    answer = confirm(browser, intent, "4242 4242 4242 4241")
    assert answer.status_code == 402
    assert answer.json()["error"]["code"] == "incorrect_number"
    assert gateway.retrieve_intent(intent.id).status == "requires_payment_method"


def test_3d_secure_completed(gateway, browser):
    intent = new_intent(gateway)
    answer = confirm(browser, intent, CARD_3DS)
    assert answer.status_code == 200
    assert answer.json()["status"] == "requires_action"
    assert answer.json()["next_action"]["type"] == "use_stripe_sdk"
    assert gateway.retrieve_intent(intent.id).next_action_type == "use_stripe_sdk"

    done = authenticate(browser, intent, success=True)
    assert done.status_code == 200
    assert done.json()["status"] == "succeeded"
    assert gateway.retrieve_intent(intent.id).status == "succeeded"


def test_3d_secure_failed(gateway, browser):
    intent = new_intent(gateway)
    assert confirm(browser, intent, CARD_3DS).json()["status"] == "requires_action"
    failed = authenticate(browser, intent, success=False)
    assert failed.status_code == 200
    assert failed.json()["status"] == "requires_payment_method"
    after = gateway.retrieve_intent(intent.id)
    assert after.status != "succeeded"
    assert after.last_payment_error is not None
    assert after.last_payment_error.code == "payment_intent_authentication_failure"


def test_wrong_client_secret_changes_nothing(gateway, browser):
    intent = new_intent(gateway)
    wrong = f"{intent.id}_secret_{'x' * 16}"
    seen = browser.get(
        f"/v1/payment_intents/{intent.id}",
        params={"key": EMULATED_PUBLISHABLE_KEY, "client_secret": wrong},
    )
    assert seen.status_code in (401, 403)
    answer = confirm(browser, intent, CARD_OK, secret=wrong)
    assert answer.status_code in (401, 403)
    assert "client_secret" not in json.dumps(answer.json()["error"].get("payment_intent", {}))
    after = gateway.retrieve_intent(intent.id)
    assert (after.status, after.payment_method) == ("requires_payment_method", None)


def test_publishable_key_cannot_create_or_list(browser):
    created = browser.post(
        "/v1/payment_intents",
        data={"key": EMULATED_PUBLISHABLE_KEY, "amount": "100", "currency": "eur"},
    )
    assert created.status_code == 401
    listed = browser.get("/v1/payment_intents", params={"key": EMULATED_PUBLISHABLE_KEY})
    assert listed.status_code == 401


def test_stripe_js_shim_is_served(browser):
    answer = browser.get("/js.stripe.com/v3/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/javascript")
    assert "confirmCardPayment" in answer.text


# --- webhooks ---------------------------------------------------------------------------------


def wait_for_event(
    calls: queue.Queue[tuple[bytes, str | None]], event_type: str, intent_id: str
) -> tuple[bytes, str | None]:
    deadline = time.monotonic() + WAIT
    while (left := deadline - time.monotonic()) > 0:
        try:
            body, signature = calls.get(timeout=left)
        except queue.Empty:
            break
        event = json.loads(body)
        if event["type"] == event_type and event["data"]["object"]["id"] == intent_id:
            return body, signature
    pytest.fail(f"no {event_type} for {intent_id} within {WAIT} s")


def test_webhook_is_signed_and_verified(gateway, browser, receiver, emulator):
    _, calls = receiver
    intent = new_intent(gateway)
    assert confirm(browser, intent, CARD_OK).json()["status"] == "succeeded"
    body, signature = wait_for_event(calls, "payment_intent.succeeded", intent.id)
    assert signature is not None

    event = gateway.verify_webhook(body, signature)
    assert event["type"] == "payment_intent.succeeded"
    assert event["data"]["object"]["id"] == intent.id
    assert event["data"]["object"]["amount_received"] == 2500
    assert event["livemode"] is False

    tampered = body.replace(b'"amount": 2500', b'"amount": 1')
    assert tampered != body
    with pytest.raises(WebhookSignatureError) as caught:
        gateway.verify_webhook(tampered, signature)
    assert caught.value.code == "invalid_signature"
    with (
        emulator.gateway(webhook_secret="whsec_someone_else") as other,
        pytest.raises(WebhookSignatureError) as caught,
    ):
        other.verify_webhook(body, signature)
    assert caught.value.code == "invalid_signature"
    for missing in ("", None):
        with pytest.raises(WebhookSignatureError) as caught:
            gateway.verify_webhook(body, missing)
        assert caught.value.code == "missing_signature"
    with (
        emulator.gateway(webhook_secret=None) as unconfigured,
        pytest.raises(WebhookSignatureError),
    ):
        unconfigured.verify_webhook(body, signature)


# --- the child process -------------------------------------------------------------------------

_ORPHAN = """
import sys
from boxoffice.server.stripe.emulator import StripeEmulator
emulator = StripeEmulator().start()
print(emulator.base_url, flush=True)
sys.stdin.read()
"""


def test_no_store_is_pickled(gateway):
    pickle = Path("/tmp/localstripe.pickle")
    before = pickle.stat().st_mtime_ns if pickle.exists() else None
    new_intent(gateway)
    after = pickle.stat().st_mtime_ns if pickle.exists() else None
    assert before == after


def test_emulator_dies_with_its_parent():
    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        stdout = parent.stdout
        assert stdout is not None
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(WAIT + 10)
        base_url = lines[0].strip() if lines else ""
        assert base_url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{base_url}/_boxoffice/health", timeout=5.0, trust_env=False).is_success
        parent.kill()  # no clean-up code runs in the parent
        parent.wait(WAIT)
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base_url}/_boxoffice/health", timeout=0.5, trust_env=False)
            except httpx.TransportError:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the emulator outlived its parent")
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(WAIT)
        for stream in (parent.stdin, parent.stdout):
            if stream is not None:
                stream.close()
