"""The sale state of an event row: each state, the "sale starts" text and what is left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from boxoffice.sdk.models.events import Event, TicketConfig
from boxoffice.ui.sale_state import SaleState, config_on_sale, summarize

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def config(config_id: int = 1, **overrides: Any) -> TicketConfig:
    values: dict[str, Any] = {
        "id": config_id,
        "event_id": 1,
        "name": f"Ticket {config_id}",
        "face_value": "20",
        "currency": "EUR",
        "quantity": 100,
        "available": 100,
        "start_sale_at": NOW - 7 * DAY,
    }
    return TicketConfig.model_validate({**values, **overrides})


def event(*configs: TicketConfig | None, **overrides: Any) -> Event:
    values: dict[str, Any] = {
        "id": 1,
        "name": "Concert",
        "status": "published",
        "start_at": NOW + 5 * DAY,
        "end_at": NOW + 5 * DAY + timedelta(hours=3),
        "timezone_name": "Europe/Vienna",
        "visible": True,
        "organizer_id": "demo",
        "created_at": NOW - 30 * DAY,
        "updated_at": NOW - 30 * DAY,
        "ticket_config": [c for c in configs if c is not None],
    }
    return Event.model_validate({**values, **overrides})


def test_on_sale_says_how_many_are_left():
    summary = summarize(event(config(1, available=120), config(2, available=30)), NOW)
    assert summary.state is SaleState.ON_SALE and summary.state.sellable
    assert summary.remaining == 150
    assert summary.status_text == "On sale · 150 left"


def test_on_sale_without_a_count_when_only_seats_or_slots_limit_it():
    summary = summarize(event(config(available=None, quantity=None)), NOW)
    assert summary.state is SaleState.ON_SALE
    assert summary.remaining is None
    assert summary.status_text == "On sale"


def test_remaining_counts_only_the_configs_that_have_a_count():
    configs = (config(1, available=7), config(2, available=None), config(3, available=0))
    assert summarize(event(*configs), NOW).remaining == 7


def test_one_sold_out_config_does_not_stop_the_others():
    summary = summarize(event(config(1, available=0), config(2, available=4)), NOW)
    assert summary.state is SaleState.ON_SALE
    assert summary.status_text == "On sale · 4 left"


def test_not_started_names_the_earliest_start():
    early = NOW + timedelta(days=3, hours=-3)  # 4 Jun 09:00 UTC, 11:00 in Vienna
    summary = summarize(
        event(config(1, start_sale_at=NOW + 10 * DAY), config(2, start_sale_at=early)), NOW
    )
    assert summary.state is SaleState.NOT_STARTED and not summary.state.sellable
    assert summary.sale_starts_at == early
    assert summary.status_text == "Sale starts 04 Jun 11:00"  # in the event's time zone


def test_the_sale_start_is_told_in_the_event_time_zone():
    starts = datetime(2030, 12, 31, 23, 30, tzinfo=UTC)
    for zone, text in [
        ("UTC", "Sale starts 31 Dec 23:30"),
        ("Europe/Vienna", "Sale starts 01 Jan 00:30"),
        ("America/New_York", "Sale starts 31 Dec 18:30"),
    ]:
        summary = summarize(event(config(start_sale_at=starts), timezone_name=zone), NOW)
        assert summary.status_text == text


def test_sold_out():
    summary = summarize(event(config(1, available=0), config(2, available=0)), NOW)
    assert summary.state is SaleState.SOLD_OUT
    assert summary.remaining == 0
    assert summary.status_text == "Sold out"


def test_sold_out_when_the_sale_window_closed_with_nothing_left():
    summary = summarize(event(config(available=0, end_sale_at=NOW - DAY)), NOW)
    assert summary.state is SaleState.SOLD_OUT


def test_sale_ended_before_the_event():
    summary = summarize(event(config(available=12, end_sale_at=NOW - timedelta(hours=1))), NOW)
    assert summary.state is SaleState.SALE_ENDED
    assert summary.remaining == 12
    assert summary.status_text == "Sale ended"


def test_an_event_that_has_ended_is_over_whatever_its_tickets_say():
    over = event(config(), start_at=NOW - DAY, end_at=NOW - timedelta(minutes=1))
    assert summarize(over, NOW).state is SaleState.OVER
    ends_now = event(config(), start_at=NOW - DAY, end_at=NOW)
    assert summarize(ends_now, NOW).state is SaleState.OVER


def test_an_event_still_running_can_be_sold():
    running = event(config(), start_at=NOW - timedelta(hours=1), end_at=NOW + timedelta(hours=1))
    assert summarize(running, NOW).state is SaleState.ON_SALE


@pytest.mark.parametrize(
    ("status", "state", "text"),
    [
        ("canceled", SaleState.CANCELED, "Canceled"),
        ("draft", SaleState.NOT_PUBLISHED, "Not published"),
    ],
)
def test_canceled_and_draft_events(status, state, text):
    summary = summarize(event(config(), status=status), NOW)
    assert summary.state is state and not state.sellable
    assert summary.status_text == text
    assert summary.remaining == 100


def test_a_canceled_event_that_is_over_reads_canceled():
    gone = event(config(), status="canceled", start_at=NOW - DAY, end_at=NOW - DAY)
    assert summarize(gone, NOW).state is SaleState.CANCELED


@pytest.mark.parametrize("configs", [[], None])
def test_no_tickets(configs):
    summary = summarize(event(ticket_config=configs), NOW)
    assert summary.state is SaleState.NO_TICKETS
    assert summary.remaining is None
    assert summary.status_text == "No tickets"


def test_the_sale_window_includes_its_start_and_excludes_its_end():
    assert config_on_sale(config(start_sale_at=NOW), NOW)
    assert not config_on_sale(config(start_sale_at=NOW + timedelta(seconds=1)), NOW)
    assert not config_on_sale(config(end_sale_at=NOW), NOW)
    assert config_on_sale(config(end_sale_at=NOW + timedelta(seconds=1)), NOW)


def test_only_on_sale_is_sellable():
    assert [state for state in SaleState if state.sellable] == [SaleState.ON_SALE]
