"""The self-service kiosk with real widgets and a real server: a customer's way from the
attract screen to printed tickets (card on the training reader), the staff exit, the idle
reset giving everything of the customer back, and out of order with the reason and back."""

from __future__ import annotations

import re
import subprocess
from contextlib import AsyncExitStack
from typing import Any

from PySide6.QtWebEngineWidgets import QWebEngineView
from sqlalchemy import select

from boxoffice import paths
from boxoffice.kiosk_app import kiosk_style_sheet
from boxoffice.server.db.models import Ticket
from boxoffice.ui import theme
from boxoffice.ui.kiosk.health import OUT_OF_ORDER
from boxoffice.ui.kiosk.presenter import Stage
from tests.helpers.counter import wait_until
from tests.helpers.counter_ui import GOOD_CARD, record_printed
from tests.helpers.factories import PASSWORD
from tests.helpers.kiosk import pick_reader, running_kiosk, staff_sdk, tile, touch, type_text
from tests.helpers.live_server import LiveServer
from tests.helpers.qr import qr_codes_of_pdf
from tests.helpers.web import run_js, type_into, wait_js


def stage_of(presenter: Any) -> Stage:
    """The stage now (a call, so that mypy does not narrow it for the rest of the test)."""
    stage: Stage = presenter.stage
    return stage


def issued_payloads(server: LiveServer, order_id: int) -> list[str]:
    with server.state.read_sessions() as session:
        rows = session.scalars(
            select(Ticket).where(Ticket.order_id == order_id).order_by(Ticket.id)
        )
        return [row.qr_payload for row in rows]


def test_a_customer_buys_two_tickets_pays_on_the_reader_and_gets_them_printed(
    qloop, demo_server, cups_printer, tmp_path
):
    async def scenario():
        reader = await pick_reader(demo_server.base_url)
        async with running_kiosk(
            demo_server.base_url, tmp_path / "kiosk", printer=cups_printer.name
        ) as kiosk:
            presenter, window = kiosk.presenter, kiosk.window
            assert stage_of(presenter) is Stage.ATTRACT, presenter.problem
            assert window.band.isVisible()  # training: unmistakable
            assert presenter.reader is not None and presenter.reader.id == reader.id
            sent = record_printed(kiosk)  # type: ignore[arg-type]
            known = cups_printer.printed_files()

            touch(window.attract.start)
            await wait_until(lambda: presenter.stage is Stage.EVENTS and window.events.tiles)
            touch(tile(kiosk, "Pop & Soul"))
            await wait_until(lambda: presenter.stage is Stage.TICKETS, timeout=20)
            standard = next(c.id for c in presenter.offered() if c.name == "Standard")
            plus = window.tickets.steppers[standard].plus
            touch(plus)
            touch(plus)
            assert presenter.ticket_count == 2 and "58.00" in window.tickets.total.text()
            touch(window.tickets.pay)
            await wait_until(lambda: window.pay.training.isVisible(), timeout=20)
            assert "Tap, insert or swipe your card" in window.pay.text.text()
            touch(window.pay.declined)  # a refused card first: the kiosk says so…
            await wait_until(lambda: window.pay.again.isVisible(), timeout=20)
            refused = window.pay.error.text()
            assert presenter.stage is Stage.PAY and not window.pay.training.isVisible()
            touch(window.pay.again)  # … and the same order takes another card
            await wait_until(lambda: window.pay.training.isVisible(), timeout=20)
            touch(window.pay.approved)  # the customer's card on the training reader
            await wait_until(lambda: presenter.stage is Stage.DONE, timeout=30)
            done = presenter.last_done
            assert done is not None and done.printed
            payloads = list(window.done.payloads)
            assert window.current is window.done and "Thank you" in window.done.heading.text()
            touch(window.done.done)
            await wait_until(lambda: presenter.stage is Stage.ATTRACT)
            assert presenter.ticket_count == 0 and not kiosk.presenter.cart.lines
            return done.order, payloads, known, sent, refused

    order, payloads, known, sent, refused = qloop.run(scenario(), timeout=120)
    assert "declined" in refused
    assert order.status == "paid" and order.payment_method == "card_present"
    issued = issued_payloads(demo_server, order.id)
    assert len(issued) == 2 and payloads == issued  # the QR codes on screen are the tickets
    printed = cups_printer.wait_for_new_pdf(known).read_bytes()
    assert printed.startswith(b"%PDF") and list(sent) == [f"Tickets {order.code}"]
    pages = qr_codes_of_pdf(sent[f"Tickets {order.code}"], tmp_path)
    assert [code for page in pages for code in page] == issued


def test_staff_exit_refuses_a_wrong_password_and_closes_with_a_right_one(
    qloop, demo_server, tmp_path
):
    async def scenario():
        async with running_kiosk(
            demo_server.base_url, tmp_path / "kiosk", printer="PDF file"
        ) as kiosk:
            window, presenter = kiosk.window, kiosk.presenter
            closed: list[bool] = []
            window.closing.connect(lambda: closed.append(True))
            from PySide6.QtGui import QKeySequence
            from PySide6.QtTest import QTest

            QTest.keySequence(window.attract, QKeySequence("Ctrl+Alt+Shift+E"))
            await wait_until(lambda: window.staff_exit_open)
            staff = window.staff
            type_text(staff.username, "clerk")
            type_text(staff.password, "not the password")
            touch(staff.exit)
            await wait_until(lambda: "Wrong" in staff.answer.text(), timeout=20)
            wrong = staff.answer.text()
            assert window.isVisible() and not closed and window.staff_exit_open
            type_text(staff.username, "counter")  # never a way out, whatever its password
            type_text(staff.password, PASSWORD)
            touch(staff.exit)
            await wait_until(lambda: "Wrong" in staff.answer.text() and not staff.password.text())
            touch(staff.cancel)
            assert window.current is window.attract and presenter.stage is Stage.ATTRACT
            QTest.keySequence(window.attract, QKeySequence("Ctrl+Alt+Shift+E"))
            await wait_until(lambda: window.staff_exit_open)
            type_text(staff.username, "clerk")
            type_text(staff.password, PASSWORD)
            touch(staff.exit)
            await wait_until(lambda: bool(closed), timeout=20)
            return wrong, not window.isVisible(), kiosk.audit_log.read_text()

    wrong, gone, audit = qloop.run(scenario(), timeout=90)
    assert wrong.startswith("Wrong user name or password") and gone
    assert "staff exit refused" in audit and "staff exit by clerk" in audit
    assert audit.index("staff exit refused") < audit.index("staff exit by clerk")


def test_idle_reset_cancels_the_unpaid_order_and_releases_the_held_seats(
    qloop, demo_server, tmp_path
):
    async def scenario():
        await pick_reader(demo_server.base_url)
        async with running_kiosk(
            demo_server.base_url,
            tmp_path / "kiosk",
            printer="PDF file",
            idle_seconds=1.5,
            countdown_seconds=1.0,
        ) as kiosk:
            window, presenter = kiosk.window, kiosk.presenter
            touch(window.attract.start)
            await wait_until(lambda: presenter.stage is Stage.EVENTS and window.events.tiles)
            touch(tile(kiosk, "Symphony"))
            await wait_until(lambda: presenter.stage is Stage.TICKETS, timeout=20)
            seating = presenter.seating
            assert seating is not None and window.tickets.seat_view is not None
            await seating.load()
            assert seating.seat_map is not None
            free = [s.label for s in seating.seat_map.seats if s.status == "free"][:2]
            for label in free:
                held = seating.toggle(label)
                assert held is not None
                await held
            await wait_until(lambda: presenter.seats == free)
            event_id = seating.event_id
            touch(window.tickets.pay)
            await wait_until(lambda: presenter.reader_waiting, timeout=20)
            pending = kiosk.checkout.pending
            assert pending is not None and pending.order is not None
            order = pending.order
            # Nobody touches anything: the question, then the reset.
            await wait_until(lambda: window.still_there.isVisible(), timeout=10)
            asked = window.still_there.text.text()
            touch(window.still_there.yes)  # once "Yes, I'm here"…
            assert not window.still_there.isVisible() and presenter.stage is Stage.PAY
            await wait_until(lambda: window.still_there.isVisible(), timeout=10)
            await wait_until(lambda: presenter.stage is Stage.ATTRACT, timeout=10)  # … then gone
            assert window.current is window.attract and not window.still_there.isVisible()
            assert presenter.seating is None and not kiosk.presenter.cart.lines
            assert kiosk.checkout.pending is None and presenter.email == ""
            async with staff_sdk(demo_server.base_url) as staff:
                after = await staff.order.get_order(order.id)
                seat_map = await staff.seating.get_seat_map(event_id)
            statuses = {s.label: s.status for s in seat_map.seats if s.label in free}
            return asked, after, statuses

    asked, order, statuses = qloop.run(scenario(), timeout=120)
    assert asked.startswith("We will start over in")
    assert order.status == "canceled"
    assert set(statuses.values()) == {"free"}, statuses


def test_out_of_order_when_the_printer_is_stopped_and_back_when_it_runs(
    qloop, demo_server, cups_printer, tmp_path
):
    def cups(command: str, *args: str) -> None:
        subprocess.run([command, "-h", cups_printer.server, *args], check=True, timeout=10)

    async def scenario():
        async with running_kiosk(
            demo_server.base_url, tmp_path / "kiosk", printer=cups_printer.name
        ) as kiosk:
            window, presenter = kiosk.window, kiosk.presenter
            assert presenter.stage is Stage.ATTRACT, presenter.problem
            cups("cupsdisable", "-r", "Paper jam in tray 1", cups_printer.name)
            try:
                await wait_until(lambda: presenter.stage is Stage.OUT_OF_ORDER, timeout=20)
                seen = (
                    window.current is window.out_of_order,
                    window.out_of_order.message.text(),
                    window.out_of_order.reason.text(),
                    presenter.problem.detail if presenter.problem else "",
                )
            finally:
                cups("cupsenable", cups_printer.name)
            await wait_until(lambda: presenter.stage is Stage.ATTRACT, timeout=20)
            return seen, window.current is window.attract

    (shown, message, reason, detail), back = qloop.run(scenario(), timeout=90)
    assert shown and message == OUT_OF_ORDER
    assert reason == "The ticket printer is stopped."
    assert "Paper jam in tray 1" in detail and "printer-state=5" in detail
    assert back


def test_without_a_reader_the_customer_pays_on_the_card_page(qloop, demo_server, tmp_path):
    """No reader picked for the kiosk's counter: the card payment page, inside the kiosk."""
    stack = AsyncExitStack()
    kiosk = qloop.run(
        stack.enter_async_context(
            running_kiosk(demo_server.base_url, tmp_path / "kiosk", printer="PDF file")
        )
    )
    try:
        window, presenter = kiosk.window, kiosk.presenter
        assert stage_of(presenter) is Stage.ATTRACT and presenter.reader is None

        async def to_the_page() -> None:
            touch(window.attract.start)
            await wait_until(lambda: presenter.stage is Stage.EVENTS and window.events.tiles)
            touch(tile(kiosk, "Pop & Soul"))
            await wait_until(lambda: presenter.stage is Stage.TICKETS, timeout=20)
            standard = next(c.id for c in presenter.offered() if c.name == "Standard")
            touch(window.tickets.steppers[standard].plus)
            touch(window.tickets.pay)
            await wait_until(lambda: window.pay.page is not None, timeout=20)

        qloop.run(to_the_page())
        view = window.pay.page
        assert isinstance(view, QWebEngineView) and not window.pay.training.isVisible()
        wait_js(qloop, view, "window.paymentPage && paymentPage.state() === 'ready'", 30)
        type_into(qloop, view, '[data-stripe-emulator="cardnumber"]', GOOD_CARD)
        type_into(qloop, view, '[data-stripe-emulator="exp-date"]', "12 / 34")
        type_into(qloop, view, '[data-stripe-emulator="cvc"]', "123")
        run_js(qloop, view, "document.getElementById('pay-form').requestSubmit(); true")
        qloop.wait_until(lambda: presenter.stage is Stage.DONE, 30)
        done = presenter.last_done
        assert done is not None and done.order.status == "paid" and done.printed
        assert window.pay.page is None  # the page went with the pay screen
        assert len(window.done.payloads) == 1
    finally:
        qloop.run(stack.aclose())


def test_the_kiosk_look_comes_from_the_theme_with_larger_text() -> None:
    """kiosk.qss names no colour of its own: the high-contrast theme and larger text (Settings)
    reach the kiosk too."""
    template = paths.resource("qss", "kiosk.qss").read_text(encoding="utf-8")
    template = re.sub(r"/\*.*?\*/", "", template, flags=re.DOTALL)
    assert not re.findall(r"#[0-9a-fA-F]{3,8}\b|rgba?\(|\b(?:white|black)\b", template)
    sheet = kiosk_style_sheet("high-contrast", 1.25)
    hero = theme.HIGH_CONTRAST.kiosk_hero
    assert f"color: {hero}" in sheet and f"font-size: {round(96 * 1.25)}px" in sheet
