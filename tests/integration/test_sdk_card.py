"""A card payment through the SDK against the venue server's Stripe emulator: the intent,
the card confirmed as Stripe.js would, then reconcile; and a declined card."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from boxoffice.cli.training_card import confirm_test_card, emulator_base
from boxoffice.sdk import SDK
from tests.helpers import factories as f
from tests.integration.test_payments import confirm_card

pytestmark = pytest.mark.integration


@pytest.fixture
async def sdk(live_server) -> AsyncIterator[SDK]:
    async with await SDK.build(live_server.base_url, organizer="demo", max_retries=0) as client:
        await client.authorize()
        yield client


async def card_order(live_server, sdk: SDK) -> int:
    ids = f.make_event(live_server.state)
    order = await sdk.order.create_order(
        [{"quantity": 2, "ticket_config_id": ids["config_ids"][0]}]
    )
    assert order.total == Decimal(50)
    return order.id


async def test_card_payment_through_the_sdk(live_server, sdk):
    order_id = await card_order(live_server, sdk)
    answer = await sdk.payment.create_payment_intent(order_id, type="card")
    assert answer.publishable_key and answer.client_secret and answer.payment_intent
    assert await sdk.payment.get_publishable_key() == answer.publishable_key
    assert answer.payment_intent["amount"] == 5000
    assert answer.order is not None and answer.order.status == "payment_processing"
    again = await sdk.payment.create_payment_intent(order_id)  # a reload of the payment page
    assert again.client_secret == answer.client_secret
    assert confirm_card(live_server, answer.payment_intent, "4242424242424242").status_code == 200
    paid = await sdk.payment.reconcile(order_id)
    assert paid.status == "paid"
    assert (await sdk.order.download_tickets(order_id)).startswith(b"%PDF")


async def test_a_declined_card_leaves_the_order_payable(live_server, sdk):
    order_id = await card_order(live_server, sdk)
    answer = await sdk.payment.create_payment_intent(order_id)
    base = emulator_base(answer)
    assert base is not None  # training mode
    refusal = await confirm_test_card(base, answer, "4000000000000002")
    assert refusal == "Your card was declined."
    assert (await sdk.payment.reconcile(order_id)).status == "declined"
    retry = await sdk.payment.create_payment_intent(order_id)
    assert retry.order is not None and retry.order.status == "payment_processing"
    assert await confirm_test_card(base, retry, "4242 4242 4242 4242") is None
    assert (await sdk.payment.reconcile(order_id)).status == "paid"
