"""What the counter's UI tests share beyond selling: dialogs found on screen, the card page
driven as a customer would, the PDFs handed to the printer and their text."""

from __future__ import annotations

import subprocess
from typing import TypeVar

from PySide6.QtWidgets import QApplication, QWidget

from boxoffice.ui.counter import Counter
from boxoffice.ui.dialogs.payment import PaymentDialog
from tests.helpers.counter import keys, wait_until
from tests.helpers.web import run_js, type_into, wait_js

D = TypeVar("D", bound=QWidget)
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"


async def activate(window: QWidget) -> None:
    window.show()
    window.raise_()
    window.activateWindow()
    await wait_until(window.isActiveWindow, timeout=10)


def shown(cls: type[D]) -> D | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, cls) and w.isVisible()]
    return found[-1] if found else None


async def dialog(cls: type[D]) -> D:
    """The dialog of `cls` once it is on screen and active."""
    await wait_until(lambda: shown(cls) is not None, timeout=30)
    found = shown(cls)
    assert found is not None
    await wait_until(found.isActiveWindow, timeout=10)
    return found


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def record_printed(counter: Counter) -> dict[str, bytes]:
    """The PDFs handed to the printer, by print job title. The PDF file printer prints
    them as page images (as on paper), so their text is read from what it was given."""
    sent: dict[str, bytes] = {}
    real = counter.printing.print_pdf

    def print_pdf(pdf: bytes, *, title: str, printer: str | None = None) -> int:
        sent[title] = pdf
        return real(pdf, title=title, printer=printer)

    counter.printing.print_pdf = print_pdf  # type: ignore[method-assign]
    return sent


async def split_with_keys(counter: Counter, cash_part: str, tendered: str) -> None:
    """F10, the cash part, Enter (to Tendered), the cash tendered, Ctrl+Enter."""
    window = counter.window
    await activate(window)
    window.actions_by_name["split"].trigger()
    pane = window.panes.checkout
    assert pane.method == "split" and pane.cash_part.hasFocus()
    await keys(cash_part)
    pane.cash_part.returnPressed.emit()
    await wait_until(pane.tendered.hasFocus, timeout=5)
    await keys(tendered)
    window.actions_by_name["complete"].trigger()


async def card_page(counter: Counter) -> PaymentDialog:
    """The card payment page, once the sale has opened it."""
    await wait_until(lambda: bool(counter.dialogs.web_dialogs), timeout=30)
    page = counter.dialogs.web_dialogs[-1]
    assert isinstance(page, PaymentDialog)
    return page


def pay_on_page(qloop, page: PaymentDialog, number: str) -> None:
    """Type `number` and submit, as the customer would on the training card page."""
    wait_js(qloop, page.view, "window.paymentPage && paymentPage.state() === 'ready'")
    type_into(qloop, page.view, '[data-stripe-emulator="cardnumber"]', number)
    type_into(qloop, page.view, '[data-stripe-emulator="exp-date"]', "12 / 34")
    type_into(qloop, page.view, '[data-stripe-emulator="cvc"]', "123")
    run_js(qloop, page.view, "document.getElementById('pay-form').requestSubmit(); true")
