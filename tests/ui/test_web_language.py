"""The app's web pages speak the app's language: the seat map and the card payment page in
Czech (`<html lang>`, their words, money as Czech writes it)."""

from __future__ import annotations

import pytest

from boxoffice.sdk import SDK, PasswordCredentials
from boxoffice.ui import language
from boxoffice.ui.dialogs.payment import PaymentDialog
from boxoffice.ui.dialogs.seating import SeatingDialog
from tests.helpers import factories as f
from tests.helpers.web import dispose, run_js, wait_js

pytestmark = pytest.mark.integration

NBSP = "\u00a0"


def test_the_seat_map_and_the_payment_page_speak_czech(qloop, live_server):
    ids = f.make_event(
        live_server.state,
        name="Hall",
        configs=[
            {"name": "Stalls", "face_value": "40", "quantity": None, "seat_category": "stalls"},
            {"name": "Standing", "face_value": "40", "quantity": 10},
        ],
    )
    f.add_seats(live_server.state, ids["event_id"], rows="AB", per_row=3)
    f.make_user(live_server.state, "cashier")
    sdk: SDK = qloop.run(SDK.build(live_server.base_url, organizer="demo", max_retries=0))
    qloop.run(sdk.authorize(PasswordCredentials("cashier", f.PASSWORD)))
    language.apply("cs")
    try:
        seating = SeatingDialog(sdk, event_id=ids["event_id"])
        seating.resize(1024, 700)
        seating.show()
        try:
            view = seating.view
            wait_js(qloop, view, "window.seatingPage && seatingPage.labels().length === 6")
            assert run_js(qloop, view, "document.documentElement.lang") == "cs"
            assert run_js(qloop, view, "document.getElementById('legend-title').textContent") == (
                "Legenda"
            )
            price = run_js(
                qloop, view, "document.querySelector('#legend-categories .price').textContent"
            )
            assert price == f"40,00{NBSP}€"
            seat = run_js(
                qloop,
                view,
                "document.querySelector('[data-label=\"A-2\"]').getAttribute('aria-label')",
            )
            assert "řada A, místo 2" in seat and price in seat and seat.endswith("volné")
        finally:
            dispose(qloop, seating)

        order = qloop.run(
            sdk.order.create_order([{"ticket_config_id": ids["config_ids"][1], "quantity": 2}])
        )
        payment = PaymentDialog(sdk, order_id=order.id)
        payment.show()
        try:
            page = payment.view
            wait_js(qloop, page, "window.paymentPage && paymentPage.state() === 'ready'")
            assert run_js(qloop, page, "document.documentElement.lang") == "cs"
            assert run_js(qloop, page, "document.getElementById('pay').textContent") == (
                f"Zaplatit 80,00{NBSP}€"
            )
            expiry = "document.querySelector('[data-stripe-emulator=\"exp-date\"]').placeholder"
            assert run_js(qloop, page, expiry) == "MM / RR"
        finally:
            dispose(qloop, payment)
    finally:
        qloop.run(sdk.aclose())
