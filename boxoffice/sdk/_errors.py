"""The SDK's exception hierarchy; every failure the SDK raises is one of these.

BoxOfficeError
├── APIConnectionError                  the server could not be reached
│   ├── APITimeoutError                 the request timed out
│   └── TLSVerificationError            the server's certificate is not the trusted one
└── APIStatusError                      the server answered with a non-2xx status
    ├── BadRequestError          400
    │   ├── SaleNotStartedError         sale_not_started
    │   ├── EventNotPublishedError      event_not_published
    │   └── PaymentDeclinedError        payment_declined, card_declined (also with 402)
    ├── AuthenticationError      401
    ├── PermissionDeniedError    403
    ├── NotFoundError            404
    │   └── HoldExpiredError            hold_token_not_found, hold_token_expired
    ├── ConflictError            409
    │   ├── SoldOutError                sold_out
    │   └── SeatsUnavailableError       seat_taken
    ├── UnprocessableEntityError 422
    │   └── ValidationError             validation_error
    ├── RateLimitError           429
    │   └── SignInLockedError           signin_locked (too many failed sign-ins; not retried)
    └── ServerError              5xx

A domain class is chosen by the server's `code` only when it fits the status class.
"""

from __future__ import annotations

from typing import Any


class BoxOfficeError(Exception):
    """Base class of every SDK error."""


class APIConnectionError(BoxOfficeError):
    """The request did not get an answer (connection refused, reset, protocol error)."""

    def __init__(self, message: str = "Connection error.") -> None:
        super().__init__(message)
        self.message = message


class APITimeoutError(APIConnectionError):
    """The request timed out."""

    def __init__(self, message: str = "Request timed out.") -> None:
        super().__init__(message)


class TLSVerificationError(APIConnectionError):
    """The server's TLS certificate was refused (not signed by a trusted CA, or not the
    pinned fingerprint); nothing was sent. `fingerprint` is the SHA-256 of the certificate
    the server presented when the check that refused it was a pin, else None."""

    def __init__(self, message: str, fingerprint: str | None = None) -> None:
        super().__init__(message)
        self.fingerprint = fingerprint


class APIStatusError(BoxOfficeError):
    """The server answered with an error status and body `{"message","errorCode","field"?}`."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        request_id: str | None = None,
        body: Any = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.body = body
        self.field = field

    def __str__(self) -> str:
        return f"{self.status} {self.code or 'error'}: {self.message}"


class BadRequestError(APIStatusError):
    """400."""


class AuthenticationError(APIStatusError):
    """401."""


class PermissionDeniedError(APIStatusError):
    """403."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429."""


class ServerError(APIStatusError):
    """5xx."""


class SignInLockedError(RateLimitError):
    """429 signin_locked: too many failed sign-ins for this account or address; sign-in is
    closed for `retry_after` seconds. The SDK does not retry it: a person is waiting."""

    @property
    def retry_after(self) -> int | None:
        """Seconds until sign-in opens again, as the server said (None if it did not)."""
        details = self.body.get("details") if isinstance(self.body, dict) else None
        value = details.get("retry_after") if isinstance(details, dict) else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None


class SoldOutError(ConflictError):
    """409 sold_out: too few tickets or seats left."""


class SeatsUnavailableError(ConflictError):
    """409 seat_taken: a chosen seat is held or booked by someone else."""


class HoldExpiredError(NotFoundError):
    """404 hold_token_not_found / hold_token_expired: the hold token is gone."""


class SaleNotStartedError(BadRequestError):
    """400 sale_not_started: the ticket config is not on sale yet."""


class EventNotPublishedError(BadRequestError):
    """400 event_not_published: the event cannot be sold."""


class PaymentDeclinedError(BadRequestError):
    """400/402 payment_declined or card_declined: the payment provider refused the payment."""


class ValidationError(UnprocessableEntityError):
    """422 validation_error: a request field is malformed."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}

_BY_CODE: dict[str, type[APIStatusError]] = {
    "sold_out": SoldOutError,
    "seat_taken": SeatsUnavailableError,
    "hold_token_not_found": HoldExpiredError,
    "hold_token_expired": HoldExpiredError,
    "sale_not_started": SaleNotStartedError,
    "event_not_published": EventNotPublishedError,
    "validation_error": ValidationError,
    "payment_declined": PaymentDeclinedError,
    "card_declined": PaymentDeclinedError,
    "signin_locked": SignInLockedError,
}
"""The one mapping table: server `code` → domain class (used when its base fits the status)."""


def _status_class(status: int) -> type[APIStatusError]:
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIStatusError)


def error_class(status: int, code: str | None) -> type[APIStatusError]:
    """The class for an error answer: the domain class of `code` if it fits `status`."""
    base = _status_class(status)
    domain = _BY_CODE.get(code or "")
    if domain is not None and issubclass(domain, base):
        return domain
    return base


def error_code_of(body: Any) -> str | None:
    """The stable code of an error body: `errorCode` (venue servers and Tickethead), else
    `error`, else `code` (venue servers before the vendor SDK's spelling was adopted)."""
    if not isinstance(body, dict):
        return None
    for key in ("errorCode", "error", "code"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def make_status_error(status: int, body: Any, request_id: str | None = None) -> APIStatusError:
    """Build the error for a non-2xx answer from its JSON body (or raw text)."""
    message = f"HTTP {status}"
    code: str | None = None
    field: str | None = None
    if isinstance(body, dict):
        message = str(body.get("message") or message)
        code = error_code_of(body)
        field = body.get("field") if isinstance(body.get("field"), str) else None
    elif isinstance(body, str) and body:
        message = body[:500]
    cls = error_class(status, code)
    return cls(message, status=status, code=code, request_id=request_id, body=body, field=field)
