"""What a cashier reads when something fails: one table from SDK errors to sentences."""

from __future__ import annotations

from boxoffice import sdk
from boxoffice.i18n import N_, _, ngettext
from boxoffice.sdk import declines

# Server error codes with a sentence of their own; the server's message is used otherwise.
_BY_CODE: dict[str, str] = {
    "sold_out": N_("Sold out: there are not enough tickets left for this choice."),
    "seat_taken": N_("One of the chosen seats has just been taken. Pick other seats."),
    "hold_token_expired": N_("The seat hold ran out. Pick the seats again."),
    "hold_token_not_found": N_("The seat hold ran out. Pick the seats again."),
    "sale_not_started": N_("Sales for this ticket have not started yet."),
    "sale_ended": N_("Sales for this ticket have ended."),
    "event_not_published": N_("This event is not on sale (it is not published)."),
    "event_over": N_("This event is over."),
    "max_per_order_exceeded": N_(
        "That is more tickets than one order may have for this ticket type."
    ),
    "timeslot_required": N_("Choose a time slot for this ticket."),
    "timeslot_past": N_("That time slot is over. Choose a later one."),
    "sector_required": N_("Choose a sector for this ticket."),
    "seats_required": N_("Choose the seats for this ticket."),
    "insufficient_cash": N_("The cash tendered is less than the total."),
    "order_not_paid": N_("This order is not paid, so it has no tickets yet."),
    "order_expired": N_("The order ran out of time and was released. Start the sale again."),
    "payment_declined": declines.DECLINED,
    "card_declined": declines.DECLINED,
    "invalid_credentials": N_("Wrong user name or password."),
    "account_disabled": N_("This account is disabled. Ask a supervisor."),
    "token_expired": N_("You were signed out after a long pause. Sign in again to go on."),
    "payment_provider_error": declines.PROVIDER_UNREACHABLE,
    "order_canceled": N_("This order was canceled."),
    "order_already_paid": N_("This order is already paid."),
    "no_open_shift": N_("No shift is open at this counter. Press F9 to open one with its float."),
    "shift_already_open": N_("A shift is already open at this counter."),
    "shift_closed": N_("That shift is closed already."),
    "ticket_already_refunded": N_(
        "One of these tickets was refunded already. Look at the order again (it was refreshed)."
    ),
    "no_valid_tickets": N_("This order has no valid tickets left for that."),
    "refund_not_found": N_("That refund was not found for this order."),
    "ticket_not_valid": N_(
        "One of these tickets is no longer valid (refunded or reissued). Look at the order again."
    ),
    "order_already_refunded": N_("This order is refunded already."),
    "refund_conflict": N_("The order changed meanwhile. Look at it again and retry."),
    "reader_offline": declines.decline_sentence("terminal_reader_offline"),
    "reader_busy": declines.decline_sentence("terminal_reader_busy"),
    "reader_required": N_(
        "This counter has no card reader. Choose one in Settings → Card "
        "reader, or take the card on the payment page (Shift+F7) or cash."
    ),
}

# Fallbacks by error class, most specific first.
_BY_CLASS: list[tuple[type[sdk.BoxOfficeError], str]] = [
    (sdk.APITimeoutError, N_("The server is taking too long to answer. Try again.")),
    (
        sdk.APIConnectionError,
        N_("Cannot reach the ticket server. Check the network; nothing was sold."),
    ),
    (sdk.SoldOutError, _BY_CODE["sold_out"]),
    (sdk.SeatsUnavailableError, _BY_CODE["seat_taken"]),
    (sdk.HoldExpiredError, _BY_CODE["hold_token_expired"]),
    (sdk.PaymentDeclinedError, _BY_CODE["payment_declined"]),
    (sdk.AuthenticationError, N_("You are signed out. Sign in again to go on.")),
    (sdk.PermissionDeniedError, N_("Your account is not allowed to do this. Ask a supervisor.")),
    (sdk.NotFoundError, N_("That was not found on the server; it may have been removed.")),
    (sdk.RateLimitError, N_("The server is busy. Wait a moment and try again.")),
    (
        sdk.ServerError,
        N_("The ticket server had a problem. Try again; if it repeats, call support."),
    ),
]


class CashierError(sdk.BoxOfficeError):
    """A problem the app has already put into words for the cashier (shown as it is)."""


def user_message(exc: BaseException) -> str:
    """One sentence a cashier understands for `exc`, in the language in use."""
    if isinstance(exc, CashierError):
        return str(exc)
    if isinstance(exc, sdk.SignInLockedError):
        return signin_locked_message(exc.retry_after)
    if isinstance(exc, sdk.APIStatusError) and exc.code in _BY_CODE:
        return _(_BY_CODE[exc.code])
    for cls, text in _BY_CLASS:
        if isinstance(exc, cls):
            return _(text)
    if isinstance(exc, sdk.APIStatusError) and exc.message:
        # The server's own words, as it sent them (English), unless they are one of the
        # sentences Box Office knows (a card decline the server put into words).
        return translated(_sentence(exc.message))
    return _("Something went wrong. Try again; if it repeats, call support.")


def translated(sentence: str) -> str:
    """`sentence` in the language in use when it is one of Box Office's own sentences (the
    SDK's card declines, marked with `N_`), else as it is."""
    return _(sentence) if sentence else sentence


def signin_locked_message(retry_after: int | None) -> str:
    """Too many failed sign-ins (`429 signin_locked`), with the wait the server gave."""
    if not retry_after:
        return _(
            "Too many failed sign-ins: sign-in is paused for a while. Check the user name and "
            "password, or ask a supervisor."
        )
    return _(
        "Too many failed sign-ins: sign-in is paused for %(wait)s. Check the user name and "
        "password, or ask a supervisor."
    ) % {"wait": wait_text(retry_after)}


def wait_text(seconds: int) -> str:
    """`45 seconds`, `15 minutes` (whole minutes, rounded up, from 2 minutes on)."""
    if seconds < 120:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = -(-seconds // 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def _sentence(message: str) -> str:
    message = message.strip()
    return message if message.endswith((".", "!", "?")) else f"{message}."


def card_page_message(code: str | None, decline_code: str | None = None) -> str:
    """One sentence a cashier understands for a card error the payment page reported."""
    return _(declines.decline_sentence(code, decline_code))
