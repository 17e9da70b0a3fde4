"""Pay a card intent with a Stripe test card on the venue server's Stripe emulator (training mode).

This does what the payment page does with Stripe.js (`confirmCardPayment`): it sends the
publishable key, the intent's client secret and the card to
`POST {emulator}/v1/payment_intents/{id}/confirm`. The emulator's address is the card answer's
`stripe_js_url` without `/js.stripe.com/v3/`. Real Stripe (keys from the environment,
Stripe.js from js.stripe.com) is never sent a card number by this module.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from boxoffice.i18n import _
from boxoffice.sdk.models.payments import PaymentIntentResponse

EMULATOR_JS_PATH = "/js.stripe.com/v3/"
EMULATED_KEY_PREFIX = "pk_test_"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class TrainingCardError(Exception):
    """The emulator could not be reached or gave an answer that is not Stripe's."""


def emulator_base(answer: PaymentIntentResponse) -> str | None:
    """The emulator's base URL if the card answer comes from a server in training mode."""
    js_url = answer.stripe_js_url or ""
    key = answer.publishable_key or ""
    host = urlsplit(js_url).hostname
    if not key.startswith(EMULATED_KEY_PREFIX) or host not in LOOPBACK_HOSTS:
        return None
    if not js_url.endswith(EMULATOR_JS_PATH):
        return None
    return js_url.removesuffix(EMULATOR_JS_PATH)


def _card_form(answer: PaymentIntentResponse, number: str) -> dict[str, str]:
    return {
        "key": answer.publishable_key or "",
        "client_secret": answer.client_secret or "",
        "payment_method_data[type]": "card",
        "payment_method_data[card][number]": number.replace(" ", ""),
        "payment_method_data[card][exp_month]": "12",
        "payment_method_data[card][exp_year]": "34",
        "payment_method_data[card][cvc]": "123",
    }


def _stripe_error(body: Any) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or error.get("code") or _("the card was refused"))
    return None


async def confirm_test_card(
    base_url: str, answer: PaymentIntentResponse, number: str, *, timeout: float = 30.0
) -> str | None:
    """Confirm the answer's intent with test card `number`; None, or Stripe's refusal text.

    The order itself moves on only when the venue server is told (`sdk.payment.reconcile`).
    """
    intent_id = (answer.payment_intent or {}).get("id")
    if not intent_id:
        raise TrainingCardError(_("The payment answer has no card intent to confirm."))
    url = f"{base_url}/v1/payment_intents/{intent_id}/confirm"
    try:
        async with httpx.AsyncClient(timeout=timeout) as http:
            response = await http.post(url, data=_card_form(answer, number))
        body = response.json()
    except httpx.HTTPError as exc:
        raise TrainingCardError(
            _("The Stripe emulator at %(url)s cannot be reached.") % {"url": base_url}
        ) from exc
    except ValueError as exc:
        raise TrainingCardError(_("The Stripe emulator did not answer in JSON.")) from exc
    if response.is_success:
        return None
    return _stripe_error(body) or _("the emulator answered HTTP %(status)s") % {
        "status": response.status_code
    }
