"""What the cashier reads: SDK errors by code, then by class, then the server's own words."""

from __future__ import annotations

import pytest

from boxoffice import sdk
from boxoffice.ui.errors import CashierError, card_page_message, user_message

GENERIC = "Something went wrong. Try again; if it repeats, call support."


def status_error(cls: type[sdk.APIStatusError], status: int, code: str | None, message: str = ""):
    return cls(message or "server text", status=status, code=code)


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (status_error(sdk.SoldOutError, 409, "sold_out"), "Sold out: there are not enough"),
        (status_error(sdk.SeatsUnavailableError, 409, "seat_taken"), "One of the chosen seats"),
        (status_error(sdk.HoldExpiredError, 404, "hold_token_expired"), "The seat hold ran out."),
        (status_error(sdk.HoldExpiredError, 404, "hold_token_not_found"), "The seat hold ran out."),
        (status_error(sdk.SaleNotStartedError, 400, "sale_not_started"), "Sales for this ticket"),
        (status_error(sdk.BadRequestError, 400, "timeslot_required"), "Choose a time slot"),
        (status_error(sdk.BadRequestError, 400, "insufficient_cash"), "The cash tendered is less"),
        (status_error(sdk.AuthenticationError, 401, "invalid_credentials"), "Wrong user name"),
        (status_error(sdk.AuthenticationError, 401, "token_expired"), "You were signed out after"),
        (status_error(sdk.AuthenticationError, 401, "account_disabled"), "This account is"),
        (status_error(sdk.PaymentDeclinedError, 402, "card_declined"), "The card was declined."),
        (status_error(sdk.ConflictError, 409, "order_already_paid"), "This order is already paid."),
    ],
)
def test_known_codes_have_their_own_sentence(error, text):
    assert user_message(error).startswith(text)


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [(900, "for 15 minutes"), (61, "for 61 seconds"), (1, "for 1 second"), (None, "for a while")],
)
def test_a_sign_in_lock_reads_as_a_sentence_with_the_wait(retry_after, wait):
    details = {} if retry_after is None else {"details": {"retry_after": retry_after}}
    error = sdk.SignInLockedError(
        "server text",
        status=429,
        code="signin_locked",
        body={"errorCode": "signin_locked", **details},
    )
    assert user_message(error) == (
        f"Too many failed sign-ins: sign-in is paused {wait}. Check the user name and "
        "password, or ask a supervisor."
    )


def test_a_code_wins_over_the_class():
    # a 404 whose code is known reads by its code, not as "not found"
    error = status_error(sdk.NotFoundError, 404, "order_expired")
    assert (
        user_message(error) == "The order ran out of time and was released. Start the sale again."
    )


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (sdk.APITimeoutError(), "The server is taking too long to answer. Try again."),
        (
            sdk.APIConnectionError(),
            "Cannot reach the ticket server. Check the network; nothing was sold.",
        ),
        (status_error(sdk.SoldOutError, 409, None), "Sold out: there are not enough tickets"),
        (status_error(sdk.SeatsUnavailableError, 409, "other"), "One of the chosen seats"),
        (status_error(sdk.HoldExpiredError, 404, None), "The seat hold ran out."),
        (status_error(sdk.PaymentDeclinedError, 400, None), "The card was declined."),
        (status_error(sdk.AuthenticationError, 401, None), "You are signed out. Sign in again"),
        (status_error(sdk.PermissionDeniedError, 403, "forbidden"), "Your account is not allowed"),
        (status_error(sdk.NotFoundError, 404, "not_found"), "That was not found on the server"),
        (status_error(sdk.RateLimitError, 429, None), "The server is busy."),
        (status_error(sdk.ServerError, 503, "internal"), "The ticket server had a problem."),
    ],
)
def test_classes_without_a_known_code_have_a_fallback(error, text):
    assert user_message(error).startswith(text)


@pytest.mark.parametrize(
    ("message", "text"),
    [
        ("Quantity must be at least 1", "Quantity must be at least 1."),
        ("  Event has no venue  ", "Event has no venue."),
        ("Already done.", "Already done."),
        ("Really?", "Really?"),
        ("Stop!", "Stop!"),
    ],
)
def test_an_unknown_status_error_reads_as_the_server_message_with_a_full_stop(message, text):
    for cls, status in [
        (sdk.BadRequestError, 400),
        (sdk.UnprocessableEntityError, 422),
        (sdk.ConflictError, 409),
        (sdk.APIStatusError, 418),
    ]:
        assert user_message(cls(message, status=status, code="something_new")) == text


def test_an_unknown_status_error_without_a_message_is_generic():
    assert user_message(sdk.BadRequestError("", status=400, code=None)) == GENERIC


def test_anything_else_is_generic():
    assert user_message(RuntimeError("boom")) == GENERIC
    assert user_message(sdk.BoxOfficeError("odd")) == GENERIC


def test_a_cashier_error_is_shown_as_it_is():
    assert user_message(CashierError("Choose an event first.")) == "Choose an event first."


def test_card_page_messages():
    declined = "The card was declined. Ask for another card or another way to pay."
    assert card_page_message("card_declined", "insufficient_funds").startswith(
        "The card was declined (not enough funds)."
    )
    assert card_page_message("card_declined", "stolen_card") == declined
    assert card_page_message("card_declined", "unheard_of") == declined
    assert card_page_message("expired_card") == "The card has expired. Ask for another card."
    assert card_page_message(None) == card_page_message("unheard_of")
    assert card_page_message(None).startswith("The card payment did not go through.")
