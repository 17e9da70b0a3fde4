"""Stripe Terminal's server-driven integration through the gateway (the real `stripe` library)
against the training emulator: locations, simulated readers, process_payment_intent, the
present_payment_method test helper, cancel_action, a busy or offline reader, the webhooks."""

from __future__ import annotations

import json
import queue
import time

import httpx
import pytest

from boxoffice.server.stripe.emulator import EMULATED_SECRET_KEY
from boxoffice.server.stripe.gateway import PaymentProviderError
from tests.unit.server.stripe.emulated import (
    CARD_PRESENT_DECLINED,
    CARD_PRESENT_NO_FUNDS,
    CARD_PRESENT_OK,
    WAIT,
    confirm,
    new_card_present_intent,
    new_reader,
)


def test_a_simulated_reader_registers_at_a_location_and_is_listed_online(gateway, emulator):
    location = gateway.create_location("Box office", {"country": "DE", "city": "Berlin"})
    assert location.id.startswith("tml_")
    assert location.address["country"] == "DE"
    reader = gateway.register_reader("simulated-wpe", "Counter 1", location.id)
    assert reader.id.startswith("tmr_")
    assert (reader.label, reader.location, reader.status, reader.action) == (
        "Counter 1",
        location.id,
        "online",
        None,
    )
    assert reader.device_type == "simulated_wisepos_e"
    assert reader.online and not reader.livemode and reader.serial_number
    s700 = gateway.register_reader("simulated-s700", "Counter 2", location.id)
    assert s700.device_type == "simulated_stripe_s700"
    assert {r.id for r in gateway.list_readers()} == {reader.id, s700.id}
    assert gateway.retrieve_reader(reader.id) == reader
    raw = httpx.get(
        f"{emulator.base_url}/v1/terminal/readers/{reader.id}",
        headers={"Authorization": f"Bearer {EMULATED_SECRET_KEY}"},
    ).json()
    assert raw["object"] == "terminal.reader"
    assert raw["livemode"] is False
    for name in ("device_sw_version", "ip_address", "last_seen_at", "metadata"):
        assert name in raw


def test_an_unknown_registration_code_is_refused(gateway):
    with pytest.raises(PaymentProviderError) as caught:
        gateway.register_reader("purple-cat-seven", "Counter 1", None)
    assert caught.value.http_status == 400
    assert gateway.list_readers() == []


def test_a_tap_with_4242_pays_the_intent(gateway):
    reader = new_reader(gateway)
    intent = new_card_present_intent(gateway)
    assert intent.payment_method_types == ("card_present",)
    assert intent.capture_method == "automatic"
    waiting = gateway.process_payment_intent(reader.id, intent.id)
    assert waiting.action is not None
    assert (waiting.action.type, waiting.action.status, waiting.action.payment_intent) == (
        "process_payment_intent",
        "in_progress",
        intent.id,
    )
    assert gateway.retrieve_reader(reader.id).action == waiting.action
    done = gateway.present_payment_method(reader.id, CARD_PRESENT_OK)
    assert done.action is not None and done.action.status == "succeeded"
    assert done.action.failure_code is None
    paid = gateway.retrieve_intent(intent.id)
    assert (paid.status, paid.amount_received) == ("succeeded", 2900)


def test_the_default_presented_card_approves(gateway):
    reader = new_reader(gateway)
    intent = new_card_present_intent(gateway)
    gateway.process_payment_intent(reader.id, intent.id)
    done = gateway.present_payment_method(reader.id)
    assert done.action is not None and done.action.status == "succeeded"
    assert gateway.retrieve_intent(intent.id).status == "succeeded"


@pytest.mark.parametrize(
    ("number", "decline_code"),
    [(CARD_PRESENT_DECLINED, "generic_decline"), (CARD_PRESENT_NO_FUNDS, "insufficient_funds")],
)
def test_a_declined_card_fails_the_action_and_the_intent_stays_payable(
    gateway, number, decline_code
):
    reader = new_reader(gateway)
    intent = new_card_present_intent(gateway)
    gateway.process_payment_intent(reader.id, intent.id)
    failed = gateway.present_payment_method(reader.id, number)
    assert failed.action is not None
    assert (failed.action.status, failed.action.failure_code) == ("failed", "card_declined")
    assert failed.action.failure_message
    assert failed.action.decline_code == decline_code
    again = gateway.retrieve_intent(intent.id)
    assert again.status == "requires_payment_method"
    assert again.last_payment_error is not None
    assert again.last_payment_error.decline_code == decline_code
    # the cashier asks for another card: a second presentation approves
    retry = gateway.process_payment_intent(reader.id, intent.id)
    assert retry.action is not None and retry.action.status == "in_progress"
    done = gateway.present_payment_method(reader.id, CARD_PRESENT_OK)
    assert done.action is not None and done.action.status == "succeeded"
    assert gateway.retrieve_intent(intent.id).status == "succeeded"


def test_cancel_action_frees_the_reader_and_the_intent_stays_payable(gateway):
    reader = new_reader(gateway)
    intent = new_card_present_intent(gateway)
    gateway.process_payment_intent(reader.id, intent.id)
    canceled = gateway.cancel_reader_action(reader.id)
    assert canceled.action is None
    assert gateway.retrieve_reader(reader.id).action is None
    assert gateway.retrieve_intent(intent.id).status == "requires_payment_method"
    with pytest.raises(PaymentProviderError):
        gateway.present_payment_method(reader.id, CARD_PRESENT_OK)
    assert gateway.retrieve_intent(intent.id).status == "requires_payment_method"
    # the order can then be paid another way, or on the reader again
    gateway.process_payment_intent(reader.id, intent.id)
    gateway.present_payment_method(reader.id, CARD_PRESENT_OK)
    assert gateway.retrieve_intent(intent.id).status == "succeeded"


def test_a_busy_reader_refuses_a_second_intent(gateway):
    reader = new_reader(gateway)
    first = new_card_present_intent(gateway)
    second = new_card_present_intent(gateway, 1000)
    gateway.process_payment_intent(reader.id, first.id)
    began = time.monotonic()
    with pytest.raises(PaymentProviderError) as caught:
        gateway.process_payment_intent(reader.id, second.id)
    assert time.monotonic() - began < 0.5  # Stripe-Should-Retry: false, no retries
    assert (caught.value.code, caught.value.http_status) == ("terminal_reader_busy", 409)
    action = gateway.retrieve_reader(reader.id).action
    assert action is not None and action.payment_intent == first.id


def test_an_offline_reader_refuses_with_terminal_reader_offline(gateway, emulator):
    reader = new_reader(gateway)
    intent = new_card_present_intent(gateway)
    emulator.set_reader_online(reader.id, False)
    assert gateway.retrieve_reader(reader.id).status == "offline"
    assert [r.status for r in gateway.list_readers()] == ["offline"]
    with pytest.raises(PaymentProviderError) as caught:
        gateway.process_payment_intent(reader.id, intent.id)
    assert caught.value.code == "terminal_reader_offline"
    emulator.set_reader_online(reader.id, True)
    assert gateway.process_payment_intent(reader.id, intent.id).action is not None


def test_only_a_card_present_intent_that_needs_a_payment_method_goes_to_a_reader(gateway, browser):
    reader = new_reader(gateway)
    card_intent = gateway.create_intent(
        900, "eur", metadata={}, idempotency_key="keyed-card-intent"
    )
    with pytest.raises(PaymentProviderError) as keyed:
        gateway.process_payment_intent(reader.id, card_intent.id)
    assert keyed.value.http_status == 400
    present = new_card_present_intent(gateway)
    gateway.cancel_intent(present.id)
    with pytest.raises(PaymentProviderError) as canceled:
        gateway.process_payment_intent(reader.id, present.id)
    assert canceled.value.code == "payment_intent_unexpected_state"
    assert gateway.retrieve_reader(reader.id).action is None
    # a card_present intent cannot be paid by a typed card on the payment page
    typed = new_card_present_intent(gateway)
    assert confirm(browser, typed, "4242 4242 4242 4242").status_code == 400
    assert gateway.retrieve_intent(typed.id).status == "requires_payment_method"


def test_unknown_reader_is_resource_missing(gateway):
    with pytest.raises(PaymentProviderError) as caught:
        gateway.retrieve_reader("tmr_nothere")
    assert (caught.value.code, caught.value.http_status) == ("resource_missing", 404)


def test_flush_forgets_readers(gateway, emulator):
    new_reader(gateway)
    emulator.flush()
    assert gateway.list_readers() == []


# --- webhooks ---------------------------------------------------------------------------------


def wait_for(
    calls: queue.Queue[tuple[bytes, str | None]], *wanted: tuple[str, str]
) -> dict[str, tuple[bytes, str | None]]:
    """The calls carrying the events `wanted` as (type, object id), in whatever order."""
    found: dict[str, tuple[bytes, str | None]] = {}
    deadline = time.monotonic() + WAIT
    while len(found) < len(wanted) and (left := deadline - time.monotonic()) > 0:
        try:
            body, signature = calls.get(timeout=left)
        except queue.Empty:
            break
        event = json.loads(body)
        if (event["type"], event["data"]["object"]["id"]) in wanted:
            found[event["type"]] = (body, signature)
    missing = [kind for kind, _ in wanted if kind not in found]
    if missing:
        pytest.fail(f"no {missing} within {WAIT} s")
    return found


def test_reader_action_webhooks_arrive_signed(gateway, receiver):
    reader = new_reader(gateway)
    intent = new_card_present_intent(gateway)
    gateway.process_payment_intent(reader.id, intent.id)
    gateway.present_payment_method(reader.id, CARD_PRESENT_DECLINED)
    body, signature = wait_for(receiver[1], ("terminal.reader.action_failed", reader.id))[
        "terminal.reader.action_failed"
    ]
    failed = gateway.verify_webhook(body, signature)
    action = failed["data"]["object"]["action"]
    assert failed["data"]["object"]["object"] == "terminal.reader"
    assert (action["status"], action["failure_code"]) == ("failed", "card_declined")
    assert action["process_payment_intent"]["payment_intent"] == intent.id

    gateway.process_payment_intent(reader.id, intent.id)
    gateway.present_payment_method(reader.id, CARD_PRESENT_OK)
    found = wait_for(
        receiver[1],
        ("terminal.reader.action_succeeded", reader.id),
        ("payment_intent.succeeded", intent.id),
    )
    succeeded = gateway.verify_webhook(*found["terminal.reader.action_succeeded"])
    assert succeeded["data"]["object"]["action"]["status"] == "succeeded"
    paid = gateway.verify_webhook(*found["payment_intent.succeeded"])
    assert paid["data"]["object"]["payment_method_types"] == ["card_present"]


def test_training_readers_outlive_a_restart_with_a_state_file(tmp_path):
    from boxoffice.server.stripe.emulator import StripeEmulator

    state = tmp_path / "training-readers.json"
    with StripeEmulator(terminal_state=state) as first, first.gateway() as gateway:
        location = gateway.create_location("Box office", {"country": "CZ"})
        reader = gateway.register_reader("simulated-s700", "Till 2", location.id)
        intent = new_card_present_intent(gateway)
        gateway.process_payment_intent(reader.id, intent.id)
    with StripeEmulator(terminal_state=state) as second, second.gateway() as gateway:
        again = gateway.retrieve_reader(reader.id)
        assert (again.label, again.location, again.status) == ("Till 2", location.id, "online")
        assert again.action is None  # a restarted reader is doing nothing
        assert [r.id for r in gateway.list_readers(location=location.id)] == [reader.id]
