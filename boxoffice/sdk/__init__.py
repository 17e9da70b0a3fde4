"""Async client for the Tickethead API and the venue server (`boxoffice.server`)."""

from boxoffice.sdk._client import SDK, BaseUrl
from boxoffice.sdk._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BoxOfficeError,
    ConflictError,
    EventNotPublishedError,
    HoldExpiredError,
    NotFoundError,
    PaymentDeclinedError,
    PermissionDeniedError,
    RateLimitError,
    SaleNotStartedError,
    SeatsUnavailableError,
    ServerError,
    SoldOutError,
    UnprocessableEntityError,
    ValidationError,
)
from boxoffice.sdk._options import RequestOptions
from boxoffice.sdk.auth import Credentials, PasswordCredentials, RefreshTokenCredentials

__all__ = [
    "SDK",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BaseUrl",
    "BoxOfficeError",
    "ConflictError",
    "Credentials",
    "EventNotPublishedError",
    "HoldExpiredError",
    "NotFoundError",
    "PasswordCredentials",
    "PaymentDeclinedError",
    "PermissionDeniedError",
    "RateLimitError",
    "RefreshTokenCredentials",
    "RequestOptions",
    "SaleNotStartedError",
    "SeatsUnavailableError",
    "ServerError",
    "SoldOutError",
    "UnprocessableEntityError",
    "ValidationError",
]
