"""Refunds through the Stripe gateway against the training emulator: Stripe's Refund shape,
partial refunds, no more back than was captured, idempotency, and what cannot be refunded."""

from __future__ import annotations

import uuid

import httpx
import pytest

from boxoffice.server.stripe.emulator import EMULATED_SECRET_KEY
from boxoffice.server.stripe.gateway import IntentInfo, PaymentProviderError, StripeGateway
from tests.unit.server.stripe.emulated import CARD_OK, confirm, new_intent


def paid_intent(gateway: StripeGateway, browser: httpx.Client, amount: int = 2500) -> IntentInfo:
    intent = new_intent(gateway, amount)
    answer = confirm(browser, intent, CARD_OK)
    assert answer.status_code == 200, answer.text
    assert gateway.retrieve_intent(intent.id).status == "succeeded"
    return intent


def test_a_refund_has_stripes_shape_and_can_be_read_back(gateway, browser, emulator):
    intent = paid_intent(gateway, browser)
    refund = gateway.create_refund(
        intent.id, 1000, idempotency_key=str(uuid.uuid4()), metadata={"order_id": "17"}
    )
    assert refund.id.startswith("re_")
    assert (refund.amount, refund.currency, refund.status) == (1000, "eur", "succeeded")
    assert refund.payment_intent == intent.id
    assert dict(refund.metadata) == {"order_id": "17"}
    assert gateway.retrieve_refund(refund.id) == refund
    raw = httpx.get(
        f"{emulator.base_url}/v1/refunds/{refund.id}",
        headers={"Authorization": f"Bearer {EMULATED_SECRET_KEY}"},
    ).json()
    assert raw["object"] == "refund"
    for name in ("charge", "created", "balance_transaction", "reason", "receipt_number"):
        assert name in raw
    assert "date" not in raw


def test_partial_refunds_add_up_to_the_captured_amount_and_no_more(gateway, browser):
    intent = paid_intent(gateway, browser, 2500)
    gateway.create_refund(intent.id, 1000, idempotency_key=str(uuid.uuid4()), metadata={})
    with pytest.raises(PaymentProviderError) as too_much:
        gateway.create_refund(intent.id, 1600, idempotency_key=str(uuid.uuid4()), metadata={})
    assert too_much.value.code == "amount_too_large"
    gateway.create_refund(intent.id, 1500, idempotency_key=str(uuid.uuid4()), metadata={})
    with pytest.raises(PaymentProviderError) as done:
        gateway.create_refund(intent.id, 1, idempotency_key=str(uuid.uuid4()), metadata={})
    assert done.value.code == "charge_already_refunded"


def test_the_same_idempotency_key_refunds_once(gateway, browser):
    intent = paid_intent(gateway, browser, 2500)
    key = str(uuid.uuid4())
    first = gateway.create_refund(intent.id, 2500, idempotency_key=key, metadata={})
    again = gateway.create_refund(intent.id, 2500, idempotency_key=key, metadata={})
    assert again.id == first.id
    with pytest.raises(PaymentProviderError) as other:
        gateway.create_refund(intent.id, 1000, idempotency_key=key, metadata={})
    assert other.value.code == "idempotency_error"


def test_an_unpaid_or_unknown_intent_cannot_be_refunded(gateway):
    intent = new_intent(gateway)
    with pytest.raises(PaymentProviderError) as unpaid:
        gateway.create_refund(intent.id, 100, idempotency_key=str(uuid.uuid4()), metadata={})
    assert unpaid.value.code == "charge_not_refundable"
    with pytest.raises(PaymentProviderError) as unknown:
        gateway.create_refund("pi_nothere", 100, idempotency_key=str(uuid.uuid4()), metadata={})
    assert unknown.value.code == "resource_missing"
    with pytest.raises(PaymentProviderError) as missing:
        gateway.retrieve_refund("re_nothere")
    assert missing.value.code == "resource_missing"


def test_a_publishable_key_cannot_refund(browser, gateway):
    answer = browser.post(
        "/v1/refunds", data={"key": gateway.publishable_key, "payment_intent": "pi_x"}
    )
    assert answer.status_code == 401
