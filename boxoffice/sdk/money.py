"""Money as the wire carries it: exact Decimal major units; how many decimals a currency has,
and how an amount reads on screen."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency

# ISO 4217 currencies without minor units, as Stripe lists them.
ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)


# Signs written before the amount where the caller asks for them (`symbol=True`: tickets).
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def exponent(currency: str) -> int:
    """How many decimal places the currency has (0 for JPY and the like, else 2)."""
    return 0 if currency.upper() in ZERO_DECIMAL else 2


def to_major(minor: int | Decimal, currency: str) -> Decimal:
    """Minor units (cents; what Stripe and the server's database count) to an exact Decimal
    in major units: `2550, "EUR"` → `25.50`, `2550, "JPY"` → `2550`."""
    return Decimal(minor).scaleb(-exponent(currency))


def format_money(
    amount: Decimal | int, currency: str, *, symbol: bool = False, locale: str | None = None
) -> str:
    """`Decimal("81.2"), "eur"` → `"81.20 EUR"`: the currency's decimals, its code after
    ("1,200 JPY"). With `symbol` a currency in `SYMBOLS` gets its sign in front ("€81.20");
    the others keep their code after. `amount` is in major units.

    With a `locale` ("cs", "de", "en_GB") the amount is written as that locale does (CLDR,
    through Babel): cs and de `"29,00 €"`, separated by no-break spaces; `symbol` is then
    ignored (the locale decides)."""
    if not currency:
        return f"{amount}"
    code = currency.upper()
    if locale is not None:
        return str(format_currency(Decimal(amount), code, locale=locale))
    number = f"{Decimal(amount):,.{exponent(code)}f}"
    sign = SYMBOLS.get(code) if symbol else None
    return f"{sign}{number}" if sign else f"{number} {code}"
