"""`sdk.shift` and split payments through the SDK against the live server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from boxoffice.sdk import SDK, APIStatusError, PasswordCredentials
from tests.helpers import factories as f

COUNTER = "SDK till"


@pytest.fixture
async def staff_sdk(live_server) -> AsyncIterator[SDK]:
    f.make_user(live_server.state, "cashier", role="staff")
    async with await SDK.build(
        live_server.base_url, organizer="demo", max_retries=0, counter=COUNTER
    ) as client:
        await client.authorize(PasswordCredentials("cashier", f.PASSWORD))
        yield client


async def test_shift_service_end_to_end(live_server, staff_sdk):
    sdk = staff_sdk
    ids = f.make_event(
        live_server.state, configs=[{"name": "Adult", "face_value": "12.50", "quantity": 10}]
    )
    with pytest.raises(APIStatusError) as none_open:
        await sdk.shift.current()
    assert (none_open.value.status, none_open.value.code) == (404, "no_open_shift")

    shift = await sdk.shift.open("100.00")
    assert (shift.counter, shift.status, shift.float) == (COUNTER, "open", Decimal("100"))
    with pytest.raises(APIStatusError) as twice:
        await sdk.shift.open(1)
    assert (twice.value.status, twice.value.code) == (409, "shift_already_open")

    order = await sdk.order.create_order(
        [{"quantity": 2, "ticket_config_id": ids["config_ids"][0]}]
    )
    part = await sdk.payment.create_payment_intent(
        order.id, type="cash", amount=Decimal(10), tendered=Decimal(20)
    )
    assert part.payment is not None and part.payment.shift_id == shift.id
    assert part.payment.change == Decimal(10)
    assert part.order is not None and part.order.amount_due == Decimal(15)
    rest = await sdk.payment.create_payment_intent(order.id, type="cash", tendered=Decimal(15))
    assert rest.order is not None and rest.order.status == "paid"

    movement = await sdk.shift.cash(shift.id, Decimal("-5.00"), "Stamps")
    assert movement.kind == "pay_out" and movement.expected_cash == Decimal(120)
    x = await sdk.shift.current()
    assert x.kind == "X" and x.shift.id == shift.id and x.expected_cash == Decimal(120)
    assert x.float + x.cash_sales - x.cash_refunds + x.pay_ins - x.pay_outs == x.expected_cash
    assert (await sdk.shift.get(shift.id)).expected_cash == Decimal(120)
    page = await sdk.shift.list(counter=COUNTER, status="open")
    assert [row.id for row in page.data] == [shift.id] and page.paging.total == 1

    pdf = await sdk.shift.report_pdf(shift.id, "a4")
    assert pdf.startswith(b"%PDF")
    z = await sdk.shift.close(shift.id, counted="119.50")
    assert (z.kind, z.counted_cash, z.difference) == ("Z", Decimal("119.5"), Decimal("-0.5"))
    assert (await sdk.shift.report(shift.id)).difference == Decimal("-0.5")
    with pytest.raises(APIStatusError) as closed:
        await sdk.shift.close(shift.id, denominations={"100": 1})
    assert (closed.value.status, closed.value.code) == (409, "shift_closed")
