"""The Orders tab after the sale, through the real widgets and a real server, keys only:
refund one ticket of a cash sale, print again with a reason, reissue a lost ticket, print the
receipt, and read the order's history."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt

from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.ui.dialogs.order_actions import HistoryDialog, ReissueDialog, ReprintDialog
from boxoffice.ui.dialogs.refund import RefundDialog
from boxoffice.ui.presenters.order_actions import WITH_TICKETS, valid_tickets
from boxoffice.ui.presenters.printing import PRINT_TO_FILE
from tests.helpers.counter import (
    clerk_counter,
    config_id,
    keys,
    named,
    open_event,
    shortcut,
    wait_until,
)
from tests.helpers.counter_ui import activate, dialog, pdf_text, record_printed


def printed(folder: Path, prefix: str) -> list[Path]:
    return sorted(folder.glob(f"{prefix}-*.pdf"))


def test_refund_reprint_reissue_receipt_and_history_by_keyboard(qloop, demo_server, tmp_path):
    async def scenario():
        async with clerk_counter(
            demo_server.base_url, tmp_path / "app", printer=PRINT_TO_FILE
        ) as counter:
            window, sdk = counter.window, counter.sdk
            folder = counter.printing.save_folder
            sent = record_printed(counter)
            actions = counter.history.actions
            await activate(window)
            pop = await open_event(counter, named("Pop"))
            counter.cart.add(config_id(pop, "Standard"), 2)
            counter.checkout.complete_sale(method="cash", tendered=Decimal(58))
            await counter.checkout.tasks.wait("sale")
            sale = counter.checkout.last_result
            assert sale is not None and sale.delivery.printed_pages == 2
            order = sale.order
            await counter.shift.read()
            assert counter.shift.report is not None
            cash_before = counter.shift.report.expected_cash

            pane = window.panes.history
            await shortcut(counter, "orders_tab")
            pane.search.setFocus()
            await keys(order.code)
            await keys(Qt.Key.Key_Return)
            await wait_until(
                lambda: pane.orders.topLevelItemCount() == 1 and pane.current_order() is not None
            )

            # Refund one of the two tickets: untick the second, a reason, Enter.
            await shortcut(counter, "order_refund")
            refund = await dialog(RefundDialog)
            seen = {"amount_all": refund.amount.text(), "cash_first": refund.cash_first.isVisible()}
            assert refund.tickets.hasFocus()
            await keys(Qt.Key.Key_Down)
            await keys(Qt.Key.Key_Space)
            seen["amount_one"] = refund.amount.text()
            refunded_id = refund.tickets.checked()[0].ticket.id
            kept_id = refund.tickets.lines[1].ticket.id
            await keys(Qt.Key.Key_Return)  # OK without a reason: told what to fix
            seen["problem"] = refund.problem.text()
            refund.reason.setFocus()
            await keys("Concert moved")
            await keys(Qt.Key.Key_Return)
            await wait_until(lambda: actions.last_refund is not None)
            await actions.tasks.wait("refund")
            seen["status_bar"] = window.statusBar().currentMessage()
            await wait_until(lambda: printed(folder, f"Refund-receipt-{order.code}"))
            refund_receipt = pdf_text(sent[f"Refund receipt {order.code}"])
            await counter.shift.read()
            cash_after = counter.shift.report.expected_cash
            after = await sdk.order.get_order(order.id, with_=WITH_TICKETS)
            await wait_until(
                lambda: (
                    (o := pane.current_order()) is not None
                    and o.status == OrderStatus.PARTIALLY_REFUNDED
                )
            )
            row = pane.orders.currentItem()
            assert row is not None
            seen["row_status"] = row.text(8)

            # Print again with a reason.
            await activate(window)
            await shortcut(counter, "order_reprint")
            reprint = await dialog(ReprintDialog)
            await keys("Went through the wash")
            await keys(Qt.Key.Key_Return)
            await wait_until(lambda: printed(folder, f"Reprint-{order.code}"))
            await actions.tasks.wait("reprint")
            reprinted = pdf_text(sent[f"Reprint {order.code}"])
            assert not reprint.isVisible()

            # Reissue the ticket left (lost): Space ticks it, a reason, Enter.
            await activate(window)
            await shortcut(counter, "order_reissue")
            reissue = await dialog(ReissueDialog)
            await keys(Qt.Key.Key_Space)
            reissue.reason.setFocus()
            await keys("Lost it")
            await keys(Qt.Key.Key_Return)
            await actions.tasks.wait("reissue")
            await wait_until(lambda: not actions.tasks.is_running("reissue"))
            reissued = await sdk.order.get_order(order.id, with_=WITH_TICKETS)
            new = [line.ticket for line in valid_tickets(reissued)]
            seen["reissue_message"] = window.statusBar().currentMessage()
            await wait_until(lambda: printed(folder, f"Ticket-{new[0].code}"))

            # The sale's receipt, and the history.
            await activate(window)
            await shortcut(counter, "order_receipt")
            await wait_until(lambda: printed(folder, f"Receipt-{order.code}"))
            receipt = pdf_text(sent[f"Receipt {order.code}"])
            # Ctrl+P, the last sale again (printed once already): a recorded reprint too.
            await activate(window)
            await shortcut(counter, "reprint")
            assert actions.tasks.is_running("reprint")
            await actions.tasks.wait("reprint")
            await activate(window)
            await shortcut(counter, "order_history")
            history = await dialog(HistoryDialog)
            rows = history.rows()
            await keys(Qt.Key.Key_Escape)
            await wait_until(lambda: not history.isVisible())
            split = RefundDialog(actions, after.model_copy(update={"payment_method": "split"}))
            seen["cash_first_split"] = not split.cash_first.isHidden()
            split.deleteLater()
            return (
                seen,
                order,
                after,
                refunded_id,
                kept_id,
                cash_before,
                cash_after,
                refund_receipt,
                reprinted,
                new,
                receipt,
                rows,
            )

    (
        seen,
        order,
        after,
        refunded_id,
        kept_id,
        cash_before,
        cash_after,
        refund_receipt,
        reprinted,
        new,
        receipt,
        rows,
    ) = qloop.run(scenario(), timeout=240)
    assert seen["amount_all"] == "58.00 EUR for 2 tickets"
    assert seen["amount_one"] == "29.00 EUR for 1 ticket"
    assert seen["cash_first"] is False  # paid one way only
    assert seen["cash_first_split"] is True  # offered when paid several ways
    assert seen["problem"] == "Say why the tickets are refunded."
    assert seen["status_bar"] == f"Order {order.code}: refunded 1 ticket: 29.00 EUR cash."
    assert after.status == OrderStatus.PARTIALLY_REFUNDED
    statuses = {t.id: t.status for item in after.order_item for t in item.ticket or []}
    assert statuses == {refunded_id: "revoked", kept_id: "valid"}
    assert cash_after == cash_before - Decimal(29)
    assert "REFUND" in refund_receipt and order.code in refund_receipt
    assert seen["row_status"] == "Partly refunded"
    assert "REPRINT 1" in reprinted
    assert len(new) == 1 and new[0].id != kept_id
    assert new[0].code in seen["reissue_message"]
    assert order.code in receipt
    actions = [row[1] for row in rows]
    for action in ("Order created", "Paid", "Refunded", "Printed again", "Reissued"):
        assert action in actions, actions
    refunded_row = rows[actions.index("Refunded")]
    assert refunded_row[2] != "System"  # who: the clerk
    assert "29.00 EUR cash" in refunded_row[3] and "reason: Concert moved" in refunded_row[3]
    assert "reason: Went through the wash" in rows[actions.index("Printed again")][3]
    assert new[0].code in rows[actions.index("Reissued")][3]
    reprints = [row[3] for row in rows if row[1] == "Printed again"]
    assert len(reprints) == 2 and "reason: Reprint at the counter" in reprints[1]
