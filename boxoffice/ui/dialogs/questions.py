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

from boxoffice.i18n import N_, _, ngettext


class SaleChoice(enum.Enum):
    """What to do with a sale in progress before the counter quits or changes hands."""

    FINISH = "finish"  # stay: the cashier finishes it
    CANCEL = "cancel"  # cancel its order (tickets back on sale) and clear the cart
    KEEP = "keep"  # quit and leave the order pending: the next start settles it


# The answers' buttons (marked here, translated where the box is made).
FINISH_TEXT = N_("&Finish the sale")
CANCEL_ORDER_TEXT = N_("&Cancel the order")
CLEAR_CART_TEXT = N_("&Clear the cart")
KEEP_TEXT = N_("&Keep it pending")
CLOSE_CARD_TEXT = N_("&Close the card page")
STAY_CARD_TEXT = N_("&Stay on the card page")


@dataclass(frozen=True)
class SaleInProgress:
    """What the cashier is told about the sale: its unpaid order (if one was made), how many
    tickets and what they cost ("58.00 EUR")."""

    order_code: str | None
    tickets: int
    total: str
    paid: str | None = None  # what a part-paid order took already ("20.00 EUR")

    def describe(self) -> str:
        values = {
            "code": self.order_code,
            "count": self.tickets,
            "total": self.total,
            "paid": self.paid,
        }
        if self.order_code is not None and self.paid is not None:
            text = ngettext(
                "Order %(code)s (%(count)d ticket, %(total)s) is part-paid: %(paid)s taken, "
                "the rest not paid yet.",
                "Order %(code)s (%(count)d tickets, %(total)s) is part-paid: %(paid)s taken, "
                "the rest not paid yet.",
                self.tickets,
            )
        elif self.order_code is not None:
            text = ngettext(
                "Order %(code)s (%(count)d ticket, %(total)s) is not paid yet.",
                "Order %(code)s (%(count)d tickets, %(total)s) is not paid yet.",
                self.tickets,
            )
        else:
            text = ngettext(
                "The cart holds %(count)d ticket (%(total)s) that is not sold yet.",
                "The cart holds %(count)d tickets (%(total)s) that are not sold yet.",
                self.tickets,
            )
        return text % values


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
    box.setWindowTitle(_("Sale in progress"))
    if quitting:
        question = _("%(sale)s What should happen to it before Box Office closes?")
    else:
        question = _(
            "%(sale)s It belongs to the cashier who started it: finish it or cancel it before "
            "someone else signs in."
        )
    box.setText(question % {"sale": sale.describe()})
    lines = [_("Finish the sale: go back to it.")]
    if has_order and sale.paid is not None:
        lines.append(
            _(
                "Cancel the order: its tickets go back on sale and the %(paid)s taken is "
                "given back (cash from the drawer: hand it to the customer; card to the card)."
            )
            % {"paid": sale.paid}
        )
    elif has_order:
        lines.append(_("Cancel the order: its tickets go back on sale."))
    else:
        lines.append(_("Clear the cart: nothing was ordered yet."))
    answers: dict[QAbstractButton, SaleChoice] = {}
    finish = box.addButton(_(FINISH_TEXT), QMessageBox.ButtonRole.RejectRole)
    answers[finish] = SaleChoice.FINISH
    cancel_text = _(CANCEL_ORDER_TEXT) if has_order else _(CLEAR_CART_TEXT)
    answers[box.addButton(cancel_text, QMessageBox.ButtonRole.DestructiveRole)] = SaleChoice.CANCEL
    if quitting and has_order:
        lines.append(
            _(
                "Keep it pending: Box Office settles it at the next start (reported if it was "
                "paid by then, otherwise released)."
            )
        )
        answers[box.addButton(_(KEEP_TEXT), QMessageBox.ButtonRole.AcceptRole)] = SaleChoice.KEEP
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


KEEP_PART_PAID_TEXT = N_("&Keep the order")


def ask_to_cancel_part_paid(
    parent: QWidget, *, order_code: str, paid: str, on_cancel: Callable[[], None]
) -> QMessageBox:
    """Ask before a part-paid order is canceled (the cart cleared): canceling gives back
    what was taken. "Cancel the order" calls `on_cancel`; Esc keeps the order."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(_("Cancel a part-paid order?"))
    values = {"code": order_code, "paid": paid}
    box.setText(_("Order %(code)s is part-paid: %(paid)s was taken. Cancel it?") % values)
    box.setInformativeText(
        _(
            "Canceling gives the %(paid)s back the way it came: cash from the drawer (hand it "
            "to the customer), a card part to the card. Its tickets go back on sale.\n"
            "Keep the order to take the rest by cash (F6) or card (F7)."
        )
        % values
    )
    cancel = box.addButton(_(CANCEL_ORDER_TEXT), QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(_(KEEP_PART_PAID_TEXT), QMessageBox.ButtonRole.RejectRole)
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
    box.setWindowTitle(_("Close the card payment?"))
    box.setText(_("Close the card payment page?"))
    if order_code:
        text = _(
            "Order %(code)s stays pending: press Complete sale to try the card again, pay "
            "another way, or clear the cart."
        ) % {"code": order_code}
    else:
        text = _(
            "The order stays pending: press Complete sale to try the card again, pay another "
            "way, or clear the cart."
        )
    if busy:
        text = _(
            "The card is being processed now; if it goes through, the server still records "
            "the payment. %(then)s"
        ) % {"then": text}
    box.setInformativeText(text)
    close = box.addButton(_(CLOSE_CARD_TEXT), QMessageBox.ButtonRole.AcceptRole)
    stay = box.addButton(_(STAY_CARD_TEXT), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(close)
    box.setEscapeButton(stay)
    _on_finished(box, lambda clicked: on_close() if clicked is close else None)
    box.open()
    return box


TRUST_TEXT = N_("Trust this server")
DONT_TRUST_TEXT = N_("Do not connect")


def ask_to_trust_certificate(
    parent: QWidget | None, *, url: str, fingerprint: str, on_answer: Callable[[bool], None]
) -> QMessageBox:
    """Ask whether to pin the certificate (`fingerprint`, SHA-256) of the venue server at
    `url`, which no trusted authority vouches for. Esc and the close button do not trust it."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(_("Unknown server certificate"))
    box.setText(
        _("The venue server at %(url)s presents a certificate Box Office does not know.")
        % {"url": url}
    )
    box.setInformativeText(
        _(
            "Compare its fingerprint with the one the venue server shows (its log at start, or "
            "`boxoffice tls fingerprint` on the server). Trust it only if they are the same: "
            "otherwise someone could read the passwords and the sales."
        )
        + f"\n\nSHA-256: {fingerprint}"
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    trust = box.addButton(_(TRUST_TEXT), QMessageBox.ButtonRole.AcceptRole)
    refuse = box.addButton(_(DONT_TRUST_TEXT), QMessageBox.ButtonRole.RejectRole)
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
