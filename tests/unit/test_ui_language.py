"""The languages' foundation: the system's language from the environment, Qt's own words and
number formats following the chosen language, amounts typed the way a language writes them,
money written the way it does, and the shell's sentences (errors, the mode) translated."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from boxoffice import i18n, sdk
from boxoffice.desktop.settings import Mode
from boxoffice.i18n import _
from boxoffice.ui import language
from boxoffice.ui.amounts import parse_amount
from boxoffice.ui.errors import card_page_message, user_message, wait_text


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANGUAGE": "cs:en"}, "cs"),
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LC_ALL": "C.UTF-8", "LANG": "cs_CZ.UTF-8"}, "en"),  # LC_ALL wins over LANG
        ({"LANG": "fr_FR.UTF-8"}, "en"),  # a language Box Office does not speak
        ({}, "en"),
    ],
)
def test_the_system_language_comes_from_the_environment(environ, expected):
    assert i18n.system_language(environ) == expected


def _cancel_text() -> str:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    button = box.button(QDialogButtonBox.StandardButton.Cancel)
    text = button.text().replace("&", "")
    box.deleteLater()
    return text


def test_the_language_switches_qts_own_words_and_number_formats(qapp: QApplication):
    assert language.apply("de") == "de"
    assert i18n.current() == "de"
    assert _cancel_text() == "Abbrechen"  # qtbase_de.qm, shipped with PySide6
    assert QLocale().language() == QLocale.Language.German
    assert QLocale().toString(1000.5, "f", 2) == "1.000,50"
    assert language.apply("en") == "en"
    assert _cancel_text() == "Cancel"
    assert QLocale().language() == QLocale.Language.English


def test_amounts_are_read_as_the_language_writes_them():
    assert parse_amount("20,50", what="the cash") == Decimal("20.50")
    assert parse_amount("20.50", what="the cash") == Decimal("20.50")
    i18n.use("de")
    assert parse_amount("1.000,50", what="das Bargeld") == Decimal("1000.50")
    assert parse_amount("20,50", what="das Bargeld") == Decimal("20.50")
    i18n.use("cs")
    assert parse_amount("1 000,50", what="hotovost") == Decimal("1000.50")
    assert parse_amount("1\xa0000,50", what="hotovost") == Decimal("1000.50")  # no-break space
    assert parse_amount("", what="hotovost") is None


def test_a_wrong_amount_is_refused_in_the_language_in_use():
    """Needs the Czech catalog with the amounts' sentences (after the lead merges them)."""
    i18n.use("cs")
    with pytest.raises(ValueError) as refused:
        parse_amount("abc", what="hotovost")
    message = str(refused.value)
    assert "hotovost" in message
    assert not message.startswith("Type ")  # Czech, not the English sentence
    assert message == _("Type %(what)s as a number, like 50 or 20.50.") % {"what": "hotovost"}


def test_money_is_written_as_the_language_writes_it():
    assert i18n.money(Decimal("29"), "EUR") == "29.00 EUR"  # English keeps its format
    i18n.use("cs")
    assert i18n.money(Decimal("29"), "EUR") == "29,00\xa0€"
    i18n.use("de")
    assert i18n.money(Decimal("29"), "EUR") == "29,00\xa0€"


def test_the_shells_sentences_are_english_by_default():
    assert Mode.EMBEDDED.status_label(None) == ("Training — no real money", True)
    assert Mode.VENUE.status_label(False) == ("Venue server", False)
    assert wait_text(900) == "15 minutes" and wait_text(1) == "1 second"
    assert card_page_message("expired_card") == "The card has expired. Ask for another card."


def test_the_shells_sentences_in_czech():
    """Needs the shell's messages in the Czech catalog (after the lead merges the partials)."""
    i18n.use("cs")
    assert Mode.EMBEDDED.status_label(None) == ("Cvičný režim — žádné skutečné peníze", True)
    assert Mode.EMBEDDED.status_label(False) == ("Vestavěný server", False)
    sold_out = sdk.SoldOutError("server text", status=409, code="sold_out")
    assert user_message(sold_out) == "Vyprodáno: pro tuto volbu nezbývá dost vstupenek."
    assert user_message(RuntimeError("boom")).startswith("Něco se nepovedlo.")
    # The SDK's card sentences (marked N_) are translated where they are shown …
    assert card_page_message("expired_card") == "Platnost karty vypršela. Požádejte o jinou kartu."
    # … also when the server sent one as its message for a code the UI does not map.
    from_server = sdk.ConflictError(
        "The card has expired. Ask for another card.", status=409, code="something_new"
    )
    assert user_message(from_server) == "Platnost karty vypršela. Požádejte o jinou kartu."
    # Czech has three plural forms; a server message nobody translated stays as it was sent.
    assert [wait_text(n) for n in (1, 3, 45, 900)] == [
        "1 sekundu",
        "3 sekundy",
        "45 sekund",
        "15 minut",
    ]
    unknown = sdk.BadRequestError("Quantity must be at least 1", status=400, code="new")
    assert user_message(unknown) == "Quantity must be at least 1."
