"""The seating page in a real QWebEngineView against a real venue server: holds, orders, races."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from boxoffice.sdk import SDK, PasswordCredentials
from boxoffice.server.db.models import Order, Payment
from boxoffice.ui.dialogs.seating import SeatingDialog
from boxoffice.ui.web.scheme import (
    InvalidUrlError,
    ResourceNotFoundError,
    UnsupportedTypeError,
    data_for_url,
)
from tests.helpers import factories as f
from tests.helpers.web import click, dispose, press, run_js, wait_js

pytestmark = pytest.mark.integration


# --- the scheme (no browser needed) -------------------------------------------------------


def test_the_scheme_serves_pages_and_refuses_everything_else():
    mimetype, data = data_for_url("boxoffice://app/seating/index.html")
    assert mimetype == "text/html" and b"seating.js" in data
    assert data_for_url("boxoffice://app/common/bridge.js")[0] == "text/javascript"
    for bad in (
        "boxoffice://app/../pyproject.toml",
        "boxoffice://app/seating/%2e%2e/%2e%2e/boxoffice/paths.py",
        "boxoffice://other/seating/index.html",
        "https://app/seating/index.html",
        "boxoffice://app/",
    ):
        with pytest.raises(InvalidUrlError):
            data_for_url(bad)
    with pytest.raises(ResourceNotFoundError):
        data_for_url("boxoffice://app/seating/nothing.js")
    with pytest.raises(UnsupportedTypeError):
        data_for_url("boxoffice://app/seating/index.py")


# --- the page ---------------------------------------------------------------------------


@pytest.fixture
def hall(live_server) -> dict[str, int]:
    ids = f.make_event(
        live_server.state,
        name="Hall",
        configs=[
            {"name": "Stalls", "face_value": "40", "quantity": None, "seat_category": "stalls"}
        ],
    )
    f.add_seats(live_server.state, ids["event_id"], rows="AB", per_row=6)
    f.make_user(live_server.state, "cashier")
    f.make_user(live_server.state, "other")
    return {"event_id": ids["event_id"], "config": ids["config_ids"][0]}


def staff_sdk(qloop, live_server, username: str) -> SDK:
    """`username` at the test counter, whose shift is open (cash can be taken)."""
    sdk: SDK = qloop.run(
        SDK.build(live_server.base_url, organizer="demo", max_retries=0, counter=f.COUNTER)
    )
    qloop.run(sdk.authorize(PasswordCredentials(username, f.PASSWORD)))
    if not qloop.run(sdk.shift.list(counter=f.COUNTER, status="open")).data:
        f.open_shift(live_server.state)
    return sdk


@pytest.fixture
def sdk(qloop, live_server, hall) -> Iterator[SDK]:
    client = staff_sdk(qloop, live_server, "cashier")
    yield client
    qloop.run(client.aclose())


@pytest.fixture
def other(qloop, live_server, hall) -> Iterator[SDK]:
    """A second counter selling the same event."""
    client = staff_sdk(qloop, live_server, "other")
    yield client
    qloop.run(client.aclose())


@pytest.fixture
def dialog(qloop, sdk, hall) -> Iterator[SeatingDialog]:
    dialog = SeatingDialog(sdk, event_id=hall["event_id"], title="Hall")
    dialog.resize(1024, 700)
    dialog.show()
    wait_js(qloop, dialog.view, "window.seatingPage && seatingPage.labels().length === 12")
    yield dialog
    dispose(qloop, dialog)


def seat_state(qloop, dialog: SeatingDialog, label: str) -> str:
    state: str = run_js(qloop, dialog.view, f"seatingPage.state({label!r})")
    return state


def statuses(qloop, client: SDK, event_id: int) -> dict[str, str]:
    seat_map = qloop.run(client.seating.get_seat_map(event_id))
    return {seat.label: seat.status for seat in seat_map.seats}


def test_clicked_seats_are_held_and_the_order_takes_them(
    qloop, live_server, hall, sdk, other, dialog
):
    click(qloop, dialog.view, '[data-label="A-3"]')
    click(qloop, dialog.view, '[data-label="A-4"]')
    click(qloop, dialog.view, '[data-label="B-1"]')
    qloop.wait_until(
        lambda: len(dialog.selected_labels) == 3 and not dialog.presenter.pending_labels
    )
    click(qloop, dialog.view, '[data-label="B-1"]')  # changed their mind: released
    qloop.wait_until(lambda: dialog.selected_labels == ["A-3", "A-4"])
    assert wait_js(qloop, dialog.view, "seatingPage.state('B-1') === 'free'")
    assert seat_state(qloop, dialog, "A-3") == "selected"
    assert "Held for 1" in run_js(
        qloop, dialog.view, "document.getElementById('countdown').textContent"
    )
    token = dialog.hold_token
    assert token
    seen = statuses(qloop, other, hall["event_id"])
    assert seen["A-3"] == seen["A-4"] == "reservedByToken" and seen["B-1"] == "free"

    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert dialog.result() == SeatingDialog.DialogCode.Accepted
    items = dialog.order_items()
    assert items == [
        {"ticket_config_id": hall["config"], "quantity": 2, "selected_seats": ["A-3", "A-4"]}
    ]
    order = qloop.run(sdk.order.create_order(items, hold_token=token))
    assert order.hold_token == token
    assert order.order_item[0].selected_seats == ["A-3", "A-4"]
    paid = qloop.run(sdk.payment.create_payment_intent(order.id, type="cash", tendered=Decimal(80)))
    assert paid.order is not None and paid.order.status == "paid"
    seen = statuses(qloop, other, hall["event_id"])
    assert seen["A-3"] == seen["A-4"] == "booked"
    # The map shown at the counter follows.
    qloop.run(dialog.presenter.load())
    assert wait_js(qloop, dialog.view, "seatingPage.state('A-3') === 'booked'")


def test_keyboard_moves_between_seats_and_picks_with_enter(qloop, hall, dialog):
    run_js(qloop, dialog.view, "document.querySelector('.seat[tabindex=\"0\"]').focus()")
    start = run_js(qloop, dialog.view, "seatingPage.focused()")
    assert start == "A-1"
    for key in ("ArrowRight", "ArrowRight", "ArrowDown"):
        press(qloop, dialog.view, key)
    assert run_js(qloop, dialog.view, "seatingPage.focused()") == "B-3"
    assert run_js(qloop, dialog.view, "document.activeElement.getAttribute('data-label')") == "B-3"
    press(qloop, dialog.view, "Enter")
    qloop.wait_until(lambda: dialog.selected_labels == ["B-3"])
    label = run_js(qloop, dialog.view, "document.activeElement.getAttribute('aria-label')")
    assert "row B, seat 3" in label and "picked for this sale" in label


def test_best_available_holds_seats_side_by_side(qloop, hall, dialog):
    run_js(qloop, dialog.view, "document.getElementById('best-number').value = '3'")
    click(qloop, dialog.view, "#best-submit")
    qloop.wait_until(lambda: len(dialog.selected_labels) == 3)
    assert sorted(dialog.selected_labels) == ["A-2", "A-3", "A-4"]
    assert wait_js(qloop, dialog.view, "seatingPage.selected().length === 3")


def test_a_seat_taken_in_between_gives_a_clear_message_and_no_charge(
    qloop, live_server, hall, other, dialog
):
    errors: list[str] = []
    dialog.presenter.error.connect(errors.append)
    assert seat_state(qloop, dialog, "A-5") == "free"  # as the page was drawn
    token = qloop.run(other.seating.create_hold_token()).hold_token
    qloop.run(other.seating.hold(hall["event_id"], ["A-5"], token))
    click(qloop, dialog.view, '[data-label="A-5"]')
    qloop.wait_until(lambda: bool(errors))
    assert errors == ["One of the chosen seats has just been taken. Pick other seats."]
    notice = wait_js(
        qloop,
        dialog.view,
        "!document.getElementById('notice').hidden"
        " && document.getElementById('notice-text').textContent",
    )
    assert notice == errors[0]
    assert wait_js(qloop, dialog.view, "seatingPage.state('A-5') === 'held'")
    assert dialog.selected_labels == [] and not dialog.ok_button.isEnabled()
    with live_server.state.read_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 0
        assert session.scalar(select(func.count()).select_from(Payment)) == 0


def test_cancel_releases_the_held_seats(qloop, hall, other, dialog):
    click(qloop, dialog.view, '[data-label="B-6"]')
    qloop.wait_until(lambda: dialog.selected_labels == ["B-6"])
    assert statuses(qloop, other, hall["event_id"])["B-6"] == "reservedByToken"
    dialog.reject()
    qloop.run(dialog.presenter.settle())
    assert dialog.hold_token is None
    assert statuses(qloop, other, hall["event_id"])["B-6"] == "free"


def test_the_bridge_refuses_malformed_calls(qloop, dialog):
    rejected: list[str] = []
    dialog.view.seating_bridge.rejected.connect(rejected.append)
    run_js(qloop, dialog.view, "qt.webChannelTransport && true")
    # Straight through QWebChannel, past bridge.js: an unknown key and a missing label.
    run_js(
        qloop,
        dialog.view,
        """new QWebChannel(qt.webChannelTransport, function (channel) {
             channel.objects.bridge.toggle_seat('{"label": "A-1", "evil": 1}');
             channel.objects.bridge.toggle_seat('not json');
           }); true""",
    )
    qloop.wait_until(lambda: len(rejected) == 2)
    assert dialog.selected_labels == []
