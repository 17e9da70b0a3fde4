"""The cart presenter: lines and their merging, the cashier's errors, the price preview and the
order items it becomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from boxoffice.sdk.models.events import Event
from boxoffice.ui.presenters.cart import CartError, CartPresenter

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
STANDARD, SLOTTED, STANDING, SEATED, FREE, CHEAP = 1, 2, 3, 4, 5, 6
SLOT, SECTOR = 21, 31
STUDENT, MEMBER, HUGE, CUT = 41, 42, 43, 44


def make_event(event_id: int = 1, name: str = "Concert") -> Event:
    def config(config_id: int, name: str, face_value: str, **extra: Any) -> dict[str, Any]:
        return {
            "id": config_id,
            "event_id": event_id,
            "name": name,
            "face_value": face_value,
            "currency": "EUR",
            "start_sale_at": NOW - timedelta(days=7),
            **extra,
        }

    def discount(discount_id: int, name: str, kind: str, value: str) -> dict[str, Any]:
        return {
            "id": discount_id,
            "event_id": event_id,
            "name": name,
            "type": kind,
            "value": value,
            "ticket_config_ids": [STANDARD, CHEAP],
        }

    return Event.model_validate(
        {
            "id": event_id,
            "name": name,
            "status": "published",
            "start_at": NOW + timedelta(days=5),
            "end_at": NOW + timedelta(days=5, hours=3),
            "timezone_name": "Europe/Vienna",
            "visible": True,
            "organizer_id": "demo",
            "created_at": NOW,
            "updated_at": NOW,
            "ticket_config": [
                config(STANDARD, "Standard", "29.00"),
                config(SLOTTED, "Adult", "14.00", timeslot_ids=[SLOT]),
                config(STANDING, "Standing", "39.00", sector_ids=[SECTOR]),
                config(SEATED, "Stalls", "45.00", seat_category="stalls"),
                config(FREE, "Companion", "0"),
                config(CHEAP, "Cheap", "3.99"),
            ],
            "timeslot": [
                {
                    "id": SLOT,
                    "event_id": event_id,
                    "start_at": NOW + timedelta(days=1),
                    "end_at": NOW + timedelta(days=1, hours=1),
                    "ticket_config_ids": [SLOTTED],
                }
            ],
            "sector": [
                {
                    "id": SECTOR,
                    "event_id": event_id,
                    "name": "Front of stage",
                    "ticket_config_ids": [STANDING],
                }
            ],
            "ticket_discount": [
                discount(STUDENT, "Student", "percentage", "20"),
                discount(MEMBER, "Member", "fixed", "5.00"),
                discount(HUGE, "Staff", "fixed", "50.00"),
                discount(CUT, "Third off", "percentage", "33.33"),
            ],
        }
    )


@pytest.fixture
def cart(qapp) -> CartPresenter:
    presenter = CartPresenter()
    presenter.show_event(make_event())
    return presenter


def test_equal_lines_are_merged(cart):
    cart.add(STANDARD, 2)
    cart.add(STANDARD, 3)
    cart.add(SLOTTED, 1, timeslot_id=SLOT)
    cart.add(SLOTTED, 1, timeslot_id=SLOT)
    assert [(line.config.id, line.quantity) for line in cart.lines] == [(STANDARD, 5), (SLOTTED, 2)]
    assert cart.ticket_count == 7


def test_a_different_discount_makes_another_line(cart):
    cart.add(STANDARD, 1)
    cart.add(STANDARD, 1, discount_id=STUDENT)
    cart.add(STANDARD, 1, discount_id=STUDENT)
    assert [line.key for line in cart.lines] == [
        (STANDARD, None, None, None),
        (STANDARD, None, None, STUDENT),
    ]
    assert [line.quantity for line in cart.lines] == [1, 2]


def test_seats_are_never_merged_and_their_hold_goes_with_the_last_one(cart):
    cart.add(SEATED, 1, seats=("A-1",), hold_token="hold-1")
    cart.add(SEATED, 1, seats=("A-2",), hold_token="hold-1")
    cart.add(STANDARD, 1)
    assert [line.seats for line in cart.lines] == [("A-1",), ("A-2",), ()]
    assert cart.hold_token == "hold-1"
    cart.remove(0)
    assert cart.hold_token == "hold-1"
    cart.remove(0)
    assert cart.hold_token is None
    assert [line.config.id for line in cart.lines] == [STANDARD]


def test_seats_from_the_map_are_added_once_with_their_hold(cart):
    cart.add_held_seats(
        [{"quantity": 2, "ticket_config_id": SEATED, "selected_seats": ["A-1", "A-2"]}],
        "hold-3",
    )
    # the map again: its selection is what the hold has, the seats in the cart included
    cart.add_held_seats(
        [
            {"quantity": 3, "ticket_config_id": SEATED, "selected_seats": ["A-1", "A-2", "B-7"]},
            {"quantity": 1, "ticket_config_id": SEATED, "selected_seats": ["A-2"]},
        ],
        "hold-3",
    )
    assert [(line.config.id, line.seats) for line in cart.lines] == [
        (SEATED, ("A-1", "A-2")),
        (SEATED, ("B-7",)),
    ]
    assert [line.quantity for line in cart.lines] == [2, 1]
    assert cart.hold_token == "hold-3"


def test_changes_are_signalled(cart):
    seen: list[None] = []
    cart.changed.connect(lambda: seen.append(None))
    cart.add(STANDARD, 1)
    cart.remove(5)  # no such line: nothing changes
    cart.remove(0)
    cart.clear()
    assert len(seen) == 3


@pytest.mark.parametrize(
    ("config_id", "choices", "message"),
    [
        (SLOTTED, {}, "Choose a time slot for Adult."),
        (STANDING, {}, "Choose a sector for Standing."),
        (999, {}, "That ticket type is not offered for this event any more. Refresh the event."),
        (SLOTTED, {"timeslot_id": 998}, "That time slot is not offered"),
        (STANDING, {"sector_id": 997}, "That sector is not offered"),
        (STANDARD, {"discount_id": 996}, "That discount is not offered"),
    ],
)
def test_missing_choices_and_unknown_ids_are_refused(cart, config_id, choices, message):
    with pytest.raises(CartError, match=f"^{message}"):
        cart.add(config_id, 1, **choices)
    assert cart.lines == []


@pytest.mark.parametrize("quantity", [0, -2])
def test_a_quantity_below_one_is_refused(cart, quantity):
    with pytest.raises(CartError, match=r"^Enter how many tickets \(1 or more\)\.$"):
        cart.add(STANDARD, quantity)


def test_nothing_can_be_added_before_an_event_is_chosen(qapp):
    with pytest.raises(CartError, match=r"^Choose an event first\.$"):
        CartPresenter().add(STANDARD, 1)


@pytest.mark.parametrize(
    ("config_id", "discount_id", "unit_price"),
    [
        (STANDARD, None, "29.00"),
        (STANDARD, STUDENT, "23.20"),  # 20 % off
        (STANDARD, MEMBER, "24.00"),  # 5 EUR off
        (STANDARD, HUGE, "0"),  # 50 EUR off a 29 EUR ticket: free, never negative
        (CHEAP, MEMBER, "0"),
        (CHEAP, CUT, "2.66"),  # 33.33 % of 3.99 is 1.3299 → 1.33 off
        (STANDARD, CUT, "19.33"),  # 9.6657 → 9.67 off
    ],
)
def test_price_preview_with_discounts(cart, config_id, discount_id, unit_price):
    line = cart.add(config_id, 3, discount_id=discount_id)
    assert line.unit_price == Decimal(unit_price)
    assert line.unit_price >= 0
    assert line.total == Decimal(unit_price) * 3
    assert cart.total == line.total


def test_cart_totals(cart):
    assert cart.total == 0 and cart.currency == "" and not cart.is_free
    cart.add(STANDARD, 2)
    cart.add(STANDARD, 1, discount_id=STUDENT)
    cart.add(FREE, 1)
    assert cart.total == Decimal("81.20")
    assert cart.currency == "EUR"
    assert cart.ticket_count == 4
    assert not cart.is_free


def test_a_cart_of_free_tickets_is_free(cart):
    cart.add(FREE, 2)
    cart.add(STANDARD, 1, discount_id=HUGE)
    assert cart.total == 0 and cart.is_free


def test_order_items_shape(cart):
    cart.add(STANDARD, 2)
    cart.add(STANDARD, 1, discount_id=STUDENT)
    cart.add(SLOTTED, 3, timeslot_id=SLOT)
    cart.add(STANDING, 4, sector_id=SECTOR)
    cart.add(SEATED, 2, seats=("A-1", "A-2"), hold_token="hold-9")
    assert cart.order_items() == [
        {"quantity": 2, "ticket_config_id": STANDARD},
        {"quantity": 1, "ticket_config_id": STANDARD, "ticket_discount": [STUDENT]},
        {"quantity": 3, "ticket_config_id": SLOTTED, "timeslot_id": SLOT},
        {"quantity": 4, "ticket_config_id": STANDING, "sector_id": SECTOR},
        {"quantity": 2, "ticket_config_id": SEATED, "selected_seats": ["A-1", "A-2"]},
    ]
    assert cart.hold_token == "hold-9"


def test_describe_a_line_in_the_event_time_zone(cart):
    slot = cart.add(SLOTTED, 1, timeslot_id=SLOT)
    assert slot.describe(ZoneInfo("Europe/Vienna")) == "Adult · 02 Jun 14:00"
    standing = cart.add(STANDING, 1, sector_id=SECTOR)
    assert standing.describe() == "Standing · Front of stage"
    seats = cart.add(SEATED, 2, seats=("A-1", "A-2"))
    assert seats.describe() == "Stalls · A-1, A-2"
    student = cart.add(STANDARD, 1, discount_id=STUDENT)
    assert student.describe() == "Standard · Student"


def test_another_event_is_refused_while_the_cart_holds_tickets(cart):
    cart.add(STANDARD, 1)
    other = make_event(2, "Gala Night")
    with pytest.raises(CartError, match=r"^The cart holds tickets for Concert\. "):
        cart.show_event(other)
    assert cart.current_event is not None and cart.current_event.id == 1
    assert len(cart.lines) == 1


def test_the_same_event_may_be_shown_again_and_another_one_after_clearing(cart):
    cart.add(STANDARD, 1)
    cart.show_event(make_event(1, "Concert (reloaded)"))
    assert cart.current_event is not None and cart.current_event.name == "Concert (reloaded)"
    assert len(cart.lines) == 1
    cart.clear()
    cart.show_event(make_event(2, "Gala Night"))
    assert cart.current_event is not None and cart.current_event.id == 2
