"""Domain exceptions, each with a stable `code`; `api/errors.py` maps them to HTTP in one table.

DomainError
├── NotAuthenticated      401  not_authenticated, invalid_token, token_expired, invalid_credentials
├── PermissionDenied      403  permission_denied
├── NotFound              404  event_not_found, order_not_found, hold_token_not_found, …
├── RuleViolation         400  event_not_published, sale_not_started, sale_ended, …
├── Conflict              409  sold_out, seat_taken, username_taken, idempotency_in_progress
├── InvalidInput          422  validation_error, ticket_config_not_found, seat_not_found, …
└── TooManyAttempts       429  signin_locked (with Retry-After)
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain said no. `field` names the offending request field, if one did."""

    default_code = "error"
    retry_after: int | None = None  # seconds, sent as `Retry-After` when set

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field
        self.details = details or {}


class NotAuthenticated(DomainError):
    default_code = "not_authenticated"


class PermissionDenied(DomainError):
    default_code = "permission_denied"


class NotFound(DomainError):
    default_code = "not_found"


class RuleViolation(DomainError):
    default_code = "bad_request"


class Conflict(DomainError):
    default_code = "conflict"


class TryAgain(Conflict):
    """A request running at the same moment got there first and nothing was changed: the same
    request succeeds in a moment (answered with `Retry-After`)."""

    default_code = "write_conflict"
    retry_after = 1


class InvalidInput(DomainError):
    default_code = "validation_error"


class TooManyAttempts(DomainError):
    """Refused until `retry_after` seconds have passed (sent as `Retry-After` and in details)."""

    default_code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code, details={"retry_after": retry_after})
        self.retry_after = retry_after
