"""Amounts of money as a cashier types them: `50`, `20.50`, `20,50`, and `-5` where allowed."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def parse_amount(text: str, *, what: str, signed: bool = False) -> Decimal | None:
    """The amount typed in `text`, None when empty; ValueError with a sentence naming `what`
    when it is not a number (or negative where `signed` is False)."""
    cleaned = text.strip().replace(" ", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or (value < 0 and not signed):
        example = "like 50, 20.50 or -5" if signed else "like 50 or 20.50"
        raise ValueError(f"Type {what} as a number, {example}.")
    return value
