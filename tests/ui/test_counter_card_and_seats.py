"""A seated sale paid by card, through the counter: seats picked on the map go into the cart
with their hold token, the card is taken on the payment page, and the tickets print."""

from __future__ import annotations

import shiboken6
from pypdf import PdfReader

from boxoffice.ui.dialogs.payment import PaymentDialog
from boxoffice.ui.dialogs.seating import SeatingDialog
from boxoffice.ui.presenters.printing import PRINT_TO_FILE
from tests.helpers import factories as f
from tests.helpers.counter import close_counter, make_counter, open_event
from tests.helpers.web import run_js, type_into, wait_js


def test_seats_from_the_map_paid_by_card_print(qloop, demo_server, tmp_path):
    counter = qloop.run(make_counter(demo_server.base_url, tmp_path / "app", printer=PRINT_TO_FILE))
    try:
        assert qloop.run(counter.session.sign_in("clerk", f.PASSWORD))
        hall = qloop.run(open_event(counter, lambda event: event.has_seat_map))
        stalls = next(c for c in hall.ticket_config or [] if c.name == "Stalls")

        seating = counter.dialogs.open_seating(stalls.id, 2)
        assert isinstance(seating, SeatingDialog)
        wait_js(qloop, seating.view, "window.seatingPage && seatingPage.labels().length > 0")
        seating.presenter.best_available(2, category=stalls.seat_category)
        qloop.wait_until(lambda: len(seating.selected_labels) == 2 and not seating.presenter.busy)
        labels = list(seating.selected_labels)
        seating.ok_button.click()
        qloop.wait_until(lambda: not shiboken6.isValid(seating))
        assert [line.seats for line in counter.cart.lines] == [tuple(labels)]
        assert counter.cart.hold_token

        counter.checkout.complete_sale(method="card")
        qloop.wait_until(lambda: bool(counter.dialogs.web_dialogs))
        payment = counter.dialogs.web_dialogs[-1]
        assert isinstance(payment, PaymentDialog)
        wait_js(qloop, payment.view, "window.paymentPage && paymentPage.state() === 'ready'")
        type_into(qloop, payment.view, '[data-stripe-emulator="cardnumber"]', "4242424242424242")
        type_into(qloop, payment.view, '[data-stripe-emulator="exp-date"]', "12 / 34")
        type_into(qloop, payment.view, '[data-stripe-emulator="cvc"]', "123")
        run_js(qloop, payment.view, "document.getElementById('pay-form').requestSubmit(); true")
        qloop.wait_until(lambda: counter.checkout.last_result is not None, 60)
        qloop.wait_until(lambda: not counter.dialogs.web_dialogs and not shiboken6.isValid(payment))
        result = counter.checkout.last_result
        seat_map = qloop.run(counter.sdk.seating.get_seat_map(hall.id))
    finally:
        qloop.run(close_counter(counter))

    assert result is not None and result.order.status == "paid"
    assert sorted(result.order.order_item[0].selected_seats) == sorted(labels)
    assert result.delivery.printed_pages == 2
    printed = counter.printing.last_printed_file
    assert printed is not None and len(PdfReader(printed).pages) == 2
    booked = {s.label for s in seat_map.seats if s.status == "booked"}
    assert set(labels) <= booked
