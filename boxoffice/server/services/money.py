"""Conversion between integer minor units (inside the server) and Decimal major units (the wire)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from boxoffice.sdk.money import exponent, to_major
from boxoffice.server.errors import InvalidInput

__all__ = ["exponent", "percent_of", "to_major", "to_minor"]


def to_minor(amount: Decimal, currency: str, *, field: str = "amount") -> int:
    """Major units to integer minor units; more decimals than the currency has is an error."""
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise InvalidInput(
            f"{amount} has more decimal places than {currency.upper()} allows.",
            code="invalid_amount",
            field=field,
        )
    return int(scaled)


def percent_of(minor: int, basis_points: int) -> int:
    """`basis_points`/100 % of an amount in minor units, rounded half up."""
    return int((Decimal(minor) * basis_points / 10000).quantize(Decimal(1), ROUND_HALF_UP))
