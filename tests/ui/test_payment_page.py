"""The card payment page in a real QWebEngineView against the venue server and the Stripe
emulator (training mode): a good card, a decline then a retry, 3-D Secure, seats to booked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from boxoffice.sdk import SDK, PasswordCredentials
from boxoffice.sdk.models.orders import Order
from boxoffice.ui.dialogs.payment import PaymentDialog
from boxoffice.ui.dialogs.seating import SeatingDialog
from boxoffice.ui.presenters.card_payment import stripe_js_allowed
from tests.helpers import factories as f
from tests.helpers.web import (
    click,
    dispose,
    run_js,
    type_into,
    wait_js,
)

pytestmark = pytest.mark.integration

GOOD = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0341"
THREE_D_SECURE = "4000 0027 6000 3184"


def test_stripe_js_comes_only_from_stripe_or_the_local_emulator():
    assert stripe_js_allowed("https://js.stripe.com/v3/", livemode=True)
    assert stripe_js_allowed("http://127.0.0.1:41873/js.stripe.com/v3/", livemode=False)
    assert not stripe_js_allowed("http://127.0.0.1:41873/js.stripe.com/v3/", livemode=True)
    assert not stripe_js_allowed("http://evil.example/js.stripe.com/v3/", livemode=False)
    assert not stripe_js_allowed("https://js.stripe.com.evil.example/v3/", livemode=True)


@pytest.fixture
def sdk(qloop, live_server) -> Iterator[SDK]:
    f.make_user(live_server.state, "cashier")
    client = qloop.run(SDK.build(live_server.base_url, organizer="demo", max_retries=0))
    qloop.run(client.authorize(PasswordCredentials("cashier", f.PASSWORD)))
    yield client
    qloop.run(client.aclose())


@pytest.fixture
def order(qloop, live_server, sdk) -> Order:
    ids = f.make_event(live_server.state)
    made: Order = qloop.run(
        sdk.order.create_order([{"ticket_config_id": ids["config_ids"][0], "quantity": 2}])
    )
    return made


class Payment:
    """A PaymentDialog under test, with what it signalled."""

    def __init__(self, qloop, sdk: SDK, order_id: int) -> None:
        self.qloop = qloop
        self.dialog = PaymentDialog(sdk, order_id=order_id)
        self.dialog.resize(1024, 700)
        self.paid: list[Order] = []
        self.failed: list[str] = []
        self.dialog.paid.connect(self.paid.append)
        self.dialog.presenter.failed.connect(self.failed.append)
        self.dialog.show()
        self.view = self.dialog.view
        wait_js(qloop, self.view, "window.paymentPage && paymentPage.state() === 'ready'")

    def type_card(self, number: str) -> None:
        type_into(self.qloop, self.view, '[data-stripe-emulator="cardnumber"]', number)
        type_into(self.qloop, self.view, '[data-stripe-emulator="exp-date"]', "12 / 34")
        type_into(self.qloop, self.view, '[data-stripe-emulator="cvc"]', "123")

    def press_enter(self) -> None:
        """Enter in the card's last field submits the form, as at the counter."""
        run_js(
            self.qloop,
            self.view,
            "document.getElementById('pay-form').requestSubmit(); true",
        )


@pytest.fixture
def payment(qloop, sdk, order) -> Iterator[Payment]:
    payment = Payment(qloop, sdk, order.id)
    yield payment
    dispose(qloop, payment.dialog)


def test_a_good_card_pays_the_order_and_its_tickets_print(qloop, sdk, order, payment):
    assert payment.dialog.banner.isVisible()  # training mode: livemode is false
    amount = run_js(qloop, payment.view, "document.getElementById('amount').textContent")
    assert "50.00" in amount
    payment.type_card(GOOD)
    payment.press_enter()
    qloop.wait_until(lambda: bool(payment.paid), 30)
    assert payment.paid[0].id == order.id and payment.paid[0].status == "paid"
    assert payment.dialog.result() == PaymentDialog.DialogCode.Accepted
    assert payment.failed == []
    pdf = qloop.run(sdk.order.download_tickets(order.id))
    assert pdf.startswith(b"%PDF")


def test_a_declined_card_says_so_and_another_card_then_pays(qloop, sdk, order, payment):
    payment.type_card(DECLINED)
    payment.press_enter()
    qloop.wait_until(lambda: bool(payment.failed), 30)
    assert payment.failed == ["The card was declined. Ask for another card or another way to pay."]
    shown = wait_js(qloop, payment.view, "paymentPage.state() === 'retry' && paymentPage.error()")
    assert shown == payment.failed[0]
    assert qloop.run(sdk.order.get_order(order.id)).status == "declined"
    assert payment.paid == [] and payment.dialog.isVisible()
    # The card fields were cleared for the next card; the same intent is confirmed again.
    number = run_js(
        qloop, payment.view, "document.querySelector('[data-stripe-emulator=cardnumber]').value"
    )
    assert number == ""
    payment.type_card(GOOD)
    payment.press_enter()
    qloop.wait_until(lambda: bool(payment.paid), 30)
    assert payment.paid[0].status == "paid"


def test_three_d_secure_completes_after_authentication(qloop, sdk, order, payment):
    payment.type_card(THREE_D_SECURE)
    payment.press_enter()
    assert wait_js(
        qloop, payment.view, "!!document.querySelector('[data-stripe-emulator=\"3ds-complete\"]')"
    )
    assert payment.dialog.busy  # the card is being processed: a first Esc only warns
    payment.dialog.reject()
    assert payment.dialog.isVisible() and "Esc again" in payment.dialog.status.text()
    click(qloop, payment.view, '[data-stripe-emulator="3ds-complete"]')
    qloop.wait_until(lambda: bool(payment.paid), 30)
    assert payment.paid[0].status == "paid"


def test_seats_picked_on_the_map_and_paid_by_card_are_booked_for_everyone(qloop, live_server, sdk):
    ids = f.make_event(
        live_server.state,
        name="Hall",
        configs=[
            {"name": "Stalls", "face_value": "40", "quantity": None, "seat_category": "stalls"}
        ],
    )
    f.add_seats(live_server.state, ids["event_id"], rows="AB", per_row=4)
    seating = SeatingDialog(sdk, event_id=ids["event_id"])
    seating.show()
    try:
        wait_js(qloop, seating.view, "window.seatingPage && seatingPage.labels().length === 8")
        click(qloop, seating.view, '[data-label="B-2"]')
        click(qloop, seating.view, '[data-label="B-3"]')
        qloop.wait_until(lambda: seating.selected_labels == ["B-2", "B-3"])
        seating.ok_button.click()
        order = qloop.run(
            sdk.order.create_order(seating.order_items(), hold_token=seating.hold_token)
        )
    finally:
        dispose(qloop, seating)
    payment = Payment(qloop, sdk, order.id)
    try:
        payment.type_card(GOOD)
        payment.press_enter()
        qloop.wait_until(lambda: bool(payment.paid), 30)
    finally:
        dispose(qloop, payment.dialog)
    guest = qloop.run(SDK.build(live_server.base_url, organizer="demo", max_retries=0))
    try:
        qloop.run(guest.authorize())
        seat_map = qloop.run(guest.seating.get_seat_map(ids["event_id"]))
    finally:
        qloop.run(guest.aclose())
    booked = sorted(s.label for s in seat_map.seats if s.status == "booked")
    assert booked == ["B-2", "B-3"]
