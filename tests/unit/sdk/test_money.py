"""`format_money`, the one way amounts are written: screens, the CLI, mails and tickets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from boxoffice.sdk.money import format_money


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("81.2"), "eur", "81.20 EUR"),
        (Decimal("1200.5"), "CZK", "1,200.50 CZK"),
        (Decimal("1200"), "JPY", "1,200 JPY"),  # no minor units
        (15, "EUR", "15.00 EUR"),
    ],
)
def test_code_after_the_amount(amount, currency, text):
    assert format_money(amount, currency) == text


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("45"), "EUR", "€45.00"),
        (Decimal("10.5"), "usd", "$10.50"),
        (Decimal("1234.5"), "GBP", "£1,234.50"),
        (Decimal("450"), "CZK", "450.00 CZK"),  # no sign of its own here: the code
        (Decimal("1200"), "JPY", "1,200 JPY"),
    ],
)
def test_symbol_in_front_where_there_is_one(amount, currency, text):
    assert format_money(amount, currency, symbol=True) == text
