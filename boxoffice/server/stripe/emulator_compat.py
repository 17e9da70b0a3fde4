"""The Stripe.js compatibility layer in front of localstripe (runs in the emulator process).

localstripe lacks what a payment page written for real Stripe.js needs; one middleware adds:

- the publishable key plus an intent's `client_secret` may retrieve that one intent
  (`GET /v1/payment_intents/{id}`), confirm it with the typed card
  (`POST …/confirm` with `payment_method_data[card][…]`) and finish 3-D Secure
  (`POST …/_authenticate?success=true|false`); the card becomes a localstripe
  PaymentMethod and the intent is confirmed server-side, as localstripe cannot confirm
  with a payment method;
- Stripe-shaped answers: card errors are `card_error` with a `decline_code`, intents carry
  `amount_received`, `amount_capturable`, `payment_method_types`, … (also in webhooks);
- intent creation takes the current API's `allowed_payment_method_types` (card, card_present) and
  honours `Idempotency-Key` (same key and parameters: the first answer again);
- refunds by `payment_intent` (`POST /v1/refunds`, `GET /v1/refunds/{id}`) in Stripe's shape,
  refusing more than the intent captured and honouring `Idempotency-Key` the same way;
- a Stripe Terminal (server-driven integration, `TerminalEmulator`): locations, simulated
  readers (`simulated-wpe`, `simulated-s700`), `process_payment_intent`, `cancel_action`, the
  test helper `present_payment_method` with card_present test cards, the reader-action
  webhooks, and an emulator-only switch that takes a reader offline;
- the Stripe.js shim from `resources/web/stripe-emulator/stripe.js` at `/js.stripe.com/v3/`;
- live keys are refused, `/_config/` needs a test secret key, Host must be loopback.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import re
import secrets
import string
import warnings
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from boxoffice.paths import resource

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
EXIT_BIND_FAILED = 3
SHIM_PATH = "/js.stripe.com/v3/"
HEALTH_PATH = "/_boxoffice/health"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_INTENT_PATH = re.compile(
    r"^/v1/payment_intents/(?P<id>pi_[A-Za-z0-9]+)(?P<action>/confirm|/_authenticate)?$"
)
_REFUND_PATH = re.compile(r"^/v1/refunds/(?P<id>re_[A-Za-z0-9]+)$")
_WEBHOOK_CONFIG_PATH = re.compile(r"^/_config/webhooks/(?P<name>[^/]+)$")
_LIVE_KEY = re.compile(r"^(sk|pk|rk)_live_")
_ID_ALPHABET = string.ascii_letters + string.digits

# What a publishable key sees of an intent (real Stripe also hides metadata, customer, …).
_PUBLIC_FIELDS = (
    "id",
    "object",
    "amount",
    "canceled_at",
    "cancellation_reason",
    "capture_method",
    "client_secret",
    "confirmation_method",
    "created",
    "currency",
    "description",
    "last_payment_error",
    "livemode",
    "next_action",
    "payment_method",
    "payment_method_types",
    "status",
)


@dataclass(frozen=True, slots=True)
class Decline:
    code: str
    decline_code: str
    message: str


GENERIC_DECLINE = Decline("card_declined", "generic_decline", "Your card was declined.")

# Stripe's decline test cards. localstripe declines only 0341 (and two 3-D Secure cards) on a
# PaymentIntent; the others are added here so that they decline as on real Stripe.
DECLINES: Mapping[str, Decline] = {
    "4000000000000002": GENERIC_DECLINE,
    "4000000000000341": GENERIC_DECLINE,
    "4000000000009995": Decline(
        "card_declined", "insufficient_funds", "Your card has insufficient funds."
    ),
    "4000000000009987": Decline("card_declined", "lost_card", "Your card was declined."),
    "4000000000009979": Decline("card_declined", "stolen_card", "Your card was declined."),
    "4000000000000069": Decline("expired_card", "expired_card", "Your card has expired."),
    "4000000000000127": Decline(
        "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."
    ),
    "4000000000000119": Decline(
        "processing_error",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}


class Reject(Exception):
    """An answer in Stripe's error shape, raised anywhere in the layer."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        error: dict[str, Any] = {"type": type, "message": message}
        if code:
            error["code"] = code
        if param:
            error["param"] = param
        error.update(extra)
        self.status = status
        self.error = error

    def response(self) -> web.Response:
        return web.json_response({"error": self.error}, status=self.status)


def card_error(code: str, message: str, param: str) -> Reject:
    return Reject(402, message, type="card_error", code=code, param=param)


def luhn_ok(number: str) -> bool:
    total = 0
    for i, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def validated_card(card: Mapping[str, Any], *, today: datetime) -> dict[str, Any]:
    """The four fields localstripe wants, or the card error real Stripe would give."""
    number = re.sub(r"[\s-]", "", str(card.get("number") or ""))
    if not number:
        raise Reject(
            400,
            "Missing required param: payment_method_data[card][number].",
            code="parameter_missing",
            param="payment_method_data[card][number]",
        )
    if not number.isdigit() or not 12 <= len(number) <= 19:
        raise card_error("invalid_number", "Your card number is invalid.", "number")
    if not luhn_ok(number):
        raise card_error("incorrect_number", "Your card number is incorrect.", "number")
    if len(number) != 16:
        raise card_error(
            "invalid_number", "The Stripe emulator takes 16-digit test cards only.", "number"
        )
    try:
        month = int(str(card.get("exp_month")))
    except ValueError:
        month = 0
    try:
        year = int(str(card.get("exp_year")))
    except ValueError:
        year = 0
    if 0 <= year < 100:
        year += 2000
    if not 1 <= month <= 12:
        raise card_error(
            "invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month"
        )
    if not today.year <= year <= today.year + 50:
        raise card_error(
            "invalid_expiry_year", "Your card's expiration year is invalid.", "exp_year"
        )
    if year == today.year and month < today.month:
        raise card_error(
            "invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month"
        )
    cvc = str(card.get("cvc") or "")
    if not (cvc.isdigit() and len(cvc) == 3):
        raise card_error("invalid_cvc", "Your card's security code is invalid.", "cvc")
    return {"number": number, "exp_month": month, "exp_year": year, "cvc": cvc}


def request_key(request: web.Request, params: Mapping[str, Any]) -> str | None:
    """The API key of a request: `Authorization` (Bearer or Basic) or a `key` parameter."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            return base64.b64decode(value.strip()).decode().split(":", 1)[0]
        except (binascii.Error, UnicodeDecodeError):
            return None
    key = params.get("key")
    return key if isinstance(key, str) and key else None


def parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


class CompatLayer:
    """The Stripe.js-facing layer over localstripe's objects (all calls run on the loop)."""

    def __init__(
        self,
        resources: Any,
        server: Any,
        webhooks: Any,
        *,
        port: int,
        terminal_state: Path | None = None,
    ) -> None:
        self._ls = resources  # the localstripe modules
        self._server = server
        self._webhooks = webhooks
        self._store: dict[str, Any] = resources.store
        self._user_error: type[Exception] = resources.UserError
        self._hosts = {f"{HOST}:{port}", f"localhost:{port}"}
        # (Idempotency-Key) → (path and parameters, status, body) of intent and refund
        # creations, until a flush.
        self._created: dict[str, tuple[str, int, dict[str, Any]]] = {}
        self.terminal = TerminalEmulator(self, terminal_state)

    # --- dispatch ----------------------------------------------------------------------

    async def dispatch(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            if request.host not in self._hosts:
                raise Reject(421, "The Stripe emulator answers only on 127.0.0.1.")
            if request.method == "OPTIONS":
                return web.Response(status=204)
            if request.path in (SHIM_PATH, SHIM_PATH.rstrip("/")) and request.method == "GET":
                return self._shim()
            if request.path == HEALTH_PATH:
                return web.json_response({"status": "ok", "livemode": False})
            params = await self._params(request)
            key = request_key(request, params)
            if key and _LIVE_KEY.match(key):
                raise Reject(401, "The Stripe emulator never takes live keys.")
            if request.path.startswith("/_config/"):
                return await self._config(request, handler, key)
            intent_path = _INTENT_PATH.match(request.path)
            if intent_path and key and key.startswith("pk_"):
                return self._publishable(request.method, intent_path, params)
            if (
                request.path == "/v1/payment_intents"
                and request.method == "POST"
                and key
                and key.startswith("sk_")
            ):
                return self._create(params, request.headers.get("Idempotency-Key"))
            if request.path.startswith("/v1/refunds") and not (key and key.startswith("sk_")):
                raise Reject(
                    401,
                    "This API call cannot be made with a publishable API key. "
                    "Please use a secret API key.",
                )
            if request.path == "/v1/refunds" and request.method == "POST":
                return self._idempotent(
                    "refund",
                    params,
                    request.headers.get("Idempotency-Key"),
                    self._create_refund,
                )
            terminal_path = _TERMINAL_PATH.match(request.path)
            if terminal_path:
                if not (key and key.startswith("sk_")):
                    raise Reject(
                        401,
                        "This API call cannot be made with a publishable API key. "
                        "Please use a secret API key.",
                    )
                return self.terminal.handle(request.method, terminal_path, params)
            response = await handler(request)
            if request.path.startswith("/v1/payment_intents"):
                return self._reshape(response, intent_path)
            if request.path.startswith("/v1/refunds"):
                return self._reshape_refund(response, _REFUND_PATH.match(request.path))
            return response
        except Reject as reject:
            return reject.response()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        """Query and body parameters, `a[b][c]=…` unflattened as localstripe does."""
        params: dict[str, Any] = dict(self._server.unflatten_data(request.query) or {})
        if request.method == "POST" and request.can_read_body:
            body = await self._server.get_post_data(request, remove_auth=False)
            if isinstance(body, Mapping):
                params.update(body)
        return params

    def _shim(self) -> web.Response:
        path = resource("web", "stripe-emulator", "stripe.js")
        return web.Response(
            text=path.read_text(encoding="utf-8"),
            content_type="application/javascript",
            charset="utf-8",
            headers={"Cache-Control": "no-store"},
        )

    async def _config(
        self, request: web.Request, handler: Handler, key: str | None
    ) -> web.StreamResponse:
        if not (key and key.startswith("sk_test_")):
            raise Reject(401, "The emulator's /_config/ endpoints need a test secret key.")
        webhook = _WEBHOOK_CONFIG_PATH.match(request.path)
        if webhook and request.method == "DELETE":
            self._webhooks._webhooks.pop(webhook["name"], None)
            return web.Response()
        if request.path == "/_config/data" and request.method == "DELETE":
            self._created.clear()
            self.terminal.flush()
        return await handler(request)

    # --- intents created with a secret key -----------------------------------------------

    def _create(self, params: Mapping[str, Any], idempotency_key: str | None) -> web.Response:
        """`POST /v1/payment_intents`, replayed for a repeated `Idempotency-Key`."""
        return self._idempotent("intent", params, idempotency_key, self._create_intent)

    def _idempotent(
        self,
        what: str,
        params: Mapping[str, Any],
        idempotency_key: str | None,
        make: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> web.Response:
        """Run a creation once per `Idempotency-Key`: the same key with the same parameters
        gives the first answer again, with others `400 idempotency_error`, as Stripe does."""
        fingerprint = json.dumps([what, params], sort_keys=True, default=str)
        if idempotency_key and idempotency_key in self._created:
            first, status, body = self._created[idempotency_key]
            if first != fingerprint:
                raise Reject(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with.",
                    type="idempotency_error",
                )
            return web.json_response(body, status=status, headers={"Idempotent-Replayed": "true"})
        try:
            status, body = 200, make(dict(params))
        except Reject as reject:
            status, body = reject.status, {"error": reject.error}
        if idempotency_key and status < 500:
            self._created[idempotency_key] = (fingerprint, status, body)
        return web.json_response(body, status=status)

    def _create_intent(self, params: dict[str, Any]) -> dict[str, Any]:
        params.pop("key", None)
        expand = params.pop("expand", None)
        allowed = params.pop("allowed_payment_method_types", None)
        legacy = params.pop("payment_method_types", None)
        types = allowed if allowed is not None else legacy if legacy is not None else ["card"]
        if not isinstance(types, list) or not types or not set(types) <= {"card", "card_present"}:
            raise Reject(
                400,
                "The Stripe emulator takes card and card_present payments only.",
                param="allowed_payment_method_types",
            )
        try:
            intent = self._ls.PaymentIntent._api_create(**params)
        except self._user_error as exc:
            raise self._rejected(exc) from None
        intent.payment_method_types = list(dict.fromkeys(types))
        return self.full_view(intent._export(expand=expand))

    def _rejected(self, exc: Exception) -> Reject:
        """A localstripe `UserError` as a Stripe-shaped answer."""
        status = int(getattr(exc, "code", 500))
        error = dict((getattr(exc, "body", None) or {}).get("error") or {})
        reject = Reject(status, str(error.get("message") or "Bad request"))
        if error.get("code"):
            reject.error["code"] = error["code"]
        return reject

    # --- refunds ------------------------------------------------------------------------

    def _create_refund(self, params: dict[str, Any]) -> dict[str, Any]:
        """`POST /v1/refunds` by `payment_intent`: at most what the intent captured, less
        what was refunded of it already (Stripe's `amount_too_large` /
        `charge_already_refunded`)."""
        params.pop("key", None)
        params.pop("expand", None)
        intent_id = params.pop("payment_intent", None)
        amount_param = params.pop("amount", None)
        metadata = params.pop("metadata", None) or {}
        params.pop("reason", None)  # Stripe's own reasons; nothing to do with them here
        if params:
            raise Reject(400, f"Received unknown parameter: {sorted(params)[0]}")
        if not isinstance(intent_id, str) or not intent_id:
            raise Reject(
                400,
                "The Stripe emulator refunds by payment_intent only.",
                code="parameter_missing",
                param="payment_intent",
            )
        intent = self._store.get(f"payment_intent:{intent_id}")
        if intent is None:
            raise Reject(
                404,
                f"No such payment_intent: '{intent_id}'",
                code="resource_missing",
                param="payment_intent",
            )
        if intent.status != "succeeded" or intent.latest_charge is None:
            raise Reject(
                400,
                f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
                code="charge_not_refundable",
                param="payment_intent",
            )
        charge_id = intent.latest_charge.id
        refunded = sum(
            r.amount
            for name, r in list(self._store.items())
            if name.startswith("refund:")
            and getattr(r, "charge", None) == charge_id
            and getattr(r, "status", None) == "succeeded"
        )
        left = int(intent.amount) - refunded
        try:
            amount = left if amount_param is None else int(str(amount_param))
        except ValueError:
            raise Reject(400, "Invalid integer: amount", param="amount") from None
        if amount <= 0:
            raise Reject(
                400, "Invalid positive integer", code="parameter_invalid_integer", param="amount"
            )
        if left <= 0:
            raise Reject(
                400,
                f"Charge {charge_id} has already been refunded.",
                code="charge_already_refunded",
            )
        if amount > left:
            raise Reject(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left}).",
                code="amount_too_large",
                param="amount",
            )
        if not isinstance(metadata, Mapping):
            raise Reject(400, "Invalid object", param="metadata")
        try:
            refund = self._ls.Refund(
                payment_intent=intent_id, amount=amount, metadata=dict(metadata)
            )
        except self._user_error as exc:
            raise self._rejected(exc) from None
        return self.refund_view(refund._export())

    def refund_view(self, data: dict[str, Any]) -> dict[str, Any]:
        """A localstripe refund export with the fields of Stripe's Refund object."""
        data.pop("date", None)
        if data.get("payment_intent") is None:
            charge = self._store.get(f"charge:{data.get('charge')}")
            data["payment_intent"] = getattr(charge, "payment_intent", None)
        for absent in (
            "reason",
            "receipt_number",
            "source_transfer_reversal",
            "transfer_reversal",
            "failure_reason",
            "description",
        ):
            data.setdefault(absent, None)
        data.setdefault("destination_details", {"type": "card", "card": {"type": "refund"}})
        data["object"] = "refund"
        return data

    def _reshape_refund(
        self, response: web.StreamResponse, refund_path: re.Match[str] | None
    ) -> web.StreamResponse:
        """Give localstripe's refund answers (and errors) Stripe's shape."""
        body = _json_object(response)
        if body is None:
            return response
        error = body.get("error")
        if isinstance(error, dict):
            if response.status == 404 and refund_path:
                error.update(
                    type="invalid_request_error",
                    code="resource_missing",
                    param="id",
                    message=f"No such refund: '{refund_path['id']}'",
                )
        elif body.get("object") == "refund":
            body = self.refund_view(body)
        elif body.get("object") == "list":
            body["data"] = [
                self.refund_view(item) if item.get("object") == "refund" else item
                for item in body.get("data") or []
            ]
        return web.json_response(body, status=response.status)

    # --- intents seen through a publishable key ----------------------------------------

    def _publishable(
        self, method: str, match: re.Match[str], params: Mapping[str, Any]
    ) -> web.Response:
        intent_id, action = match["id"], match["action"]
        if method == "GET" and action is None:
            return web.json_response(self.public_view(self._authorized_intent(intent_id, params)))
        if method == "POST" and action == "/confirm":
            return self._confirm(self._authorized_intent(intent_id, params), params)
        if method == "POST" and action == "/_authenticate":
            return self._authenticate(self._authorized_intent(intent_id, params), params)
        raise Reject(
            401,
            "This API call cannot be made with a publishable API key. Please use a secret API key.",
        )

    def _authorized_intent(self, intent_id: str, params: Mapping[str, Any]) -> Any:
        intent = self._store.get(f"payment_intent:{intent_id}")
        if intent is None:
            raise Reject(
                404,
                f"No such payment_intent: '{intent_id}'",
                code="resource_missing",
                param="intent",
            )
        secret = params.get("client_secret")
        if not isinstance(secret, str) or not secret:
            raise Reject(
                401,
                "A publishable key needs the PaymentIntent's client_secret for this call.",
                code="parameter_missing",
                param="client_secret",
            )
        if not hmac.compare_digest(secret.encode(), str(intent.client_secret).encode()):
            raise Reject(
                403,
                "The client_secret provided does not match the client_secret associated with "
                "the PaymentIntent.",
                code="payment_intent_invalid_parameter",
                param="client_secret",
            )
        return intent

    def _confirm(self, intent: Any, params: Mapping[str, Any]) -> web.Response:
        status = intent.status
        if "card" not in (getattr(intent, "payment_method_types", None) or ["card"]):
            raise Reject(
                400,
                "This PaymentIntent takes card_present payments only: present the card to a "
                "reader.",
                code="payment_intent_invalid_parameter",
                param="payment_method_data",
                payment_intent=self.public_view(intent),
            )
        if status not in ("requires_payment_method", "requires_confirmation"):
            raise Reject(
                400,
                f"You cannot confirm this PaymentIntent because it has a status of {status}.",
                code="payment_intent_unexpected_state",
                payment_intent=self.public_view(intent),
            )
        try:
            method = self._payment_method(params)
        except Reject as reject:
            reject.error["payment_intent"] = self.public_view(intent)
            raise
        if method is None and status == "requires_payment_method":
            raise Reject(
                400,
                "You must provide a payment method to confirm this PaymentIntent.",
                code="parameter_missing",
                param="payment_method",
                payment_intent=self.public_view(intent),
            )
        if method is not None:
            # localstripe cannot confirm with a payment method: set it, then confirm. A failed
            # charge from an earlier attempt would keep the intent unpayable, so it is dropped.
            intent.payment_method = method.id
            if intent.latest_charge is not None and intent.latest_charge.status == "failed":
                intent.latest_charge = None
        return self._settle(intent, lambda: self._ls.PaymentIntent._api_confirm(intent.id))

    def _authenticate(self, intent: Any, params: Mapping[str, Any]) -> web.Response:
        success = parse_bool(params.get("success"))
        if success is None:
            raise Reject(400, "success must be true or false.", code="parameter_invalid_boolean")
        if intent.status != "requires_action":
            raise Reject(
                400,
                f"This PaymentIntent has a status of {intent.status}; nothing to authenticate.",
                code="payment_intent_unexpected_state",
                payment_intent=self.public_view(intent),
            )
        return self._settle(
            intent,
            lambda: self._ls.PaymentIntent._api_authenticate(
                intent.id, client_secret=intent.client_secret, success=success
            ),
        )

    def _settle(self, intent: Any, action: Any) -> web.Response:
        """Run a localstripe confirm/authenticate; a decline becomes Stripe's 402 card_error."""
        try:
            action()
        except self._user_error as exc:
            if int(getattr(exc, "code", 500)) != 402:
                raise self._rejected(exc) from None
            decline = self.decline_of(intent) or GENERIC_DECLINE
            raise Reject(
                402,
                decline.message,
                type="card_error",
                code=decline.code,
                decline_code=decline.decline_code,
                charge=getattr(intent.latest_charge, "id", None),
                payment_intent=self.public_view(intent),
            ) from None
        return web.json_response(self.public_view(intent))

    def _payment_method(self, params: Mapping[str, Any]) -> Any:
        """The PaymentMethod a confirm names or carries (typed card), or None."""
        named = params.get("payment_method")
        if isinstance(named, str) and named:
            try:
                return self._ls.PaymentMethod._api_retrieve(named)
            except self._user_error:
                raise Reject(
                    404,
                    f"No such PaymentMethod: '{named}'",
                    code="resource_missing",
                    param="payment_method",
                ) from None
        data = params.get("payment_method_data")
        source = data if isinstance(data, Mapping) else None
        if source is None and isinstance(named, Mapping):
            source = named  # payment_method[card][…], as some pages send it
        if source is None:
            return None
        if source.get("type", "card") != "card":
            raise Reject(
                400, "The Stripe emulator takes card payments only.", param="payment_method_data"
            )
        card = source.get("card")
        if not isinstance(card, Mapping):
            raise Reject(
                400,
                "Missing required param: payment_method_data[card].",
                code="parameter_missing",
                param="payment_method_data[card]",
            )
        billing = source.get("billing_details")
        try:
            return self._ls.PaymentMethod(
                type="card",
                card=validated_card(card, today=datetime.now(UTC)),
                billing_details=dict(billing) if isinstance(billing, Mapping) else None,
            )
        except self._user_error as exc:
            raise self._rejected(exc) from None

    # --- Stripe's shape ------------------------------------------------------------------

    def decline_of(self, intent: Any) -> Decline | None:
        """Why the intent's latest charge failed, by the test card it used."""
        charge = intent.latest_charge
        if charge is None or charge.status != "failed":
            return None
        method = self._store.get(f"payment_method:{charge.payment_method}")
        return DECLINES.get(getattr(method, "_card_number", ""), GENERIC_DECLINE)

    def full_view(self, data: dict[str, Any]) -> dict[str, Any]:
        """A localstripe intent export completed with the fields real Stripe always sends."""
        status, amount = data.get("status"), data.get("amount") or 0
        data.setdefault("amount_capturable", amount if status == "requires_capture" else 0)
        data.setdefault("amount_received", amount if status == "succeeded" else 0)
        data.setdefault("confirmation_method", "automatic")
        data.setdefault("payment_method_types", ["card"])
        data.setdefault("payment_method_options", {})
        for absent in ("description", "canceled_at", "cancellation_reason", "on_behalf_of"):
            data.setdefault(absent, None)
        if isinstance(data.get("latest_charge"), Mapping):
            data["latest_charge"] = data["latest_charge"].get("id")
        error = data.get("last_payment_error")
        if isinstance(error, dict):
            if error.get("code") == "payment_intent_authentication_failure":
                error.setdefault("type", "invalid_request_error")
            else:
                intent = self._store.get(f"payment_intent:{data.get('id')}")
                decline = (self.decline_of(intent) if intent is not None else None) or (
                    GENERIC_DECLINE
                )
                error.update(
                    type="card_error",
                    code=decline.code,
                    decline_code=decline.decline_code,
                    message=decline.message,
                )
        return data

    def public_view(self, intent: Any) -> dict[str, Any]:
        full = self.full_view(intent._export())
        return {name: full.get(name) for name in _PUBLIC_FIELDS}

    def _reshape(
        self, response: web.StreamResponse, intent_path: re.Match[str] | None
    ) -> web.StreamResponse:
        """Give localstripe's payment-intent answers (and errors) Stripe's shape."""
        body = _json_object(response)
        if body is None:
            return response
        error = body.get("error")
        if isinstance(error, dict):
            if response.status == 404 and intent_path:
                error.update(
                    code="resource_missing",
                    param="intent",
                    message=f"No such payment_intent: '{intent_path['id']}'",
                )
            elif response.status == 402:
                error["type"] = "card_error"
                error.setdefault("decline_code", "generic_decline")
        elif body.get("object") == "payment_intent":
            body = self.full_view(body)
        elif body.get("object") == "list":
            body["data"] = [
                self.full_view(item) if item.get("object") == "payment_intent" else item
                for item in body.get("data") or []
            ]
        return web.json_response(body, status=response.status)

    def webhook_view(self, event: Any) -> None:
        """Complete a payment intent inside a webhook event before it is signed and sent."""
        data = getattr(event, "data", None)
        if not isinstance(data, dict):
            return
        intent = data.get("object")
        if isinstance(intent, dict) and intent.get("object") == "payment_intent":
            data["object"] = self.full_view(intent)


# --- Stripe Terminal (server-driven integration) ---------------------------------------------

_TERMINAL_PATH = re.compile(
    r"^/v1/(?:(?P<helpers>test_helpers/)|(?P<emulator>_emulator/))?terminal/"
    r"(?P<kind>locations|readers)(?:/(?P<id>[A-Za-z0-9_]+)(?:/(?P<verb>[a-z_]+))?)?$"
)
# Stripe's registration codes for simulated readers, and the `device_type` each gives.
SIMULATED_READERS: Mapping[str, tuple[str, str]] = {
    "simulated-wpe": ("simulated_wisepos_e", "WSC"),
    "simulated-s700": ("simulated_stripe_s700", "STRM"),
}
CARD_PRESENT_DEFAULT = "4242424242424242"


class _Exported:
    """A plain dict that localstripe's `Event` can export as its `data.object`."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def _export(self, expand: Any = None) -> dict[str, Any]:
        copied: dict[str, Any] = json.loads(json.dumps(self._data))
        return copied


class TerminalEmulator:
    """Locations and simulated readers in Stripe's shape (localstripe has no Terminal).

    Readers follow the server-driven integration: `process_payment_intent` puts an
    `in_progress` action on the reader; the test helper `present_payment_method` plays the
    customer's card (approved, or declined by Stripe's card_present decline test cards) and
    ends the action `succeeded` or `failed`, with `terminal.reader.action_succeeded` /
    `action_failed` webhooks. `POST /v1/_emulator/terminal/readers/{id}/offline|online` is the
    emulator's own switch (not Stripe's) to take a reader off the network in tests.

    With a `state` file, locations and readers outlive a restart (a venue's training reader
    stays registered, as a real one does); each comes back online with no action.
    """

    def __init__(self, layer: CompatLayer, state: Path | None = None) -> None:
        self._layer = layer
        self._state = state
        self._locations: dict[str, dict[str, Any]] = {}
        self._readers: dict[str, dict[str, Any]] = {}
        self._load()

    def flush(self) -> None:
        self._locations.clear()
        self._readers.clear()
        self._save()

    def _load(self) -> None:
        if self._state is None or not self._state.is_file():
            return
        try:
            kept = json.loads(self._state.read_text(encoding="utf-8"))
            self._locations = dict(kept["locations"])
            self._readers = {
                rid: {**reader, "action": None, "status": "online"}
                for rid, reader in dict(kept["readers"]).items()
            }
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("Training readers not restored from %s: %s", self._state, exc)

    def _save(self) -> None:
        if self._state is None:
            return
        kept = {"locations": self._locations, "readers": self._readers}
        self._state.parent.mkdir(parents=True, exist_ok=True)
        partial = self._state.with_suffix(".tmp")
        partial.write_text(json.dumps(kept), encoding="utf-8")
        partial.replace(self._state)

    def handle(self, method: str, match: re.Match[str], params: dict[str, Any]) -> web.Response:
        params.pop("key", None)
        params.pop("expand", None)
        kind, object_id, verb = match["kind"], match["id"], match["verb"]
        if match["emulator"]:
            if (
                kind == "readers"
                and object_id
                and verb in ("offline", "online")
                and (method == "POST")
            ):
                reader = self._reader(object_id)
                reader["status"] = verb
                if verb == "offline":
                    reader["action"] = None
                return web.json_response(reader)
        elif match["helpers"]:
            if (
                kind == "readers"
                and object_id
                and verb == "present_payment_method"
                and (method == "POST")
            ):
                return web.json_response(self._present(self._reader(object_id), params))
        elif kind == "locations":
            if object_id is None and method == "POST":
                return web.json_response(self._create_location(params))
            if object_id is None and method == "GET":
                return web.json_response(self._list("locations", self._locations))
            if object_id and verb is None and method == "GET":
                return web.json_response(self._location(object_id))
        elif object_id is None and method == "POST":
            return web.json_response(self._create_reader(params))
        elif object_id is None and method == "GET":
            readers = self._readers
            location = params.get("location")
            if isinstance(location, str) and location:
                readers = {k: r for k, r in readers.items() if r["location"] == location}
            status = params.get("status")
            if isinstance(status, str) and status:
                readers = {k: r for k, r in readers.items() if r["status"] == status}
            return web.json_response(self._list("readers", readers))
        elif verb is None and method == "GET":
            return web.json_response(self._reader(object_id))
        elif verb == "process_payment_intent" and method == "POST":
            return self._process(self._reader(object_id), params)
        elif verb == "cancel_action" and method == "POST":
            return web.json_response(self._cancel(self._reader(object_id)))
        raise Reject(404, f"Unrecognized request URL ({method}: {match.string}).")

    # --- objects ---------------------------------------------------------------------------

    @staticmethod
    def _list(kind: str, objects: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
        return {
            "object": "list",
            "data": list(reversed(list(objects.values()))),
            "has_more": False,
            "url": f"/v1/terminal/{kind}",
        }

    @staticmethod
    def _new_id(prefix: str) -> str:
        return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(24))

    def _location(self, location_id: str) -> dict[str, Any]:
        location = self._locations.get(location_id)
        if location is None:
            raise Reject(
                404,
                f"No such location: '{location_id}'",
                code="resource_missing",
                param="location",
            )
        return location

    def _reader(self, reader_id: str) -> dict[str, Any]:
        reader = self._readers.get(reader_id)
        if reader is None:
            raise Reject(
                404, f"No such reader: '{reader_id}'", code="resource_missing", param="reader"
            )
        return reader

    def _create_location(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("display_name")
        if not isinstance(name, str) or not name:
            raise Reject(
                400,
                "Missing required param: display_name.",
                code="parameter_missing",
                param="display_name",
            )
        address = params.get("address")
        if not isinstance(address, Mapping) or not address.get("country"):
            raise Reject(
                400,
                "Missing required param: address[country].",
                code="parameter_missing",
                param="address[country]",
            )
        metadata = params.get("metadata")
        location_id = self._new_id("tml_")
        location: dict[str, Any] = {
            "id": location_id,
            "object": "terminal.location",
            "address": {
                name: str(address.get(name)) if address.get(name) is not None else None
                for name in ("city", "country", "line1", "line2", "postal_code", "state")
            },
            "configuration_overrides": None,
            "display_name": name,
            "livemode": False,
            "metadata": dict(metadata) if isinstance(metadata, Mapping) else {},
        }
        self._locations[location_id] = location
        self._save()
        return location

    def _create_reader(self, params: dict[str, Any]) -> dict[str, Any]:
        code = params.get("registration_code")
        if not isinstance(code, str) or not code:
            raise Reject(
                400,
                "Missing required param: registration_code.",
                code="parameter_missing",
                param="registration_code",
            )
        simulated = SIMULATED_READERS.get(code)
        if simulated is None:
            raise Reject(
                400,
                "The registration code provided is invalid. The Stripe emulator registers "
                "simulated readers only (simulated-wpe, simulated-s700).",
                code="invalid_registration_code",  # the emulator's own code
                param="registration_code",
            )
        location = params.get("location")
        if location is not None:
            self._location(str(location))
        label = params.get("label")
        device_type, serial_prefix = simulated
        metadata = params.get("metadata")
        serial = serial_prefix + "".join(secrets.choice(string.digits) for _ in range(12))
        reader_id = self._new_id("tmr_")
        reader: dict[str, Any] = {
            "id": reader_id,
            "object": "terminal.reader",
            "action": None,
            "device_sw_version": "",
            "device_type": device_type,
            "ip_address": "0.0.0.0",
            "label": str(label) if label else serial,
            "last_seen_at": None,
            "livemode": False,
            "location": str(location) if location is not None else None,
            "metadata": dict(metadata) if isinstance(metadata, Mapping) else {},
            "serial_number": serial,
            "status": "online",
        }
        self._readers[reader_id] = reader
        self._save()
        return reader

    # --- actions ---------------------------------------------------------------------------

    @staticmethod
    def _offline(reader: dict[str, Any]) -> Reject:
        return Reject(
            400,
            f"Reader {reader['id']} is currently unreachable; check that it is online.",
            code="terminal_reader_offline",
        )

    def _process(self, reader: dict[str, Any], params: dict[str, Any]) -> web.Response:
        if reader["status"] != "online":
            raise self._offline(reader)
        action = reader["action"]
        if action is not None and action["status"] == "in_progress":
            reject = Reject(
                409,
                "Reader is currently busy processing another request. Cancel the action or "
                "wait for it to finish.",
                code="terminal_reader_busy",
            )
            response = reject.response()
            response.headers["Stripe-Should-Retry"] = "false"
            return response
        intent_id = params.get("payment_intent")
        if not isinstance(intent_id, str) or not intent_id:
            raise Reject(
                400,
                "Missing required param: payment_intent.",
                code="parameter_missing",
                param="payment_intent",
            )
        intent = self._layer._store.get(f"payment_intent:{intent_id}")
        if intent is None:
            raise Reject(
                404,
                f"No such payment_intent: '{intent_id}'",
                code="resource_missing",
                param="payment_intent",
            )
        if "card_present" not in (getattr(intent, "payment_method_types", None) or ()):
            raise Reject(
                400,
                "This PaymentIntent does not accept card_present payments; create it with "
                "payment_method_types=['card_present'].",
                code="payment_intent_invalid_parameter",
                param="payment_intent",
            )
        if intent.status != "requires_payment_method":
            raise Reject(
                400,
                f"This PaymentIntent has a status of {intent.status}; a reader can only "
                "process a PaymentIntent that requires a payment method.",
                code="payment_intent_unexpected_state",
                param="payment_intent",
            )
        reader["action"] = {
            "type": "process_payment_intent",
            "status": "in_progress",
            "process_payment_intent": {"payment_intent": intent_id},
            "failure_code": None,
            "failure_message": None,
            "api_error": None,
        }
        return web.json_response(reader)

    def _cancel(self, reader: dict[str, Any]) -> dict[str, Any]:
        if reader["status"] != "online":
            raise self._offline(reader)
        action = reader["action"]
        if action is None or action["status"] != "in_progress":
            raise Reject(
                400,
                "This reader has no action in progress to cancel.",
                code="terminal_reader_action_not_in_progress",  # emulator's own code
            )
        reader["action"] = None
        return reader

    def _present(self, reader: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        if reader["status"] != "online":
            raise self._offline(reader)
        action = reader["action"]
        if (
            action is None
            or action["status"] != "in_progress"
            or action["type"] != "process_payment_intent"
        ):
            raise Reject(
                400,
                "This reader has no payment in progress to present a card to.",
                code="terminal_reader_action_not_in_progress",  # emulator's own code
            )
        kind = params.get("type") or "card_present"
        if kind != "card_present":
            raise Reject(400, "The Stripe emulator presents card_present only.", param="type")
        card = params.get("card_present")
        raw = card.get("number") if isinstance(card, Mapping) else None
        number = re.sub(r"[\s-]", "", str(raw or CARD_PRESENT_DEFAULT))
        if not (number.isdigit() and len(number) == 16 and luhn_ok(number)):
            raise Reject(
                400,
                "The card_present test number is invalid.",
                code="invalid_number",
                param="card_present[number]",
            )
        layer = self._layer
        intent = layer._store.get(
            f"payment_intent:{action['process_payment_intent']['payment_intent']}"
        )
        if intent is None or intent.status != "requires_payment_method":
            raise Reject(
                400,
                "The PaymentIntent of this action cannot be paid any more.",
                code="payment_intent_unexpected_state",
            )
        year = datetime.now(UTC).year + 3
        try:
            method = layer._ls.PaymentMethod(
                type="card",
                card={"number": number, "exp_month": 12, "exp_year": year, "cvc": "123"},
                billing_details=None,
            )
        except layer._user_error as exc:
            raise layer._rejected(exc) from None
        intent.payment_method = method.id
        intent.next_action = None
        if intent.latest_charge is not None and intent.latest_charge.status == "failed":
            intent.latest_charge = None
        try:
            # A card presented to a reader needs no 3-D Secure: charge at once.
            intent._create_charge(on_failure_now=intent._report_failure)
        except layer._user_error as exc:
            if int(getattr(exc, "code", 500)) != 402:
                raise layer._rejected(exc) from None
            decline = layer.decline_of(intent) or GENERIC_DECLINE
            action.update(
                status="failed",
                failure_code=decline.code,
                failure_message=decline.message,
                api_error={
                    "type": "card_error",
                    "code": decline.code,
                    "decline_code": decline.decline_code,
                    "message": decline.message,
                },
            )
            self._send("terminal.reader.action_failed", reader)
        else:
            action["status"] = "succeeded"
            self._send("terminal.reader.action_succeeded", reader)
        return reader

    def _send(self, event_type: str, reader: dict[str, Any]) -> None:
        layer = self._layer
        layer._ls.schedule_webhook(layer._ls.Event(event_type, _Exported(reader)))


async def _cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Let pages on other origins (the app scheme) send Stripe.js's headers too."""
    if request.headers.get("Origin"):
        response.headers["Access-Control-Allow-Headers"] = (
            "Authorization, Content-Type, Accept, Stripe-Version, Idempotency-Key"
        )
        response.headers["Access-Control-Max-Age"] = "600"
        response.headers["Vary"] = "Origin"


def build_app(*, port: int, terminal_state: Path | None = None) -> web.Application:
    """localstripe's application, in memory only, with the compatibility layer in front;
    `terminal_state` keeps the training readers and locations over a restart."""
    warnings.filterwarnings(
        "ignore", message="Bare functions are deprecated", category=DeprecationWarning
    )
    import localstripe.resources as resources  # type: ignore[import-untyped]
    import localstripe.server as server  # type: ignore[import-untyped]
    import localstripe.webhooks as webhooks  # type: ignore[import-untyped]

    # Persistence off: localstripe would pickle the whole store to /tmp on every write.
    resources.Store.dump_to_disk = lambda self: None
    resources.Store.try_load_from_disk = lambda self: None
    # Client secrets guard the publishable-key calls: draw ids from a CSPRNG.
    resources.random_id = lambda n: "".join(secrets.choice(_ID_ALPHABET) for _ in range(n))
    # Stripe's other decline test cards decline here too (localstripe lets them succeed).
    charging_declined = resources.PaymentMethod._charging_is_declined
    resources.PaymentMethod._charging_is_declined = lambda self: (
        getattr(self, "_card_number", None) in DECLINES or charging_declined(self)
    )

    layer = CompatLayer(resources, server, webhooks, port=port, terminal_state=terminal_state)
    send_webhook = resources.schedule_webhook

    def schedule_webhook(event: Any) -> None:
        layer.webhook_view(event)
        send_webhook(event)

    resources.schedule_webhook = schedule_webhook

    @web.middleware
    async def compat_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        return await layer.dispatch(request, handler)

    app: web.Application = server.app
    app.middlewares.insert(0, compat_middleware)
    app.on_response_prepare.append(_cors_headers)
    return app


def _json_object(response: web.StreamResponse) -> dict[str, Any] | None:
    """The JSON object an answer carries, or None for anything else (a stream, bytes, a list)."""
    if not isinstance(response, web.Response) or response.content_type != "application/json":
        return None
    if not isinstance(response.body, bytes):
        return None
    body = json.loads(response.body)
    return body if isinstance(body, dict) else None
