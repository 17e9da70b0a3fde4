"""The embedded server dies in the middle of a sale: the counter says so, the supervisor
restarts it, and the sale completes once — never silently lost, never sold twice."""

from __future__ import annotations

import os
import signal

from boxoffice.desktop.embedded import EmbeddedServer, ServerStatus
from boxoffice.desktop.settings import Mode
from boxoffice.ui.messages import Level
from tests.helpers.counter import (
    close_counter,
    config_id,
    ensure_shift,
    make_counter,
    named,
    open_event,
    wait_until,
)


def test_a_sale_survives_the_embedded_server_dying(qloop, tmp_path):
    async def scenario():
        reports: list[tuple[ServerStatus, str]] = []
        server = EmbeddedServer(tmp_path / "data", on_state=lambda *r: reports.append(r))
        async with server:
            counter = await make_counter(
                server.base_url,
                tmp_path / "app",
                mode=Mode.EMBEDDED,
                counter_password=server.counter_password,
                auto_print=False,
            )
            messages: list[tuple[int, str]] = []
            counter.messages.posted.connect(lambda level, text: messages.append((level, text)))
            problems: list[str] = []
            counter.checkout.error.connect(problems.append)
            try:
                assert await counter.session.sign_in_counter()
                await ensure_shift(counter.sdk)
                pop = await open_event(counter, named("Pop"))
                counter.cart.add(config_id(pop, "Standard"), 2)

                os.kill(server.pid or 0, signal.SIGKILL)
                await wait_until(lambda: server.status is not ServerStatus.RUNNING)
                counter.connection.server_state(server.status, "")  # as the supervisor does
                counter.checkout.complete_sale(method="cash")
                await counter.checkout.tasks.wait("sale")
                first_try = counter.checkout.last_result

                await wait_until(lambda: server.status is ServerStatus.RUNNING, timeout=60)
                if first_try is None:  # the server was still down: the sale is kept
                    assert counter.checkout.pending is not None
                    counter.checkout.complete_sale(method="cash")
                    await counter.checkout.tasks.wait("sale")
                result = counter.checkout.last_result
                paid = await counter.sdk.order.list_orders(status="paid")
                return first_try, problems, messages, reports, result, paid
            finally:
                await close_counter(counter)

    first_try, problems, messages, reports, result, paid = qloop.run(scenario(), timeout=120)
    statuses = [status for status, _ in reports]
    restarting = statuses.index(ServerStatus.RESTARTING)
    assert ServerStatus.RUNNING in statuses[restarting:]
    assert (
        Level.WARNING,
        "The training server stopped; Box Office is restarting it.",
    ) in messages
    if first_try is None:
        assert problems and problems[-1].startswith("Cannot reach the ticket server.")
    assert result is not None and result.order.status == "paid"
    assert [order.id for order in paid.data] == [result.order.id]


def test_a_counter_without_its_server_says_it_is_offline(qloop, live_server, tmp_path):
    async def scenario():
        counter = await make_counter("http://127.0.0.1:9", tmp_path / "app")  # nothing there
        messages: list[tuple[int, str]] = []
        counter.messages.posted.connect(lambda level, text: messages.append((level, text)))
        try:
            offline = await counter.connection.check()
            label = counter.window.connection_label.text()
            counter.sdk.requestor.tenant_url = live_server.base_url  # the line comes back
            online = await counter.connection.check()
            return offline, label, online, counter.window.connection_label.text(), messages
        finally:
            await close_counter(counter)

    offline, label, online, label_after, messages = qloop.run(scenario())
    assert (offline, online) == (False, True)
    assert label == "Offline — cannot reach the server" and label_after == "Connected"
    assert [level for level, _ in messages] == [Level.WARNING, Level.INFO]
