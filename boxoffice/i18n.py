"""Languages of everything Box Office says: the documents the server makes (tickets, receipts,
reports, mails), the desktop app, the kiosk, the web pages and the command line.

English, Czech and German; one gettext catalog per language in `resources/locale/<lang>/
LC_MESSAGES/boxoffice.po`, compiled in memory on first use (no .mo files in the tree), and CLDR
formats (Babel) for money, dates and times. English keeps the formats it always had.

The server passes the buyer's language explicitly; the programs (desktop, kiosk, command line)
speak one language at a time: `use()` sets it (the system's at start, Settings can override it,
a kiosk customer picks one), `_()` and `ngettext()` translate into it.
"""

from __future__ import annotations

import functools
import io
import locale as _locale
import os
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.dates import format_time as _babel_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import get_decimal_symbol
from babel.support import NullTranslations, Translations

from boxoffice import paths
from boxoffice.sdk.money import format_money

DOMAIN = "boxoffice"
DEFAULT = "en"
# Each language by its own name, as a language picker shows it.
LANGUAGES: dict[str, str] = {"en": "English", "cs": "Čeština", "de": "Deutsch"}


class Translator(Protocol):
    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


def N_(message: str) -> str:  # noqa: N802 (gettext's name for a deferred translation)
    """Marks `message` for extraction; it is translated where it is used."""
    return message


# How a payment was made, in a sentence ("paid by cash", "3 cash sales"); the codes are the
# payment's `type` / `provider` ("stripe" is the card page's provider).
PAYMENT_METHODS: dict[str, str] = {
    "cash": N_("cash"),
    "card": N_("card"),
    "stripe": N_("card"),
    "card_present": N_("card on a reader"),
    "free": N_("free"),
}


def payment_method(code: str) -> str:
    """A payment method's word in the language in use; a method it does not know, as it is."""
    return _(PAYMENT_METHODS[code]) if code in PAYMENT_METHODS else code


def normalize(tag: str | None) -> str | None:
    """A supported language for a tag ("cs", "de-AT", "cs_CZ"), else None."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else None


def negotiate(accept_language: str | None) -> str:
    """The best supported language for an `Accept-Language` header or a single tag
    ("de-DE,de;q=0.9,en;q=0.8" → "de"); English when none matches."""
    if not accept_language:
        return DEFAULT
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = normalize(tag)
        if language is not None and quality > 0:
            ranked.append((-quality, index, language))
    return min(ranked)[2] if ranked else DEFAULT


def catalog_path(language: str) -> str:
    return str(paths.resource("locale", language, "LC_MESSAGES", f"{DOMAIN}.po"))


@functools.cache
def translations(language: str) -> Translator:
    """The gettext translations of `language` (English: the messages as written)."""
    language = normalize(language) or DEFAULT
    if language == DEFAULT:
        return NullTranslations()
    with open(catalog_path(language), "rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def money(
    amount: Decimal | int, currency: str, language: str | None = None, *, symbol: bool = False
) -> str:
    """An amount as `language` (default: the language in use) writes it ("29,00 €" in Czech and
    German; no-break spaces as CLDR has them); English keeps `format_money`'s "29.00 EUR"
    (`symbol`: "€29.00")."""
    language = language or current()
    if language == DEFAULT:
        return format_money(amount, currency, symbol=symbol)
    return format_money(amount, currency, locale=language)


def decimal(value: Decimal, language: str | None = None) -> str:
    """A plain number ("12.5") with the decimal mark of `language` (default: the language in
    use): cs and de "12,5"; no grouping, its digits as written."""
    language = language or current()
    text = format(value, "f")
    if language == DEFAULT:
        return text
    return text.replace(".", get_decimal_symbol(language))


def date(moment: datetime, language: str | None = None, *, weekday: bool = False) -> str:
    """The date in `moment`'s own timezone: cs "7. 12. 2026", de "07.12.2026"."""
    language = language or current()
    text = _babel_date(moment, "medium", locale=language)
    if weekday:
        text = f"{_babel_date(moment, 'EEE', locale=language)} {text}"
    return text


def time(moment: datetime, language: str | None = None) -> str:
    """ "20:00" (24 hours in Czech and German)."""
    language = language or current()
    return _babel_time(moment, "HH:mm", tzinfo=moment.tzinfo, locale=language)


def date_time(moment: datetime, language: str | None = None, *, weekday: bool = False) -> str:
    """Date and time as `language` joins them: cs "7. 12. 2026 20:00", de "07.12.2026, 20:00"."""
    language = language or current()
    pattern = str(Locale.parse(language).datetime_formats["medium"])
    return pattern.replace("{1}", date(moment, language, weekday=weekday)).replace(
        "{0}", time(moment, language)
    )


def moment(
    when: datetime,
    english: str,
    *,
    with_date: bool = True,
    with_time: bool = True,
    weekday: bool = False,
    seconds: bool = False,
    zone: bool = False,
) -> str:
    """A date and time for people, in the language in use: English keeps the format it always
    had, `when.strftime(english)`; Czech and German write it as CLDR does ("7. 12. 2026
    20:00"), with the date, the time or both, seconds and the zone's name when asked."""
    if current() == DEFAULT:
        return when.strftime(english)
    clock = when.strftime("%H:%M:%S") if seconds else time(when)
    if not with_time:
        text = date(when, weekday=weekday)
    elif not with_date:
        text = clock
    elif seconds:
        text = f"{date(when, weekday=weekday)} {clock}"
    else:
        text = date_time(when, weekday=weekday)
    if zone and when.tzinfo is not None:
        text += f" {zone_name(when)}"
    return text


def short_moment(when: datetime, now: datetime) -> str:
    """`when` as a list shows it: its time alone on the day of `now`, else day and time
    ("14:05", "07 Dec 14:05"; cs "14:05", "7. 12. 2026 14:05")."""
    if when.date() == now.date():
        return moment(when, "%H:%M", with_date=False)
    return moment(when, "%d %b %H:%M")


def zone_name(moment: datetime, language: str | None = None) -> str:
    """The zone's short name in `language` ("SEČ", "MEZ")."""
    language = language or current()
    return _babel_datetime(moment, "z", tzinfo=moment.tzinfo, locale=language)


# The language the running program speaks (desktop, kiosk, command line); the server never
# reads it: it passes each order's language explicitly.
_current = DEFAULT

# Where a program looks for the system's language, in gettext's order.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def system_language(environ: Mapping[str, str] | None = None) -> str:
    """The supported language the system asks for: the first supported one of `LANGUAGE`'s list,
    else `LC_ALL`, `LC_MESSAGES`, `LANG` (the first one set decides, as for gettext), else the
    OS locale (Windows, macOS); English when none is supported."""
    environ = os.environ if environ is None else environ
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if not value:
            continue
        for tag in value.split(":") if variable == "LANGUAGE" else [value]:
            language = normalize(tag.split(".", 1)[0])
            if language is not None:
                return language
        if variable != "LANGUAGE":
            return DEFAULT  # e.g. LANG=C.UTF-8 or a language we do not ship
    if environ is os.environ:
        found = _locale.getlocale()[0]
        return normalize(found) or DEFAULT
    return DEFAULT


def use(language: str | None) -> str:
    """Speak `language` from now on (unsupported or None: English); answers the one in use."""
    global _current
    _current = normalize(language) or DEFAULT
    return _current


def current() -> str:
    """The language the program speaks now."""
    return _current


def _(message: str) -> str:
    """`message` in the language in use."""
    return translations(_current).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of `singular`/`plural` for `n` in the language in use (Czech has three)."""
    return translations(_current).ngettext(singular, plural, n)
