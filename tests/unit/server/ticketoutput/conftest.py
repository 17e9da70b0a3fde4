"""Tickets to render: seated with non-Latin names, general admission, and timeslotted."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from boxoffice.server.ticketoutput.base import SeatLabel, TicketView, TimeslotView

PRAGUE = ZoneInfo("Europe/Prague")
START = datetime(2026, 12, 12, 19, 30, tzinfo=PRAGUE)


def make_tickets() -> list[TicketView]:
    seated = TicketView(
        ticket_id=1,
        code="PAUD6JHXZR",
        qr_payload="BO1.42.PAUD6JHXZR."
        "1wG0sFKlTCes4IlEbDFmIVQkUT9uyUkatHNrk6NTKuEgneVQzhQOrWYYcrZS4ieR5i4Q09zHoZ4aFQMDmchIMQ",
        event_name="Dvořák: Symphony No. 9",
        event_start=START,
        event_end=START + timedelta(hours=2, minutes=30),
        timezone_name="Europe/Prague",
        venue_name="Rudolfinum – Dvořák Hall",
        venue_address="Alšovo nábřeží 12, 110 00 Praha 1, CZ",
        ticket_config_name="Parterre",
        sector_name=None,
        seat=SeatLabel("Parterre left", "12", "24"),
        price=Decimal("45.00"),
        currency="EUR",
        order_code="KX7MPQ",
        holder_name="Antonín Dvořák",
        organizer_name="Česká filharmonie",
        doors_open=START - timedelta(minutes=45),
    )
    standing = dataclasses.replace(
        seated,
        ticket_id=2,
        code="W3KQ7TNB2M",
        qr_payload="BO1.42.W3KQ7TNB2M."
        "gDd4prLGoE4HWhu-ZhsjQ0Ca_zZ9IuZFzjoUk9KTBMQz6e5YpZEm56GSzMpMLSEW3gm9tXShmCLDP6Kxn593BQ",
        ticket_config_name="Standing",
        sector_name="Standing area",
        seat=None,
        price=Decimal("15.00"),
        holder_name=None,
    )
    museum_day = datetime(2026, 12, 13, tzinfo=PRAGUE)
    timed = dataclasses.replace(
        seated,
        ticket_id=3,
        code="HX9RC4VGEA",
        qr_payload="BO1.42.HX9RC4VGEA."
        "O9oQDUByvNb_ZcF2HI4dKMeK-ks-b4DEy2lRFO3jpzU_i0EANMIKNzwcM-ABhzrroDWhYYRDg438GklonKxb5g",
        event_name="Museum of Music",
        event_start=datetime(2026, 12, 1, 10, tzinfo=PRAGUE),
        event_end=datetime(2027, 3, 31, 18, tzinfo=PRAGUE),
        ticket_config_name="Adult timed entry",
        seat=None,
        price=Decimal("9.50"),
        holder_name="Jana Nováková",
        timeslot=TimeslotView(museum_day.replace(hour=14), museum_day.replace(hour=14, minute=30)),
        doors_open=None,
    )
    return [seated, standing, timed]


@pytest.fixture
def tickets() -> list[TicketView]:
    return make_tickets()
