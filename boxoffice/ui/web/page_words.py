"""The words of the app's web pages (the seat map, the card payment page), in gettext.

Gettext is their one source: each page's words are `N_()` entries of a dict here (key →
English, placeholders in `%(name)s` style), plural ones a `ngettext()` per key. A view
translates them into the language in use (`seating_words()`, `payment_words()`) and hands
them, with the language's tag, to its page through the bridge (`Bridge.words`); the page
looks them up with `t(key, values)` (resources/web/common/bridge.js) and sets `<html lang>`.

A plural word reaches the page as its forms by CLDR plural category ("one", "few",
"other"), each taken from the catalog for a number of that category, so that the page picks
one with `Intl.PluralRules(lang)` as gettext would with the catalog's rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from babel import Locale
from pydantic import BaseModel

from boxoffice import i18n
from boxoffice.i18n import N_, _, ngettext

Plural = Callable[[int], str]

SEATING: dict[str, str] = {
    "title": N_("Choose seats"),
    "zoom": N_("Zoom"),
    "zoom_in": N_("Zoom in"),
    "zoom_in_hint": N_("Zoom in (+)"),
    "zoom_out": N_("Zoom out"),
    "zoom_out_hint": N_("Zoom out (−)"),
    "zoom_fit": N_("Fit"),
    "zoom_fit_hint": N_("Whole map (0)"),
    "map": N_("Seat map"),
    "map_help": N_("Arrow keys move between seats, Enter or Space picks a seat."),
    "loading": N_("Loading the seat map…"),
    "no_map": N_("This event has no seat map."),
    "stage": N_("STAGE"),
    "dismiss": N_("Dismiss"),
    "panel": N_("This sale"),
    "hold_title": N_("Seats for this sale"),
    "selection_empty": N_("Click seats on the map, or find the best ones below."),
    "release_all": N_("Release all"),
    "release": N_("Release"),
    "release_seat": N_("Release seat %(label)s"),
    "held_for": N_("Held for %(time)s"),
    "best_title": N_("Best available"),
    "best_number": N_("Seats"),
    "best_category": N_("Category"),
    "best_any": N_("Any"),
    "best_accessible": N_("Accessible seats only"),
    "best_submit": N_("Find seats"),
    "best_number_error": N_("Enter a number of seats from 1 to 50."),
    "legend_title": N_("Legend"),
    "legend_free": N_("Free (in its category colour)"),
    "legend_selected": N_("Picked for this sale"),
    "legend_held": N_("Held by another sale"),
    "legend_booked": N_("Sold"),
    "legend_accessible": N_("Accessible seat"),
    # A seat as a screen reader reads it: its place, its category and price, whether it is an
    # accessible seat and its state, joined by commas ("Stalls, row B, seat 3, Stalls 40.00
    # EUR, accessible, free").
    "seat_place": N_("%(section)s, row %(row)s, seat %(number)s"),
    "seat_place_no_section": N_("Row %(row)s, seat %(number)s"),
    "seat_category_price": N_("%(category)s %(price)s"),
    "seat_accessible": N_("accessible"),
    "state_free": N_("available"),
    "state_selected": N_("picked for this sale"),
    "state_pending": N_("waiting for the server"),
    "state_held": N_("held by another sale"),
    "state_booked": N_("sold"),
}

SEATING_PLURALS: dict[str, Plural] = {
    "seat_count": lambda n: ngettext("%(count)d seat", "%(count)d seats", n),
    # A section's free seats, on its block when the map is zoomed out.
    "section_free": lambda n: ngettext("%(count)d free", "%(count)d free", n),
}

PAYMENT: dict[str, str] = {
    "title": N_("Card payment"),
    "card_details": N_("Card details"),
    "pay": N_("Pay"),
    "pay_amount": N_("Pay %(amount)s"),
    "order": N_("Order %(code)s"),
    "loading": N_("Loading the card form…"),
    "status_ready": N_("Type or insert the card details, then press Pay (Enter)."),
    "status_processing": N_("Processing the card… do not close this window."),
    "status_retry": N_("Try again with the same or another card."),
    "status_paid": N_("Paid. Printing the tickets…"),
    "status_checking": N_("Checking with the server…"),
    "status_accepted": N_("Card accepted. Finishing the sale…"),
    "card_form_failed": N_("The card form could not be loaded. Take another way to pay."),
    "card_refused": N_("The card was not accepted."),
}

Word = str | dict[str, str]


class PageWords(BaseModel):
    """What a page speaks: the language's tag ("cs") and its words by key (a plural word:
    its forms by CLDR plural category)."""

    language: str
    words: dict[str, Word]


def plural_forms(plural: Plural, language: str) -> dict[str, str]:
    """`plural`'s form for each CLDR plural category of whole numbers in `language`."""
    rule = Locale.parse(language).plural_form
    forms: dict[str, str] = {}
    for n in range(0, 200):
        forms.setdefault(rule(n), plural(n))
    return forms


def translate(words: Mapping[str, str], plurals: Mapping[str, Plural] | None = None) -> PageWords:
    """`words` (and `plurals`) in the language in use."""
    language = i18n.current()
    translated: dict[str, Word] = {key: _(text) for key, text in words.items()}
    for key, plural in (plurals or {}).items():
        translated[key] = plural_forms(plural, language)
    return PageWords(language=language, words=translated)


def seating_words() -> PageWords:
    """The seat map page's words in the language in use."""
    return translate(SEATING, SEATING_PLURALS)


def payment_words() -> PageWords:
    """The card payment page's words in the language in use."""
    return translate(PAYMENT)
