"""`with` parsing, error field paths, date ranges, order codes."""

from datetime import UTC, datetime

import pytest

from boxoffice.server.api.errors import field_path
from boxoffice.server.api.expansion import parse_with
from boxoffice.server.api.query import date_range
from boxoffice.server.errors import InvalidInput
from boxoffice.server.services.codes import ALPHABET, new_order_code


def test_with_syntax_from_the_reference():
    tree = parse_with(
        "[subcategory,sector,ticket_config.[ticket_discount],"
        "occurrence.[ticket_config,timeslot],timeslot,ticket_format]"
    )
    assert tree["ticket_config"] == {"ticket_discount": {}}
    assert tree["occurrence"] == {"ticket_config": {}, "timeslot": {}}
    assert parse_with("address.position") == {"address": {"position": {}}}
    nested = parse_with("[order_item.ticket.[sector,ticket_holder.address],order_contact]")
    assert nested == {
        "order_item": {"ticket": {"sector": {}, "ticket_holder": {"address": {}}}},
        "order_contact": {},
    }
    assert parse_with("ticket_config,venue") == {"ticket_config": {}, "venue": {}}
    assert parse_with(None) == {}


@pytest.mark.parametrize("bad", ["[ticket_config", "[a,,]x.[", "[.]"])
def test_bad_with_is_an_input_error(bad):
    with pytest.raises(InvalidInput):
        parse_with(bad)


def test_field_paths_are_snake_case():
    assert (
        field_path(("body", "orderItem", 1, "ticketConfigId")) == "order_item[1].ticket_config_id"
    )
    assert field_path(("query", "limit")) == "limit"
    assert field_path(("body",)) == ""


def test_date_ranges_include_both_days():
    start, stop = date_range("2026-01-01;2026-01-31", "created_at")
    assert start == datetime(2026, 1, 1, tzinfo=UTC)
    assert stop == datetime(2026, 2, 1, tzinfo=UTC)
    assert date_range("2026-03-04", "x") == (
        datetime(2026, 3, 4, tzinfo=UTC),
        datetime(2026, 3, 5, tzinfo=UTC),
    )
    assert date_range("2026-03-04;", "x")[1] is None
    with pytest.raises(InvalidInput):
        date_range("soon", "created_at")


def test_order_codes_are_printer_safe():
    codes = {new_order_code() for _ in range(500)}
    assert len(codes) > 490
    assert all(len(c) == 6 and set(c) <= set(ALPHABET) for c in codes)
    assert not set(ALPHABET) & set("O0I1L")
