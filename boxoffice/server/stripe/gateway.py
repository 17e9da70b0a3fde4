"""Stripe PaymentIntents through the official `stripe` library: create, retrieve, cancel,
refund, webhooks.

The same calls work against real Stripe and against the training-mode emulator
(`emulator.py`), so they send only what both accept: no `description`, no
`automatic_payment_methods`, no cancellation reason. Card-only intents ask for
`allowed_payment_method_types=["card"]`: the API version that stripe 16 pins (2026-10-28)
renamed the request parameter `payment_method_types` (still the name in responses), and
the emulator's compatibility layer accepts the new name.

Secret keys and client secrets are never logged and never put into exception messages.
The `stripe` library itself logs whole response bodies (client secrets included) at DEBUG
on its `stripe` logger, so that logger must stay at INFO or above.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # loaded by the first StripeGateway: a server start does without it
    import stripe

logger = logging.getLogger(__name__)

STRIPE_API_BASE = "https://api.stripe.com"
MAX_NETWORK_RETRIES = 2


class PaymentProviderError(Exception):
    """Stripe refused or could not be reached; `code`/`decline_code` are Stripe's own words.

    `code` is Stripe's error code (`card_declined`, `resource_missing`, …) or, when Stripe gave
    none, the error type (`api_connection_error`, `authentication_error`, `api_error`, …).
    `http_status` is None when no HTTP answer came back.
    """

    def __init__(
        self,
        message: str,
        code: str | None = None,
        decline_code: str | None = None,
        *,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.decline_code = decline_code
        self.http_status = http_status

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, code={self.code!r}, "
            f"decline_code={self.decline_code!r}, http_status={self.http_status!r})"
        )


class WebhookSignatureError(PaymentProviderError):
    """A webhook call did not carry a valid `Stripe-Signature` for our endpoint secret."""


@dataclass(frozen=True, slots=True)
class LastPaymentError:
    """Why the latest attempt to pay an intent failed (Stripe's `last_payment_error`)."""

    message: str | None
    code: str | None
    decline_code: str | None = None
    type: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "code": self.code,
            "decline_code": self.decline_code,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class IntentInfo:
    """A PaymentIntent as the order API returns it; `to_wire()` gives Stripe's JSON shape."""

    id: str
    amount: int
    currency: str
    status: str
    client_secret: str | None
    livemode: bool
    created: int
    amount_capturable: int = 0
    amount_received: int = 0
    capture_method: str = "automatic"
    confirmation_method: str = "automatic"
    payment_method_types: tuple[str, ...] = ("card",)
    payment_method: str | None = None
    next_action_type: str | None = None
    last_payment_error: LastPaymentError | None = None
    metadata: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    object: str = "payment_intent"

    def __repr__(self) -> str:
        # The client secret lets anyone pay this intent: keep it out of reprs and logs.
        return (
            f"IntentInfo(id={self.id!r}, status={self.status!r}, amount={self.amount!r}, "
            f"currency={self.currency!r}, livemode={self.livemode!r})"
        )

    @classmethod
    def from_stripe(cls, data: Mapping[str, Any]) -> IntentInfo:
        """Build from a PaymentIntent as Stripe (or the emulator) sends it, as a plain dict."""
        amount = int(data["amount"])
        status = str(data["status"])
        payment_method = data.get("payment_method")
        if isinstance(payment_method, Mapping):
            payment_method = payment_method.get("id")
        next_action = data.get("next_action")
        error = data.get("last_payment_error")
        return cls(
            id=str(data["id"]),
            object=str(data.get("object") or "payment_intent"),
            amount=amount,
            # Fallbacks for servers that leave these out (localstripe without the emulator's
            # compatibility layer): derived from the status as Stripe defines them.
            amount_capturable=_int_or(
                data.get("amount_capturable"), amount if status == "requires_capture" else 0
            ),
            amount_received=_int_or(
                data.get("amount_received"), amount if status == "succeeded" else 0
            ),
            currency=str(data["currency"]),
            client_secret=data.get("client_secret"),
            status=status,
            livemode=bool(data.get("livemode", False)),
            created=int(data.get("created") or 0),
            capture_method=str(data.get("capture_method") or "automatic"),
            confirmation_method=str(data.get("confirmation_method") or "automatic"),
            payment_method_types=tuple(data.get("payment_method_types") or ("card",)),
            payment_method=str(payment_method) if payment_method else None,
            next_action_type=(
                str(next_action.get("type")) if isinstance(next_action, Mapping) else None
            ),
            last_payment_error=(
                LastPaymentError(
                    message=error.get("message"),
                    code=error.get("code"),
                    decline_code=error.get("decline_code"),
                    type=error.get("type"),
                )
                if isinstance(error, Mapping)
                else None
            ),
            metadata=MappingProxyType(
                {str(k): str(v) for k, v in (data.get("metadata") or {}).items()}
            ),
        )

    def to_wire(self) -> dict[str, Any]:
        """Stripe's snake_case PaymentIntent, as Tickethead's `PaymentIntentResponse` embeds it.

        `charges` is kept for the shape only (Stripe dropped it in API version 2022-11-15)
        and is always an empty list; `description` and `on_behalf_of` are never set.
        """
        return {
            "id": self.id,
            "object": self.object,
            "amount": self.amount,
            "amount_capturable": self.amount_capturable,
            "amount_received": self.amount_received,
            "capture_method": self.capture_method,
            "charges": {
                "object": "list",
                "data": [],
                "has_more": False,
                "url": f"/v1/charges?payment_intent={self.id}",
            },
            "client_secret": self.client_secret,
            "confirmation_method": self.confirmation_method,
            "created": self.created,
            "currency": self.currency,
            "description": None,
            "last_payment_error": (
                self.last_payment_error.to_wire() if self.last_payment_error else None
            ),
            "livemode": self.livemode,
            "metadata": dict(self.metadata),
            "next_action": {"type": self.next_action_type} if self.next_action_type else None,
            "on_behalf_of": None,
            "payment_method": self.payment_method,
            "payment_method_options": {},
            "payment_method_types": list(self.payment_method_types),
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class RefundInfo:
    """A Refund as Stripe returns it: money given back on a PaymentIntent's charge."""

    id: str
    amount: int
    currency: str
    payment_intent: str | None
    status: str  # succeeded | pending | requires_action | failed | canceled
    created: int = 0
    failure_reason: str | None = None
    metadata: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_stripe(cls, data: Mapping[str, Any]) -> RefundInfo:
        """Build from a Refund as Stripe (or the emulator) sends it, as a plain dict."""
        intent = data.get("payment_intent")
        if isinstance(intent, Mapping):
            intent = intent.get("id")
        return cls(
            id=str(data["id"]),
            amount=int(data["amount"]),
            currency=str(data["currency"]),
            payment_intent=str(intent) if intent else None,
            status=str(data.get("status") or "succeeded"),
            created=int(data.get("created") or 0),
            failure_reason=data.get("failure_reason"),
            metadata=MappingProxyType(
                {str(k): str(v) for k, v in (data.get("metadata") or {}).items()}
            ),
        )


@dataclass(frozen=True, slots=True)
class LocationInfo:
    """A Terminal Location (`terminal.location`): where readers are registered."""

    id: str
    display_name: str
    livemode: bool = False
    address: Mapping[str, str | None] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_stripe(cls, data: Mapping[str, Any]) -> LocationInfo:
        address = data.get("address") or {}
        return cls(
            id=str(data["id"]),
            display_name=str(data.get("display_name") or ""),
            livemode=bool(data.get("livemode", False)),
            address=MappingProxyType(
                {str(k): (str(v) if v is not None else None) for k, v in address.items()}
            ),
        )


@dataclass(frozen=True, slots=True)
class ReaderAction:
    """What a Terminal reader is doing (Stripe's `reader.action`): for a payment,
    `type` `process_payment_intent` with `status` in_progress → succeeded | failed."""

    type: str
    status: str
    payment_intent: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    decline_code: str | None = None  # from `action.api_error`, when Stripe sends one

    @classmethod
    def from_stripe(cls, data: Mapping[str, Any]) -> ReaderAction:
        kind = str(data["type"])
        detail = data.get(kind)
        intent = detail.get("payment_intent") if isinstance(detail, Mapping) else None
        if isinstance(intent, Mapping):
            intent = intent.get("id")
        api_error = data.get("api_error")
        decline_code = api_error.get("decline_code") if isinstance(api_error, Mapping) else None
        return cls(
            type=kind,
            status=str(data["status"]),
            payment_intent=str(intent) if intent else None,
            failure_code=data.get("failure_code"),
            failure_message=data.get("failure_message"),
            decline_code=str(decline_code) if decline_code else None,
        )


@dataclass(frozen=True, slots=True)
class ReaderInfo:
    """A Terminal reader (`terminal.reader`) of the server-driven integration."""

    id: str
    label: str
    device_type: str
    serial_number: str
    status: str | None  # online | offline
    location: str | None
    livemode: bool = False
    action: ReaderAction | None = None

    @property
    def online(self) -> bool:
        return self.status == "online"

    @classmethod
    def from_stripe(cls, data: Mapping[str, Any]) -> ReaderInfo:
        location = data.get("location")
        if isinstance(location, Mapping):
            location = location.get("id")
        action = data.get("action")
        return cls(
            id=str(data["id"]),
            label=str(data.get("label") or ""),
            device_type=str(data.get("device_type") or ""),
            serial_number=str(data.get("serial_number") or ""),
            status=data.get("status"),
            location=str(location) if location else None,
            livemode=bool(data.get("livemode", False)),
            action=ReaderAction.from_stripe(action) if isinstance(action, Mapping) else None,
        )


def _int_or(value: Any, default: int) -> int:
    return int(value) if value is not None else default


def _key_mode(key: str, prefixes: tuple[str, ...], what: str) -> str:
    """`live` or `test` for a Stripe key; the key itself never appears in the error."""
    for prefix in prefixes:
        for mode in ("live", "test"):
            if key.startswith(f"{prefix}_{mode}_") and len(key) > len(prefix) + len(mode) + 2:
                return mode
    raise ValueError(f"This is not a Stripe {what} key (expected {'_… or '.join(prefixes)}_…).")


class StripeGateway:
    """PaymentIntents for card payments, through one `stripe.StripeClient` (no global api_key).

    Methods are synchronous and may block up to `timeout` seconds per attempt (with up to
    two retries on network errors): call them from worker threads. Every Stripe failure
    comes out as `PaymentProviderError`.
    """

    def __init__(
        self,
        secret_key: str,
        publishable_key: str,
        *,
        api_base: str | None = None,
        webhook_secret: str | None,
        timeout: float = 30.0,
    ) -> None:
        secret_mode = _key_mode(secret_key, ("sk", "rk"), "secret")
        publishable_mode = _key_mode(publishable_key, ("pk",), "publishable")
        if secret_mode != publishable_mode:
            raise ValueError("The secret key and the publishable key are not both live or test.")
        base = api_base.rstrip("/") if api_base else None
        if secret_mode == "live" and base not in (None, STRIPE_API_BASE):
            raise ValueError("A live Stripe key is only ever sent to api.stripe.com.")
        self._publishable_key = publishable_key
        self._webhook_secret = webhook_secret
        self._livemode = secret_mode == "live"
        self._emulated = base not in (None, STRIPE_API_BASE)
        import stripe  # ~40 ms with `requests`: only once a card payment needs the gateway

        self._http_client = stripe.RequestsClient(timeout=timeout)
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": base} if base else None,
            max_network_retries=MAX_NETWORK_RETRIES,
            http_client=self._http_client,
        )

    def __repr__(self) -> str:
        mode = "emulated" if self._emulated else "live" if self._livemode else "test"
        return f"StripeGateway({mode})"

    @property
    def livemode(self) -> bool:
        """True with live keys: real money moves."""
        return self._livemode

    @property
    def emulated(self) -> bool:
        """True when the API is not Stripe's own (the training-mode emulator)."""
        return self._emulated

    @property
    def publishable_key(self) -> str:
        """The key a payment page passes to `Stripe(…)`; public by design."""
        return self._publishable_key

    def close(self) -> None:
        """Close the HTTP connections this thread opened."""
        self._http_client.close()  # type: ignore[no-untyped-call]

    def __enter__(self) -> StripeGateway:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- PaymentIntents --------------------------------------------------------------------

    def create_intent(
        self,
        amount_minor: int,
        currency: str,
        *,
        metadata: Mapping[str, str],
        idempotency_key: str,
        payment_method_types: Sequence[str] = ("card",),
    ) -> IntentInfo:
        """`POST /v1/payment_intents` for a card payment of `amount_minor` (> 0) units.

        `payment_method_types=["card_present"]` makes an intent for a Terminal reader
        (`process_payment_intent`), captured automatically."""
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
            raise TypeError("amount_minor must be an int (minor units)")
        if amount_minor <= 0:
            raise ValueError("A payment intent needs an amount above zero.")
        if len(currency) != 3 or not currency.isalpha():
            raise ValueError("currency must be a three-letter ISO code")
        types = list(payment_method_types)
        if not types or not set(types) <= {"card", "card_present"}:
            raise ValueError("payment_method_types takes card and card_present only")
        params: dict[str, Any] = {
            "amount": amount_minor,
            "currency": currency.lower(),
            "allowed_payment_method_types": types,
            "metadata": {str(k): str(v) for k, v in metadata.items()},
        }
        if "card_present" in types:
            params["capture_method"] = "automatic"
        with _translated_errors("create"):
            intent = self._client.v1.payment_intents.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        info = IntentInfo.from_stripe(intent.to_dict())
        logger.info("Payment intent %s created: %d %s", info.id, info.amount, info.currency)
        return info

    def retrieve_intent(self, intent_id: str) -> IntentInfo:
        """`GET /v1/payment_intents/{id}`."""
        with _translated_errors("retrieve"):
            intent = self._client.v1.payment_intents.retrieve(intent_id)
        return IntentInfo.from_stripe(intent.to_dict())

    def cancel_intent(self, intent_id: str) -> IntentInfo:
        """`POST /v1/payment_intents/{id}/cancel`; refused once the intent has succeeded."""
        with _translated_errors("cancel"):
            intent = self._client.v1.payment_intents.cancel(intent_id)
        info = IntentInfo.from_stripe(intent.to_dict())
        logger.info("Payment intent %s canceled", info.id)
        return info

    # --- Refunds ---------------------------------------------------------------------------

    def create_refund(
        self,
        payment_intent: str,
        amount_minor: int,
        *,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> RefundInfo:
        """`POST /v1/refunds`: give `amount_minor` (> 0) back on a succeeded intent. The same
        `idempotency_key` with the same parameters returns the first refund again (no second
        refund), so a retry after a lost answer or a failed commit is safe."""
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
            raise TypeError("amount_minor must be an int (minor units)")
        if amount_minor <= 0:
            raise ValueError("A refund needs an amount above zero.")
        with _translated_errors("refund"):
            refund = self._client.v1.refunds.create(
                params={
                    "payment_intent": payment_intent,
                    "amount": amount_minor,
                    "metadata": {str(k): str(v) for k, v in metadata.items()},
                },
                options={"idempotency_key": idempotency_key},
            )
        info = RefundInfo.from_stripe(refund.to_dict())
        logger.info(
            "Refund %s of %d %s on %s: %s",
            info.id,
            info.amount,
            info.currency,
            payment_intent,
            info.status,
        )
        return info

    def retrieve_refund(self, refund_id: str) -> RefundInfo:
        """`GET /v1/refunds/{id}`."""
        with _translated_errors("retrieve refund"):
            refund = self._client.v1.refunds.retrieve(refund_id)
        return RefundInfo.from_stripe(refund.to_dict())

    # --- Terminal (server-driven readers) ---------------------------------------------------

    def create_location(self, display_name: str, address: Mapping[str, str]) -> LocationInfo:
        """`POST /v1/terminal/locations`: where readers are registered (`address[country]`
        is required by Stripe)."""
        with _terminal_errors("create location"):
            params: dict[str, Any] = {"display_name": display_name, "address": dict(address)}
            location = self._client.v1.terminal.locations.create(
                params=params  # type: ignore[arg-type]
            )
        return LocationInfo.from_stripe(location.to_dict())

    def register_reader(
        self, registration_code: str, label: str, location: str | None
    ) -> ReaderInfo:
        """`POST /v1/terminal/readers`: pair a reader by the code it shows (`simulated-wpe` /
        `simulated-s700` register a simulated reader in test mode)."""
        params: dict[str, Any] = {"registration_code": registration_code, "label": label}
        if location:
            params["location"] = location
        with _terminal_errors("register reader"):
            reader = self._client.v1.terminal.readers.create(
                params=params  # type: ignore[arg-type]
            )
        info = ReaderInfo.from_stripe(reader.to_dict())
        logger.info("Terminal reader %s registered (%s)", info.id, info.device_type)
        return info

    def list_readers(self, *, location: str | None = None) -> list[ReaderInfo]:
        """`GET /v1/terminal/readers` (the first 100)."""
        params: dict[str, Any] = {"limit": 100}
        if location:
            params["location"] = location
        with _terminal_errors("list readers"):
            readers = self._client.v1.terminal.readers.list(
                params=params  # type: ignore[arg-type]
            )
        return [ReaderInfo.from_stripe(reader.to_dict()) for reader in readers.data]

    def retrieve_reader(self, reader_id: str) -> ReaderInfo:
        """`GET /v1/terminal/readers/{id}`: its `status` and current `action`."""
        with _terminal_errors("retrieve reader"):
            reader = self._client.v1.terminal.readers.retrieve(reader_id)
        return ReaderInfo.from_stripe(reader.to_dict())

    def process_payment_intent(self, reader_id: str, intent_id: str) -> ReaderInfo:
        """`POST /v1/terminal/readers/{id}/process_payment_intent`: the reader asks for the
        card; the answer comes at once with the action `in_progress`. Refused with
        `terminal_reader_busy` or `terminal_reader_offline`."""
        with _terminal_errors("process payment intent"):
            reader = self._client.v1.terminal.readers.process_payment_intent(
                reader_id, params={"payment_intent": intent_id}
            )
        info = ReaderInfo.from_stripe(reader.to_dict())
        logger.info("Terminal reader %s collecting payment intent %s", reader_id, intent_id)
        return info

    def cancel_reader_action(self, reader_id: str) -> ReaderInfo:
        """`POST /v1/terminal/readers/{id}/cancel_action`: the intent stays payable."""
        with _terminal_errors("cancel reader action"):
            reader = self._client.v1.terminal.readers.cancel_action(reader_id)
        logger.info("Terminal reader %s action canceled", reader_id)
        return ReaderInfo.from_stripe(reader.to_dict())

    def present_payment_method(self, reader_id: str, card_number: str | None = None) -> ReaderInfo:
        """Test mode only: `POST /v1/test_helpers/terminal/readers/{id}/present_payment_method`
        plays the customer's card on a simulated reader (a card_present test number, or
        Stripe's default approved card)."""
        params: dict[str, Any] = {"type": "card_present"}
        if card_number:
            params["card_present"] = {"number": card_number}
        with _terminal_errors("present payment method"):
            reader = self._client.v1.test_helpers.terminal.readers.present_payment_method(
                reader_id,
                params=params,  # type: ignore[arg-type]
            )
        return ReaderInfo.from_stripe(reader.to_dict())

    # --- webhooks --------------------------------------------------------------------------

    def verify_webhook(self, payload: bytes, signature_header: str | None) -> dict[str, Any]:
        """The event of a webhook call, after checking its `Stripe-Signature` header.

        Raises `WebhookSignatureError` when no endpoint secret is configured, the header is
        missing, the signature does not match the raw `payload` or is older than 5 minutes.
        """
        if not self._webhook_secret:
            raise WebhookSignatureError(
                "No webhook endpoint secret is configured.", "webhook_secret_not_configured"
            )
        if not signature_header:
            raise WebhookSignatureError(
                "The webhook call has no Stripe-Signature header.", "missing_signature"
            )
        import stripe  # already loaded by __init__

        try:
            event = self._client.construct_event(payload, signature_header, self._webhook_secret)
        except stripe.SignatureVerificationError:
            raise WebhookSignatureError(
                "The webhook signature does not match the payload.", "invalid_signature"
            ) from None
        except ValueError:
            raise WebhookSignatureError(
                "The webhook payload is not a Stripe event.", "invalid_payload"
            ) from None
        return event.to_dict()


@contextmanager
def _translated_errors(operation: str) -> Iterator[None]:
    """Turn any `stripe.StripeError` raised in the block into a `PaymentProviderError`."""
    import stripe  # already loaded: only a StripeGateway calls this

    try:
        yield
    except stripe.StripeError as exc:
        error = _provider_error(exc)
        logger.info("Stripe %s failed: %s (HTTP %s)", operation, error.code, error.http_status)
        raise error from exc


@contextmanager
def _terminal_errors(operation: str) -> Iterator[None]:
    """`_translated_errors` for Terminal calls: Stripe answers a busy reader with HTTP 409,
    which the `stripe` library raises as a plain `APIError` without its code; the code
    (`terminal_reader_busy`) is taken from the error body then."""
    import stripe  # already loaded: only a StripeGateway calls this

    try:
        yield
    except stripe.StripeError as exc:
        error = _provider_error(exc)
        body_code = getattr(exc.error, "code", None) if exc.error is not None else None
        if exc.code is None and body_code:
            error.code = str(body_code)
        logger.info("Stripe %s failed: %s (HTTP %s)", operation, error.code, error.http_status)
        raise error from exc


def _provider_error(exc: stripe.StripeError) -> PaymentProviderError:
    import stripe  # already loaded: `exc` is one of its errors

    error_types: tuple[tuple[type[stripe.StripeError], str], ...] = (
        (stripe.CardError, "card_error"),
        (stripe.InvalidRequestError, "invalid_request_error"),
        (stripe.AuthenticationError, "authentication_error"),
        (stripe.PermissionError, "permission_error"),
        (stripe.RateLimitError, "rate_limit_error"),
        (stripe.IdempotencyError, "idempotency_error"),
        (stripe.APIConnectionError, "api_connection_error"),
    )
    kind = next((name for cls, name in error_types if isinstance(exc, cls)), "api_error")
    detail = exc.error
    decline_code = getattr(detail, "decline_code", None) if detail is not None else None
    message = exc.user_message or "Stripe could not process the request."
    if kind == "api_connection_error":
        message = "Could not reach Stripe."
    return PaymentProviderError(
        str(message),
        exc.code or kind,
        str(decline_code) if decline_code else None,
        http_status=exc.http_status,
    )
