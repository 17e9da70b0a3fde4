"""Ticket outputs in the order's language: the Wallet pass's labels and terms, the dates and
money of the shared formatters."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

from boxoffice.sdk.money import format_money
from boxoffice.server.ticketoutput.base import format_datetime, format_span
from boxoffice.server.ticketoutput.certificates import load_or_create_development_signer
from boxoffice.server.ticketoutput.pkpass import PkpassOptions, pass_json
from tests.unit.server.ticketoutput.conftest import make_tickets

MOMENT = datetime(2026, 12, 7, 20, 0, tzinfo=ZoneInfo("Europe/Prague"))


def test_dates_and_money_for_the_locale():
    assert format_datetime(MOMENT) == "Mon 7 Dec 2026, 20:00 CET"  # English as before
    assert format_datetime(MOMENT, language="cs") == "po 7. 12. 2026 20:00 SEČ"
    assert format_datetime(MOMENT, zone=False, language="de") == "Mo. 07.12.2026, 20:00"
    later = MOMENT.replace(hour=21)
    assert format_span(MOMENT, later, reference=MOMENT, language="cs") == "20:00–21:00"
    assert format_money(29, "EUR") == "29.00 EUR"
    assert format_money(29, "EUR", locale="cs") == "29,00\xa0€"
    assert format_money(1229, "EUR", locale="de") == "1.229,00\xa0€"
    assert format_money(1229, "CZK", locale="cs") == "1\xa0229,00\xa0Kč"


def test_the_wallet_pass_in_german(tmp_path):
    signer = load_or_create_development_signer(tmp_path / "certificates", "Česká filharmonie")
    seated = dataclasses.replace(make_tickets()[0], language="de")
    data = pass_json(seated, signer, PkpassOptions())
    ticket = data["eventTicket"]
    labels = {field["key"]: field["label"] for group in ticket.values() for field in group}
    assert labels["event"] == "VERANSTALTUNG"
    assert (labels["row"], labels["seat"], labels["when"]) == ("REIHE", "PLATZ", "DATUM")
    assert labels["price"] == "Preis" and labels["doors"] == "Einlass"
    assert data["description"] == "Ticket für Dvořák: Symphony No. 9"
    values = {field["key"]: field["value"] for field in ticket["backFields"]}
    assert values["price"] == "45,00\xa0€"
    assert values["terms"].startswith("Dieses Ticket gilt")
    english = pass_json(make_tickets()[0], signer, PkpassOptions(terms="Own terms."))
    assert english["eventTicket"]["auxiliaryFields"][0]["label"] == "SECTION"
    back = {field["key"]: field["value"] for field in english["eventTicket"]["backFields"]}
    assert back["terms"] == "Own terms."


def test_czech_general_admission_pass(tmp_path):
    signer = load_or_create_development_signer(tmp_path / "certificates", "Česká filharmonie")
    standing = dataclasses.replace(make_tickets()[1], language="cs", sector_name=None)
    fields = pass_json(standing, signer, PkpassOptions())["eventTicket"]["auxiliaryFields"]
    assert {"key": "area", "label": "PROSTOR", "value": "Bez místenky"} in fields
