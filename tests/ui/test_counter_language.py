"""The counter in Czech: its panes speak Czech, amounts are written and typed the Czech way,
and the orders it creates are Czech (their tickets and mails come out in Czech)."""

from __future__ import annotations

from decimal import Decimal

from boxoffice.ui import language
from tests.helpers.counter import clerk_counter, config_id, named, open_event, wait_until


def spaced(text: str) -> str:
    """`text` with CLDR's no-break spaces as plain ones ("29,00 €")."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def test_a_czech_counter_sells_in_czech(qloop, qtbot, demo_server, tmp_path):
    """One ticket sold in Czech: the cart's total, the checkout's change and labels in Czech,
    "30,50" typed as the cash, and the order created is Czech."""
    language.apply("cs")

    async def scenario():
        async with clerk_counter(
            demo_server.base_url, tmp_path / "app", auto_print=False
        ) as counter:
            panes = counter.window.panes
            pop = await open_event(counter, named("Pop"))
            panes.cart.quantity.setValue(1)
            configs = panes.cart.configs
            rows = [configs.topLevelItem(index) for index in range(configs.topLevelItemCount())]
            configs.setCurrentItem(
                next(r for r in rows if r is not None and r.text(0) == "Standard")
            )
            panes.cart.add_line()
            assert counter.cart.lines[0].config.id == config_id(pop, "Standard")
            checkout = panes.checkout
            checkout.choose_payment("cash")
            checkout.tendered.setText("30,50")  # a Czech cashier's decimal comma
            line = panes.cart.lines.topLevelItem(0)
            assert line is not None
            seen = {
                "total": spaced(panes.cart.total.text()),
                "price": spaced(line.text(2)),
                "add": panes.cart.add_button.text(),
                "remove": panes.cart.remove_button.text(),
                "header": panes.cart.lines.headerItem().text(3),
                "change": spaced(checkout.change.text()),
                "complete": checkout.complete_button.text(),
                "cash": checkout.method_buttons["cash"].text(),
            }
            before = counter.checkout.last_result
            checkout.submit()
            await wait_until(lambda: counter.checkout.last_result is not before, timeout=60)
            result = counter.checkout.last_result
            assert result is not None
            stored = await counter.sdk.order.get_order(result.order.id)
            return seen, result, stored, spaced(checkout.outcome.text())

    seen, result, stored, outcome = qloop.run(scenario(), timeout=120)
    assert seen["total"] == "<b>Celkem 29,00 €</b> (1 vstupenka)"
    assert seen["price"] == "29,00 €"
    assert seen["add"] == "&Přidat do košíku"
    assert seen["remove"] == "&Odebrat položku"
    assert seen["header"] == "Celkem"
    assert seen["change"] == "1,50 €"
    assert seen["complete"] == "Dokončit prodej (Ctrl+Enter)"
    assert seen["cash"] == "Hotovost (F6)"
    assert result.change == Decimal("1.50")
    assert f"Objednávka {result.order.code} zaplacena" in outcome
    assert "Vráceno: 1,50 €" in outcome
    assert stored.language == "cs"  # its tickets and mails are written in Czech
