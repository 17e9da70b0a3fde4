"""Why a card did not pay, in one sentence a cashier can say to the customer.

Shared by the venue server (a card-present payment's `message`, which it decides) and the
desktop (what the payment page reports from Stripe.js). A decline code is looked up before
the error code. Lost, stolen or fraudulent cards read as a plain decline, as Stripe advises:
the customer is never told why the bank really refused.

The sentences are English, marked with `N_` for the catalogs: the desktop translates them
where it shows them (`boxoffice.ui.errors`), also when the server sent one as its `message`.
"""

from __future__ import annotations

from boxoffice.sdk._words import N_

DECLINED = N_("The card was declined. Ask for another card or another way to pay.")
PROVIDER_UNREACHABLE = N_("The card payment service cannot be reached. Take cash or try later.")
GENERIC = N_("The card payment did not go through. Try again or use another card.")

_SENTENCES: dict[str, str] = {
    "generic_decline": DECLINED,
    "card_declined": DECLINED,
    "do_not_honor": DECLINED,
    "lost_card": DECLINED,
    "stolen_card": DECLINED,
    "fraudulent": DECLINED,
    "pickup_card": DECLINED,
    "restricted_card": DECLINED,
    "insufficient_funds": N_(
        "The card was declined (not enough funds). Ask for another card or another way to pay."
    ),
    "card_velocity_exceeded": N_(
        "The card was declined (its limit is reached). Ask for another card or another way to pay."
    ),
    "withdrawal_count_limit_exceeded": N_(
        "The card was declined (its limit is reached). Ask for another card or another way to pay."
    ),
    "expired_card": N_("The card has expired. Ask for another card."),
    "incorrect_pin": N_("The PIN was wrong. Let the customer try again."),
    "invalid_pin": N_("The PIN was wrong. Let the customer try again."),
    "pin_try_exceeded": N_(
        "Too many wrong PINs: this card cannot be used now. Ask for another "
        "card or another way to pay."
    ),
    "offline_pin_required": N_(
        "This card needs its PIN: let the customer insert the card and type the PIN."
    ),
    "online_or_offline_pin_required": N_(
        "This card needs its PIN: let the customer insert the card and type the PIN."
    ),
    "card_not_supported": N_("This card cannot be used here. Ask for another card."),
    "currency_not_supported": N_("This card cannot pay in this currency. Ask for another card."),
    "incorrect_cvc": N_("The card's security code is wrong. Check it and try again."),
    "invalid_cvc": N_("The card's security code is wrong. Check it and try again."),
    "incorrect_number": N_("The card number is wrong. Check it and try again."),
    "invalid_number": N_("The card number is wrong. Check it and try again."),
    "invalid_expiry_month": N_("The card's expiry date is wrong. Check it and try again."),
    "invalid_expiry_year": N_("The card's expiry date is wrong. Check it and try again."),
    "processing_error": N_("The card could not be processed. Try again in a moment."),
    "try_again_later": N_("The card could not be processed. Try again in a moment."),
    "payment_intent_authentication_failure": N_(
        "The bank's check (3-D Secure) was not completed. Try again or use another card."
    ),
    "api_connection_error": PROVIDER_UNREACHABLE,
    "stripe_js_unavailable": PROVIDER_UNREACHABLE,
    # What a card reader says when nobody paid on it.
    "canceled": N_("The payment on the card reader was canceled. Nothing was charged."),
    "timed_out": N_(
        "No card was presented in time; the reader stopped waiting. Nothing was "
        "charged. Try again or take another way to pay."
    ),
    "terminal_reader_offline": N_(
        "The card reader is offline. Check that it is on and connected, or take another way to pay."
    ),
    "terminal_reader_busy": N_(
        "The card reader is busy with another payment. Finish or cancel that one first."
    ),
}


def decline_sentence(code: str | None, decline_code: str | None = None) -> str:
    """One sentence a cashier understands for a card that did not pay."""
    for key in (decline_code, code):
        if key and key in _SENTENCES:
            return _SENTENCES[key]
    return GENERIC
