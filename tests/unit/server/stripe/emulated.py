"""The training emulator as the Stripe tests use it: cards, a new intent, Stripe.js's confirm
(the fixtures that start the emulator are in conftest.py)."""

from __future__ import annotations

import uuid

import httpx

from boxoffice.server.stripe.emulator import EMULATED_PUBLISHABLE_KEY
from boxoffice.server.stripe.gateway import IntentInfo, ReaderInfo, StripeGateway

WEBHOOK_SECRET = "whsec_test_boxoffice_emulator"
CARD_OK = "4242 4242 4242 4242"
CARD_DECLINED = "4000 0000 0000 0341"
CARD_3DS = "4000 0027 6000 3184"
WAIT = 10.0  # seconds: the upper bound of every wait in these tests


def new_intent(gateway: StripeGateway, amount: int = 2500) -> IntentInfo:
    return gateway.create_intent(
        amount, "eur", metadata={"order_id": "17"}, idempotency_key=str(uuid.uuid4())
    )


def confirm(
    browser: httpx.Client, intent: IntentInfo, number: str, *, secret: str | None = None
) -> httpx.Response:
    return browser.post(
        f"/v1/payment_intents/{intent.id}/confirm",
        data={
            "key": EMULATED_PUBLISHABLE_KEY,
            "client_secret": secret or intent.client_secret or "",
            "payment_method_data[type]": "card",
            "payment_method_data[card][number]": number,
            "payment_method_data[card][exp_month]": "12",
            "payment_method_data[card][exp_year]": "34",
            "payment_method_data[card][cvc]": "123",
            "payment_method_data[billing_details][address][postal_code]": "10115",
        },
    )


# --- Stripe Terminal: card_present test cards and a reader ready to take a payment ---------

CARD_PRESENT_OK = "4242424242424242"
CARD_PRESENT_DECLINED = "4000000000000002"  # generic_decline
CARD_PRESENT_NO_FUNDS = "4000000000009995"  # insufficient_funds
COUNTER_ADDRESS = {"line1": "Hauptstraße 1", "city": "Berlin", "postal_code": "10115"}


def new_card_present_intent(gateway: StripeGateway, amount: int = 2900) -> IntentInfo:
    return gateway.create_intent(
        amount,
        "eur",
        metadata={"order_id": "17"},
        idempotency_key=str(uuid.uuid4()),
        payment_method_types=["card_present"],
    )


def new_reader(
    gateway: StripeGateway, code: str = "simulated-wpe", label: str = "Counter 1"
) -> ReaderInfo:
    location = gateway.create_location("Box office", {**COUNTER_ADDRESS, "country": "DE"})
    return gateway.register_reader(code, label, location.id)
