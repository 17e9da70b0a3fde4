"""The kiosk's languages: a customer picks Čeština on the attract screen, buys in Czech, the
order records it (its tickets and mail come in Czech), and the next customer finds the kiosk
in its own language again — after the sale and after an idle reset."""

from __future__ import annotations

import re

from boxoffice import i18n
from boxoffice.ui.kiosk.presenter import Stage
from tests.helpers.counter import wait_until
from tests.helpers.kiosk import pick_reader, running_kiosk, staff_sdk, tile, touch


def test_a_customer_buys_in_czech_and_the_next_one_gets_english_again(qloop, demo_server, tmp_path):
    async def scenario():
        await pick_reader(demo_server.base_url)
        async with running_kiosk(
            demo_server.base_url, tmp_path / "kiosk", printer="PDF file"
        ) as kiosk:
            window, presenter = kiosk.window, kiosk.presenter
            attract = window.attract
            assert presenter.stage is Stage.ATTRACT, presenter.problem
            names = [attract.languages[code].accessibleName() for code in ("en", "cs", "de")]
            assert names == ["English", "Čeština", "Deutsch"]  # their own names
            assert attract.languages["en"].isChecked() and attract.start.text() == "Touch to start"

            touch(attract.languages["cs"])
            assert i18n.current() == "cs" and attract.languages["cs"].isChecked()
            assert not attract.languages["en"].isChecked()
            touch(attract.start)
            await wait_until(lambda: presenter.stage is Stage.EVENTS and window.events.tiles)
            czech = {"events": window.events.heading.text(), "start": attract.start.text()}
            touch(tile(kiosk, "Pop & Soul"))
            await wait_until(lambda: presenter.stage is Stage.TICKETS, timeout=20)
            date = window.tickets.date.text()
            standard = next(c.id for c in presenter.offered() if c.name == "Standard")
            touch(window.tickets.steppers[standard].plus)
            touch(window.tickets.steppers[standard].plus)
            total = czech["total"] = window.tickets.total.text()
            touch(window.tickets.pay)
            await wait_until(lambda: window.pay.training.isVisible(), timeout=20)
            czech["pay"] = window.pay.heading.text()
            touch(window.pay.approved)
            await wait_until(lambda: presenter.stage is Stage.DONE, timeout=30)
            done = presenter.last_done
            assert done is not None
            czech["done"] = window.done.heading.text()
            touch(window.done.done)  # the sale ends: the next customer's kiosk
            await wait_until(lambda: presenter.stage is Stage.ATTRACT)
            after_sale = (i18n.current(), attract.start.text(), attract.languages["en"].isChecked())
            async with staff_sdk(demo_server.base_url) as staff:
                order = await staff.order.get_order(done.order.id)

            # Deutsch, then nobody answers "Are you still there?": English again.
            presenter.idle.idle_seconds, presenter.idle.countdown_seconds = 0.5, 0.5
            touch(attract.languages["de"])
            assert i18n.current() == "de"
            touch(attract.start)
            await wait_until(lambda: presenter.stage is Stage.EVENTS)
            await wait_until(lambda: presenter.stage is Stage.ATTRACT, timeout=10)
            after_idle = (i18n.current(), attract.start.text(), attract.languages["en"].isChecked())
            return order, date, total, after_sale, after_idle, czech

    order, date, total, after_sale, after_idle, czech = qloop.run(scenario(), timeout=120)
    assert order.status == "paid" and order.language == "cs"  # tickets and mail in Czech
    assert after_sale == ("en", "Touch to start", True)
    assert after_idle == ("en", "Touch to start", True)
    assert re.match(r"\w\w \d{1,2}\. \d{1,2}\. \d{4} \d\d:\d\d", date), date  # Babel's
    assert total.endswith("58,00\xa0€"), total  # a no-break space, as CLDR writes it
    # Czech words: from resources/locale once the kiosk's messages are merged into it.
    assert czech == {
        "events": "Vyberte akci",
        "start": "Začněte dotykem",
        "total": "2 vstupenky · 58,00\xa0€",
        "pay": "Zaplatit kartou",
        "done": "Děkujeme!",
    }
