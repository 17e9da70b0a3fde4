"""Money conversion, percentage rounding and unit prices."""

from decimal import Decimal

import pytest

from boxoffice.server.db.models import Discount, TicketConfig
from boxoffice.server.errors import InvalidInput
from boxoffice.server.services.money import percent_of, to_major, to_minor
from boxoffice.server.services.pricing import unit_price


def test_minor_units_round_trip():
    assert to_minor(Decimal("19.90"), "EUR") == 1990
    assert to_major(1990, "eur") == Decimal("19.90")
    assert to_minor(Decimal("500"), "JPY") == 500
    assert to_major(500, "JPY") == Decimal(500)


def test_too_many_decimals_is_an_error():
    with pytest.raises(InvalidInput) as caught:
        to_minor(Decimal("1.234"), "EUR", field="face_value")
    assert caught.value.field == "face_value"
    with pytest.raises(InvalidInput):
        to_minor(Decimal("1.5"), "JPY")


def test_percentages_round_half_up():
    assert percent_of(1990, 1250) == 249  # 12.5 % of 19.90 = 2.4875
    assert percent_of(100, 5000) == 50
    assert percent_of(1, 5000) == 1  # 0.5 cent rounds up


def test_unit_price_stacks_discounts_and_floors_at_zero():
    config = TicketConfig(face_value=2000, currency="EUR")
    student = Discount(type="percentage", value=2000)
    member = Discount(type="fixed", value=500)
    assert unit_price(config, []) == 2000
    assert unit_price(config, [student]) == 1600
    assert unit_price(config, [student, member]) == 1100
    assert unit_price(config, [Discount(type="fixed", value=5000)]) == 0
