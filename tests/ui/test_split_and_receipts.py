"""Split payments and receipts at the counter, through the real widgets and the real server:
a cash part then the card page for the rest; a declined card leaves what is left to pay,
taken by cash once; the receipt printed after the sale shows both payments."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import shiboken6
from pypdf import PdfReader

from boxoffice.desktop.settings import AppSettings
from boxoffice.ui.counter import Counter
from boxoffice.ui.dialogs.settings import NO_RECEIPT_PRINTER, SettingsDialog
from boxoffice.ui.mainwindow import SHORTCUTS
from boxoffice.ui.presenters.printing import PRINT_TO_FILE
from tests.helpers.counter import clerk_counter, config_id, named, open_event
from tests.helpers.counter_ui import (
    DECLINED_CARD,
    GOOD_CARD,
    card_page,
    pay_on_page,
    split_with_keys,
)
from tests.helpers.web import run_js, wait_js


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


async def drawer(counter: Counter) -> Decimal:
    report = await counter.shift.read()
    assert report is not None
    return Decimal(report.expected_cash)


async def fill_cart(counter: Counter) -> None:
    pop = await open_event(counter, named("Pop"))
    counter.cart.add(config_id(pop, "Standard"), 2)


def test_split_twenty_cash_then_card_pays_and_the_receipt_shows_both(qloop, demo_server, tmp_path):
    async def start():
        counter = clerk_counter(demo_server.base_url, tmp_path / "app", printer=PRINT_TO_FILE)
        return counter, await counter.__aenter__()

    manager, counter = qloop.run(start())
    try:
        counter.settings.receipt_printer = PRINT_TO_FILE
        counter.settings.print_receipts = True
        before = qloop.run(drawer(counter))
        qloop.run(fill_cart(counter))
        qloop.run(split_with_keys(counter, "20", "50"))
        page = qloop.run(card_page(counter))
        pane = counter.window.panes.checkout
        qloop.wait_until(lambda: "left" in pane.left_to_pay.text(), 30)
        left_shown = pane.left_to_pay.text()
        wait_js(qloop, page.view, "window.paymentPage && paymentPage.state() === 'ready'")
        amount = run_js(qloop, page.view, "document.getElementById('amount').textContent")
        pay_on_page(qloop, page, GOOD_CARD)
        qloop.wait_until(lambda: counter.checkout.last_result is not None, 60)
        qloop.wait_until(lambda: not counter.dialogs.web_dialogs and not shiboken6.isValid(page))
        result = counter.checkout.last_result
        assert result is not None
        saved = Path(counter.printing.save_folder)
        qloop.wait_until(lambda: any(saved.glob("Receipt-*.pdf")), 30)
        qloop.wait_until(lambda: not counter.printing.tasks.is_running(), 30)
        after = qloop.run(drawer(counter))
        order = qloop.run(counter.sdk.order.get_order(result.order.id))
        receipt = qloop.run(counter.sdk.order.receipt(order.id, size="roll"))
        outcome = pane.outcome.text()
    finally:
        qloop.run(manager.__aexit__(None, None, None))

    total = Decimal(order.total)
    assert "20.00" in left_shown and f"{total - 20:.2f}" in left_shown
    assert f"{total - 20:.2f}" in amount  # the card page asks for the rest only
    assert order.status == "paid" and order.payment_method == "split"
    assert Decimal(order.paid_amount) == total and Decimal(order.amount_due) == 0
    assert result.change == Decimal(30)  # 50 tendered for the 20 cash part
    assert "Change: 30.00" in outcome
    assert after - before == Decimal(20)  # the drawer holds the cash part only
    printed = sorted(saved.glob("Receipt-*.pdf"))
    assert len(printed) == 1 and len(PdfReader(printed[0]).pages) >= 1
    text = pdf_text(receipt, tmp_path).lower()
    assert "cash" in text and "card" in text and "20.00" in text and f"{total - 20:.2f}" in text


def test_a_declined_card_leaves_the_rest_to_pay_and_cash_pays_it_once(qloop, demo_server, tmp_path):
    async def start():
        counter = clerk_counter(demo_server.base_url, tmp_path / "app", auto_print=False)
        return counter, await counter.__aenter__()

    manager, counter = qloop.run(start())
    try:
        before = qloop.run(drawer(counter))
        qloop.run(fill_cart(counter))
        qloop.run(split_with_keys(counter, "20", "20"))
        page = qloop.run(card_page(counter))
        failed: list[str] = []
        page.presenter.failed.connect(failed.append)
        pay_on_page(qloop, page, DECLINED_CARD)
        qloop.wait_until(lambda: bool(failed), 30)
        page.reject()  # Cancel: the page closes, the order keeps its cash part
        pane = counter.window.panes.checkout
        qloop.wait_until(lambda: "left to pay" in pane.stage.text(), 30)
        stage = pane.stage.text()
        left = pane.left_to_pay.text()
        pending = counter.checkout.part_paid_order
        assert pending is not None
        due = Decimal(pending.amount_due)
        # The rest by cash: F6, the exact amount, Complete sale.
        counter.window.actions_by_name["cash"].trigger()
        counter.window.actions_by_name["complete"].trigger()
        qloop.wait_until(
            lambda: counter.checkout.last_result is not None or pane.problem.text(), 60
        )
        result = counter.checkout.last_result
        assert result is not None, pane.problem.text()
        after = qloop.run(drawer(counter))
        order = qloop.run(counter.sdk.order.get_order(result.order.id))
        receipts = list(Path(counter.printing.save_folder).glob("Receipt-*.pdf"))
    finally:
        qloop.run(manager.__aexit__(None, None, None))

    total = Decimal(order.total)
    assert failed and "declined" in failed[0]
    assert f"{due:.2f}" in stage and "20.00" in stage and due == total - 20
    assert f"{due:.2f}" in left
    assert order.status == "paid" and Decimal(order.paid_amount) == total  # paid once
    assert after - before == total  # 20 cash part + the rest in cash, nothing twice
    assert receipts == []  # receipts are off by default


def test_receipts_after_a_sale_are_off_by_default(qapp, tmp_path):
    settings = AppSettings()
    assert settings.print_receipts is False and settings.receipt_printer is None

    class Printing:
        save_folder = tmp_path

        def printer_choices(self) -> list[str]:
            return ["Front desk", PRINT_TO_FILE]

    dialog = SettingsDialog(settings, Printing())  # type: ignore[arg-type]
    assert dialog.receipt_printer.currentText() == NO_RECEIPT_PRINTER
    assert dialog.receipt_printer.findText(PRINT_TO_FILE) > 0
    assert not dialog.print_receipts.isChecked()
    dialog.receipt_printer.setCurrentIndex(dialog.receipt_printer.findText(PRINT_TO_FILE))
    dialog.print_receipts.setChecked(True)
    chosen = dialog.result_settings()
    assert (chosen.receipt_printer, chosen.print_receipts) == (PRINT_TO_FILE, True)
    dialog.deleteLater()


def test_the_split_and_receipt_keys_collide_with_no_other():
    assert SHORTCUTS["split"] == "F10" and SHORTCUTS["receipt"] == "Ctrl+Shift+R"
    keys_used = list(SHORTCUTS.values())
    assert len(keys_used) == len(set(keys_used))
