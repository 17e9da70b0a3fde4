"""Error answers become one class per status, or a domain class chosen by the server's code."""

from __future__ import annotations

import pytest

from boxoffice.sdk import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
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
    SignInLockedError,
    SoldOutError,
    UnprocessableEntityError,
    ValidationError,
)
from boxoffice.sdk._errors import error_code_of, make_status_error
from tests.unit.sdk.helpers import Recorder, build, error


@pytest.mark.parametrize(
    ("status", "code", "cls", "base"),
    [
        (400, "invalid_body", BadRequestError, BadRequestError),
        (401, "not_authenticated", AuthenticationError, AuthenticationError),
        (403, "permission_denied", PermissionDeniedError, PermissionDeniedError),
        (404, "order_not_found", NotFoundError, NotFoundError),
        (409, "username_taken", ConflictError, ConflictError),
        (422, "invalid_amount", UnprocessableEntityError, UnprocessableEntityError),
        (429, "rate_limited", RateLimitError, RateLimitError),
        (500, "internal_error", ServerError, ServerError),
        (503, "unavailable", ServerError, ServerError),
        (409, "sold_out", SoldOutError, ConflictError),
        (409, "seat_taken", SeatsUnavailableError, ConflictError),
        (404, "hold_token_not_found", HoldExpiredError, NotFoundError),
        (404, "hold_token_expired", HoldExpiredError, NotFoundError),
        (400, "sale_not_started", SaleNotStartedError, BadRequestError),
        (400, "event_not_published", EventNotPublishedError, BadRequestError),
        (400, "payment_declined", PaymentDeclinedError, BadRequestError),
        (402, "card_declined", PaymentDeclinedError, BadRequestError),
        (422, "validation_error", ValidationError, UnprocessableEntityError),
        (429, "signin_locked", SignInLockedError, RateLimitError),
        (418, "teapot", APIStatusError, APIStatusError),
    ],
)
async def test_each_status_and_code_maps_to_its_class(status, code, cls, base):
    recorder = Recorder(error(status, code, field="x", details={"seats": ["A-1"]}))
    sdk = await build(recorder, max_retries=0)
    with pytest.raises(APIStatusError) as caught:
        await sdk.account.get_organizer()
    exc = caught.value
    assert type(exc) is cls and isinstance(exc, base)
    assert (exc.status, exc.code, exc.field) == (status, code, "x")
    assert exc.message == f"{code} happened"
    assert exc.body["details"] == {"seats": ["A-1"]}
    assert str(exc) == f"{status} {code}: {code} happened"


async def test_a_sign_in_lock_is_not_retried_and_says_how_long():
    locked = error(
        429, "signin_locked", details={"retry_after": 900}, headers={"Retry-After": "900"}
    )
    recorder = Recorder(locked)
    sdk = await build(recorder)
    with pytest.raises(SignInLockedError) as caught:
        await sdk.auth.login("cashier", "secret password")
    assert len(recorder.requests) == 1 and recorder.sleeps == []
    assert caught.value.retry_after == 900
    bare = make_status_error(429, {"errorCode": "signin_locked"})
    assert isinstance(bare, SignInLockedError) and bare.retry_after is None


def test_a_code_that_does_not_fit_the_status_keeps_the_status_class():
    exc = make_status_error(400, {"message": "m", "errorCode": "sold_out"}, "req-1")
    assert type(exc) is BadRequestError and exc.request_id == "req-1"


def test_a_body_that_is_not_json_still_maps():
    exc = make_status_error(502, "<html>Bad gateway</html>")
    assert type(exc) is ServerError and exc.code is None
    assert exc.message == "<html>Bad gateway</html>"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"message": "m", "errorCode": "sold_out"}, "sold_out"),  # venue servers, Tickethead
        ({"message": "m", "error": "sold_out"}, "sold_out"),  # the vendor SDK's second choice
        ({"message": "m", "code": "sold_out"}, "sold_out"),  # earlier venue servers
        ({"message": "m", "errorCode": "", "code": "sold_out"}, "sold_out"),
        ({"message": "m"}, None),
        ("plain text", None),
    ],
)
def test_the_error_code_is_read_where_each_server_puts_it(body, code):
    assert error_code_of(body) == code
    assert make_status_error(409, body).code == code
