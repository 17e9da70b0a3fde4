"""The questions the counter asks before it lets go of a sale: quitting or switching the
cashier with a sale in progress, canceling a part-paid order, and closing the card payment
page; and whether to trust a venue server's self-signed certificate on first use.

Each question is a window-modal QMessageBox opened with `open()` (never `exec()`, which would
block the qasync loop); the answer comes to a callback. Esc and the close button choose the
harmless answer: the sale goes on.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget


class SaleChoice(enum.Enum):
    """What to do with a sale in progress before the counter quits or changes hands."""

    FINISH = "finish"  # stay: the cashier finishes it
    CANCEL = "cancel"  # cancel its order (tickets back on sale) and clear the cart
    KEEP = "keep"  # quit and leave the order pending: the next start settles it


FINISH_TEXT = "&Finish the sale"
CANCEL_ORDER_TEXT = "&Cancel the order"
CLEAR_CART_TEXT = "&Clear the cart"
KEEP_TEXT = "&Keep it pending"
CLOSE_CARD_TEXT = "&Close the card page"
STAY_CARD_TEXT = "&Stay on the card page"


@dataclass(frozen=True)
class SaleInProgress:
    """What the cashier is told about the sale: its unpaid order (if one was made), how many
    tickets and what they cost ("58.00 EUR")."""

    order_code: str | None
    tickets: int
    total: str
    paid: str | None = None  # what a part-paid order took already ("20.00 EUR")

    def describe(self) -> str:
        noun = "ticket" if self.tickets == 1 else "tickets"
        if self.order_code is not None and self.paid is not None:
            return (
                f"Order {self.order_code} ({self.tickets} {noun}, {self.total}) is part-paid: "
                f"{self.paid} taken, the rest not paid yet."
            )
        if self.order_code is not None:
            return f"Order {self.order_code} ({self.tickets} {noun}, {self.total}) is not paid yet."
        return f"The cart holds {self.tickets} {noun} ({self.total}) that are not sold yet."


def ask_about_sale(
    parent: QWidget,
    sale: SaleInProgress,
    *,
    quitting: bool,
    on_answer: Callable[[SaleChoice], None],
) -> QMessageBox:
    """Ask what to do with `sale` before Box Office closes (`quitting`) or another cashier
    signs in. Keeping a sale pending is offered only when quitting with an order: the cart
    belongs to the cashier who filled it and is never handed to the next one."""
    has_order = sale.order_code is not None
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Sale in progress")
    if quitting:
        box.setText(f"{sale.describe()} What should happen to it before Box Office closes?")
    else:
        box.setText(
            f"{sale.describe()} It belongs to the cashier who started it: finish it or "
            "cancel it before someone else signs in."
        )
    lines = ["Finish the sale: go back to it."]
    if has_order and sale.paid is not None:
        lines.append(
            f"Cancel the order: its tickets go back on sale and the {sale.paid} taken is "
            "given back (cash from the drawer: hand it to the customer; card to the card)."
        )
    elif has_order:
        lines.append("Cancel the order: its tickets go back on sale.")
    else:
        lines.append("Clear the cart: nothing was ordered yet.")
    answers: dict[QAbstractButton, SaleChoice] = {}
    finish = box.addButton(FINISH_TEXT, QMessageBox.ButtonRole.RejectRole)
    answers[finish] = SaleChoice.FINISH
    cancel_text = CANCEL_ORDER_TEXT if has_order else CLEAR_CART_TEXT
    answers[box.addButton(cancel_text, QMessageBox.ButtonRole.DestructiveRole)] = SaleChoice.CANCEL
    if quitting and has_order:
        lines.append(
            "Keep it pending: Box Office settles it at the next start (reported if it was "
            "paid by then, otherwise released)."
        )
        answers[box.addButton(KEEP_TEXT, QMessageBox.ButtonRole.AcceptRole)] = SaleChoice.KEEP
    box.setInformativeText("\n".join(lines))
    box.setDefaultButton(finish)
    box.setEscapeButton(finish)
    _on_finished(
        box,
        lambda clicked: on_answer(
            answers.get(clicked, SaleChoice.FINISH) if clicked else SaleChoice.FINISH
        ),
    )
    box.open()
    return box


KEEP_PART_PAID_TEXT = "&Keep the order"


def ask_to_cancel_part_paid(
    parent: QWidget, *, order_code: str, paid: str, on_cancel: Callable[[], None]
) -> QMessageBox:
    """Ask before a part-paid order is canceled (the cart cleared): canceling gives back
    what was taken. "Cancel the order" calls `on_cancel`; Esc keeps the order."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Cancel a part-paid order?")
    box.setText(f"Order {order_code} is part-paid: {paid} was taken. Cancel it?")
    box.setInformativeText(
        f"Canceling gives the {paid} back the way it came: cash from the drawer (hand it "
        "to the customer), a card part to the card. Its tickets go back on sale.\n"
        "Keep the order to take the rest by cash (F6) or card (F7)."
    )
    cancel = box.addButton(CANCEL_ORDER_TEXT, QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(KEEP_PART_PAID_TEXT, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    _on_finished(box, lambda clicked: on_cancel() if clicked is cancel else None)
    box.open()
    return box


def ask_to_close_card_page(
    parent: QWidget, *, order_code: str | None, busy: bool, on_close: Callable[[], None]
) -> QMessageBox:
    """Ask before the card payment page closes; "Close the card page" calls `on_close`."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Close the card payment?")
    order = f"Order {order_code}" if order_code else "The order"
    box.setText("Close the card payment page?")
    text = (
        f"{order} stays pending: press Complete sale to try the card again, pay another "
        "way, or clear the cart."
    )
    if busy:
        text = (
            "The card is being processed now; if it goes through, the server still records "
            f"the payment. {text}"
        )
    box.setInformativeText(text)
    close = box.addButton(CLOSE_CARD_TEXT, QMessageBox.ButtonRole.AcceptRole)
    stay = box.addButton(STAY_CARD_TEXT, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(close)
    box.setEscapeButton(stay)
    _on_finished(box, lambda clicked: on_close() if clicked is close else None)
    box.open()
    return box


TRUST_TEXT = "Trust this server"
DONT_TRUST_TEXT = "Do not connect"


def ask_to_trust_certificate(
    parent: QWidget | None, *, url: str, fingerprint: str, on_answer: Callable[[bool], None]
) -> QMessageBox:
    """Ask whether to pin the certificate (`fingerprint`, SHA-256) of the venue server at
    `url`, which no trusted authority vouches for. Esc and the close button do not trust it."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Unknown server certificate")
    box.setText(f"The venue server at {url} presents a certificate Box Office does not know.")
    box.setInformativeText(
        "Compare its fingerprint with the one the venue server shows (its log at start, or "
        "`boxoffice tls fingerprint` on the server). Trust it only if they are the same: "
        "otherwise someone could read the passwords and the sales.\n\n"
        f"SHA-256: {fingerprint}"
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    trust = box.addButton(TRUST_TEXT, QMessageBox.ButtonRole.AcceptRole)
    refuse = box.addButton(DONT_TRUST_TEXT, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(refuse)
    box.setEscapeButton(refuse)
    _on_finished(box, lambda clicked: on_answer(clicked is trust))
    box.open()
    return box


def _on_finished(box: QMessageBox, answered: Callable[[QAbstractButton | None], None]) -> None:
    """Call `answered` with the clicked button once `box` closes; the box is then deleted."""

    def finished(_result: int) -> None:
        clicked = box.clickedButton()
        box.deleteLater()
        answered(clicked)

    box.finished.connect(finished)
