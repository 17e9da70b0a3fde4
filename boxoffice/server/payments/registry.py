"""Payment providers by type: what `POST payment/v1/payment?type=` names.

Providers hold no state, so the registry holds one instance of each; what a payment needs
(session, order, the card gateway…) comes with its `PaymentRequest`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from boxoffice.server.errors import InvalidInput
from boxoffice.server.payments.base import PaymentProvider
from boxoffice.server.payments.card import CardPayment
from boxoffice.server.payments.card_present import CardPresentPayment
from boxoffice.server.payments.cash import CashPayment
from boxoffice.server.payments.free import FreePayment

PROVIDERS: Mapping[str, PaymentProvider] = MappingProxyType(
    {
        provider.type: provider
        for provider in (CardPayment(), CardPresentPayment(), CashPayment(), FreePayment())
    }
)
FREE = PROVIDERS[FreePayment.type]


def get_provider(type: str) -> PaymentProvider:
    """The provider a payment request names by `type` ("card", "cash"; as spelled)."""
    provider = PROVIDERS.get(type)
    if provider is None or not provider.requestable:
        names = [p.type for p in PROVIDERS.values() if p.requestable]
        offered = f"{', '.join(names[:-1])} or {names[-1]}"
        raise InvalidInput(
            f"Payment type {type!r} is not offered here; use {offered}.",
            code="unsupported_payment_type",
            field="type",
        )
    return provider
