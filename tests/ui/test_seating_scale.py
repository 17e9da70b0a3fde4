"""The seating page with a big map (2,000 seats) against a real venue server: a click redraws
only the seats it changes, and zoomed out the map shows sections as blocks with free seats.
(Speed is measured in benchmarks/seatmap_page.py, not here.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from boxoffice.sdk import SDK, PasswordCredentials
from boxoffice.ui.dialogs.seating import SeatingDialog
from tests.helpers import factories as f
from tests.helpers.web import click, dispose, run_js, wait_js

pytestmark = pytest.mark.integration

ROWS = "ABCDEFGHIJKLMNOPQRSTUVWXY"  # 25 rows of 80: 2,000 seats
PER_ROW = 80


@pytest.fixture
def dialog(qloop, live_server) -> Iterator[SeatingDialog]:
    ids = f.make_event(
        live_server.state,
        name="Arena",
        configs=[
            {"name": "Stalls", "face_value": "40", "quantity": None, "seat_category": "stalls"}
        ],
    )
    f.add_seats(live_server.state, ids["event_id"], rows=ROWS, per_row=PER_ROW)
    f.make_user(live_server.state, "cashier")
    sdk: SDK = qloop.run(
        SDK.build(live_server.base_url, organizer="demo", max_retries=0, counter=f.COUNTER)
    )
    qloop.run(sdk.authorize(PasswordCredentials("cashier", f.PASSWORD)))
    f.open_shift(live_server.state)
    dialog = SeatingDialog(sdk, event_id=ids["event_id"], title="Arena")
    dialog.resize(1400, 800)  # seats 12 px wide at "Fit": not zoomed out to blocks
    dialog.show()
    wait_js(qloop, dialog.view, "!!window.seatingPage && seatingPage.labels().length === 2000")
    yield dialog
    dispose(qloop, dialog)
    qloop.run(sdk.aclose())


def page(qloop, dialog: SeatingDialog, script: str) -> Any:
    """The value of `script` in the page (through JSON: objects too)."""
    return json.loads(run_js(qloop, dialog.view, f"JSON.stringify({script})"))


def test_a_click_redraws_only_the_seats_it_changes(qloop, dialog):
    assert page(qloop, dialog, "seatingPage.counts()") == {"free": 2000}
    assert page(qloop, dialog, "seatingPage.stats().touched") == 0

    click(qloop, dialog.view, '[data-label="C-10"]')
    qloop.wait_until(lambda: dialog.selected_labels == ["C-10"])
    assert wait_js(qloop, dialog.view, "seatingPage.counts().selected === 1")
    assert page(qloop, dialog, "seatingPage.counts()") == {"free": 1999, "selected": 1}
    # The seat went free → waiting for the server → picked: redrawn twice, no other seat.
    assert page(qloop, dialog, "seatingPage.stats().touched") <= 2
    label = page(
        qloop, dialog, "document.querySelector('[data-label=\"C-10\"]').getAttribute('aria-label')"
    )
    assert "row C, seat 10" in label and label.endswith("picked for this sale")

    click(qloop, dialog.view, '[data-label="M-40"]')
    qloop.wait_until(lambda: dialog.selected_labels == ["C-10", "M-40"])
    assert wait_js(qloop, dialog.view, "seatingPage.counts().selected === 2")
    assert page(qloop, dialog, "seatingPage.counts()") == {"free": 1998, "selected": 2}
    assert page(qloop, dialog, "seatingPage.stats().touched") <= 4
    assert page(qloop, dialog, "seatingPage.state('C-10')") == "selected"
    assert page(qloop, dialog, "seatingPage.state('M-40')") == "selected"
    assert page(qloop, dialog, "seatingPage.stats().maps") == 1


def test_zoomed_out_the_sections_are_blocks_with_their_free_seats(qloop, dialog):
    click(qloop, dialog.view, '[data-label="A-1"]')
    qloop.wait_until(lambda: dialog.selected_labels == ["A-1"])
    assert wait_js(qloop, dialog.view, "seatingPage.counts().selected === 1")
    assert not page(qloop, dialog, "seatingPage.overview()")
    for _step in range(4):
        click(qloop, dialog.view, "#zoom-out")
    assert page(qloop, dialog, "seatingPage.overview()")
    assert page(qloop, dialog, "seatingPage.free('Stalls')") == 1999
    free = page(qloop, dialog, "document.querySelector('.block-free').textContent")
    assert free == "1999 free"
    # Only the seat the keyboard is on keeps its node (Tab reaches the map through it).
    assert page(qloop, dialog, "document.querySelectorAll('.seat').length") == 1
    assert page(qloop, dialog, "document.querySelector('.seat').getAttribute('tabindex')") == "0"

    click(qloop, dialog.view, ".block rect")  # zooms in to the section
    assert not page(qloop, dialog, "seatingPage.overview()")
    assert page(qloop, dialog, "document.querySelectorAll('.seat').length") > 100
