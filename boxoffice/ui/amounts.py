"""Amounts of money as a cashier types them: `50`, `20.50`, `20,50`, `1 000,50` (Czech),
`1.000,50` (German), and `-5` where allowed."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, parse_decimal

from boxoffice import i18n
from boxoffice.i18n import _


def parse_amount(text: str, *, what: str, signed: bool = False) -> Decimal | None:
    """The amount typed in `text`, None when empty; ValueError with a sentence naming `what`
    when it is not a number (or negative where `signed` is False)."""
    cleaned = "".join(text.split()).replace("\u2212", "-")  # any space; a typographic minus
    if not cleaned:
        return None
    value = _in_language(cleaned)
    if value is None:
        try:
            value = Decimal(cleaned.replace(",", "."))  # "20.50" and "20,50" in any language
        except InvalidOperation:
            value = Decimal("NaN")
    if not value.is_finite() or (value < 0 and not signed):
        if signed:
            message = _("Type %(what)s as a number, like 50, 20.50 or -5.")
        else:
            message = _("Type %(what)s as a number, like 50 or 20.50.")
        raise ValueError(message % {"what": what})
    return value


def _in_language(text: str) -> Decimal | None:
    """`text` read with the language's decimal and group marks ("1.000,50" in German), None
    when it does not read as a number there."""
    language = i18n.current()
    if language == i18n.DEFAULT or text.count(",") + text.count(".") < 2:
        return None  # one mark: the forgiving reading below, whichever mark it is
    try:
        return parse_decimal(text, locale=language, strict=True)
    except NumberFormatError:
        return None
