"""The notes and coins of each supported currency, in minor units, for counting a drawer.

A cashier may count the drawer per denomination at close (`{"50.00": 2, "0.20": 3}`); the
total is then the sum. A currency not listed here can only be counted as a total.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from boxoffice.server.errors import InvalidInput
from boxoffice.server.services.money import to_minor

# Minor units of each note and coin in circulation, largest first.
DENOMINATIONS: Mapping[str, tuple[int, ...]] = {
    "EUR": (50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1),
    "CZK": (500000, 200000, 100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100),
    "USD": (10000, 5000, 2000, 1000, 500, 200, 100, 25, 10, 5, 1),
    "GBP": (5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1),
    "CHF": (100000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5),
    "PLN": (50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1),
}
MAX_PIECES = 1_000_000  # of one denomination: a count beyond it is a typing slip


def supported(currency: str) -> tuple[int, ...] | None:
    """The currency's denominations (minor units), or None when only a total can be counted."""
    return DENOMINATIONS.get(currency.upper())


def count(currency: str, pieces: Mapping[str, int]) -> tuple[int, dict[str, int]]:
    """The total (minor units) of `pieces` — face value in major units ("50.00", "0.2") →
    how many — and the detail as stored: minor units (as a string) → how many. Refuses a
    currency without a table, a face value that is no note or coin of it, and negative or
    absurd counts (`422 invalid_denomination`)."""
    table = supported(currency)
    if table is None:
        raise InvalidInput(
            f"Counting by notes and coins is not set up for {currency.upper()}; "
            "enter the counted total.",
            code="invalid_denomination",
            field="denominations",
        )
    detail: dict[str, int] = {}
    total = 0
    for face, how_many in pieces.items():
        try:
            value = to_minor(Decimal(str(face).strip()), currency, field="denominations")
        except (InvalidOperation, InvalidInput):
            value = -1
        if value not in table:
            raise InvalidInput(
                f"{face} is not a {currency.upper()} note or coin.",
                code="invalid_denomination",
                field="denominations",
            )
        if (
            isinstance(how_many, bool)
            or not isinstance(how_many, int)
            or not (0 <= how_many <= MAX_PIECES)
        ):
            raise InvalidInput(
                f"The count of {face} must be a whole number from 0 to {MAX_PIECES}.",
                code="invalid_denomination",
                field="denominations",
            )
        if how_many:
            detail[str(value)] = detail.get(str(value), 0) + how_many
            total += value * how_many
    return total, detail
