"""The shipped catalogs are complete: every message of Box Office (the desktop app, the kiosk,
the web pages, the command line, and the documents: tickets, Wallet passes, receipts, shift
reports, mails) is translated, not fuzzy, in every shipped language, with Czech's three plural
forms, and the template matches the code (`scripts/catalogs` brings it in line)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from boxoffice import i18n, paths

ROOT = Path(__file__).resolve().parents[2]
# Where the words are (`scripts/catalogs` extracts from the same folder).
SOURCES = ("boxoffice",)
SHIPPED = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")

MessageId = str | tuple[str, ...]


def _extracted() -> dict[MessageId, str]:
    """msgid → the file it is in, straight from the code."""
    found: dict[MessageId, str] = {}
    for source in SOURCES:
        for filename, _line, message, _comments, _context in extract_from_dir(ROOT / source):
            found[message] = f"{source}/{filename}"
    return found


def _catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def test_there_is_something_to_translate():
    messages = _extracted()
    assert "Ticket %(number)d of %(count)d" in messages
    assert ("%(count)d ticket", "%(count)d tickets") in messages
    assert len(messages) > 80


def test_the_template_matches_the_code():
    template = _catalog(paths.resource("locale", "boxoffice.pot"))
    in_template = {message.id for message in template if message.id}
    in_code = set(_extracted())
    assert in_code - in_template == set(), "run scripts/catalogs"
    assert in_template - in_code == set(), "run scripts/catalogs"


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_is_translated(language):
    catalog = _catalog(Path(i18n.catalog_path(language)), language)
    problems = []
    for msgid, where in _extracted().items():
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r} ({where})")
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"untranslated: {msgid!r}")
        plural: str = msgid if isinstance(msgid, str) else msgid[-1]
        wanted = set(PLACEHOLDER.findall(plural))
        for text in strings:
            if text and set(PLACEHOLDER.findall(str(text))) != wanted:
                problems.append(f"placeholders differ: {msgid!r} → {text!r}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("language", SHIPPED)
def test_no_obsolete_or_fuzzy_header(language):
    catalog = _catalog(Path(i18n.catalog_path(language)), language)
    assert not catalog.fuzzy
    assert catalog.obsolete == {}


def test_czech_has_three_plural_forms():
    catalog = _catalog(Path(i18n.catalog_path("cs")), "cs")
    assert catalog.num_plurals == 3
    tr = i18n.translations("cs")
    words = [
        tr.ngettext("%(count)d ticket", "%(count)d tickets", n) % {"count": n}
        for n in (1, 2, 4, 5, 21)
    ]
    assert words == ["1 vstupenka", "2 vstupenky", "4 vstupenky", "5 vstupenek", "21 vstupenek"]
    de = i18n.translations("de")
    assert de.ngettext("%(count)d ticket", "%(count)d tickets", 2) % {"count": 2} == "2 Tickets"


def test_negotiation():
    assert i18n.negotiate("de-DE,de;q=0.9,en;q=0.8") == "de"
    assert i18n.negotiate("fr-FR, cs;q=0.5, de;q=0.4") == "cs"
    assert i18n.negotiate("cs;q=0, de") == "de"
    assert i18n.negotiate("fr, *") == "en"
    assert i18n.negotiate(None) == "en"
    assert i18n.negotiate("cs_CZ") == "cs"
