"""`boxoffice sell`: create the order, pay it (free, cash, card with a test card in training
mode, or card on the counter's card reader), save the tickets, and report the sale."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from boxoffice import i18n
from boxoffice.cli import training_card
from boxoffice.cli.output import CommandError, ExitCode, emit, fail, progress
from boxoffice.i18n import _, ngettext
from boxoffice.sdk import SDK, APIStatusError, BoxOfficeError
from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.sdk.models.orders import Order, OrderItemRequest
from boxoffice.sdk.models.payments import PaymentIntentResponse
from boxoffice.sdk.models.readers import ReaderPaymentStatus

READER_POLL_SECONDS = 0.5  # how often `--pay reader` asks how the payment stands
READER_HINT = "boxoffice readers use READER_ID --counter NAME"


def order_item(args: argparse.Namespace) -> OrderItemRequest:
    """The one order item `sell` asks for."""
    seats = [s.strip() for s in args.seats.split(",") if s.strip()] if args.seats else None
    quantity = args.qty or (len(seats) if seats else 1)
    return OrderItemRequest(
        quantity=quantity,
        ticket_config_id=args.config_id,
        timeslot_id=args.timeslot,
        sector_id=args.sector,
        ticket_discount=args.discount or [],
        selected_seats=seats,
    )


async def sell(sdk: SDK, args: argparse.Namespace) -> int:
    """Sell as the `sell` arguments say; the exit code."""
    item = order_item(args)
    config = await sdk.event.get_ticket_config(args.config_id)
    if config.event_id != args.event_id:
        raise CommandError(
            _("Ticket config %(config)s belongs to event %(event)s, not %(wanted)s.")
            % {"config": config.id, "event": config.event_id, "wanted": args.event_id},
            ExitCode.USAGE,
        )
    progress(_("Creating order…"))
    order = await sdk.order.create_order([item], format=args.format, order_contact=args.contact)
    order, answer = await pay(sdk, args, order)
    files = []
    if order.format != "SECURE":
        files.append(await save_tickets(sdk, order, out=args.out, file_format=None, size=args.size))
    emit(args, sale_text(order, answer, files), sale_data(order, answer, files))
    return ExitCode.OK


async def cancel_quietly(sdk: SDK, order: Order) -> None:
    """Release what an unpaid order holds; a failure here only leaves it to expire."""
    try:
        await sdk.order.cancel_order(order.id)
    except BoxOfficeError:
        return
    fail(_("Order %(code)s was canceled; nothing was charged.") % {"code": order.code})


async def pay(
    sdk: SDK, args: argparse.Namespace, order: Order
) -> tuple[Order, PaymentIntentResponse]:
    """Pay as `--pay` says; a refused payment cancels the order (nothing was charged)."""
    if args.pay == "free" and order.total != 0:
        await cancel_quietly(sdk, order)
        raise CommandError(
            _("Order %(code)s costs %(total)s; --pay free is only for free orders.")
            % {"code": order.code, "total": i18n.money(order.total, order.currency)},
            ExitCode.USAGE,
        )
    if args.pay == "reader":
        return await pay_on_reader(sdk, args, order)
    progress(_("Paying…"))
    try:
        if args.pay == "cash":
            answer = await sdk.payment.create_payment_intent(
                order.id, type="cash", tendered=order.total
            )
        else:
            answer = await sdk.payment.create_payment_intent(order.id, type="card")
    except APIStatusError as exc:
        await cancel_quietly(sdk, order)
        if exc.code == "no_open_shift":
            raise CommandError(
                _(
                    "%(message)s Open one first: boxoffice shift open --counter NAME "
                    "--float AMOUNT (and sell with --counter NAME or $BOXOFFICE_COUNTER)."
                )
                % {"message": exc.message},
                ExitCode.REFUSED,
            ) from exc
        raise
    paid = answer.order or order
    if paid.status != OrderStatus.PAID:
        paid = await finish_card(sdk, args, answer, paid)
    return paid, answer


async def finish_card(
    sdk: SDK, args: argparse.Namespace, answer: PaymentIntentResponse, order: Order
) -> Order:
    """Pay with `--test-card` in training mode; otherwise show what a payment page needs."""
    base = training_card.emulator_base(answer)
    if args.test_card is None or base is None:
        emit(args, pending_text(order, answer), pending_data(order, answer))
        if args.test_card is None:
            message = _(
                "Order %(code)s is not paid: complete the card payment on a payment page with "
                "the client secret, then run `boxoffice download %(id)s`."
            )
        else:
            message = _(
                "Order %(code)s is not paid: complete the card payment on a payment page with "
                "the client secret, then run `boxoffice download %(id)s` (--test-card works "
                "only in training mode)."
            )
        raise CommandError(
            message % {"code": order.code, "id": order.id}, ExitCode.PAYMENT_INCOMPLETE
        )
    progress(_("Paying with the test card…"))
    refusal = await training_card.confirm_test_card(base, answer, args.test_card)
    order = await sdk.payment.reconcile(order.id)
    if order.status != OrderStatus.PAID:
        why = refusal or _("the order is %(status)s") % {"status": order.status}
        raise CommandError(
            _("The card payment of order %(code)s was not completed: %(reason)s")
            % {"code": order.code, "reason": why},
            ExitCode.PAYMENT_INCOMPLETE,
        )
    return order


async def pay_on_reader(
    sdk: SDK, args: argparse.Namespace, order: Order
) -> tuple[Order, PaymentIntentResponse]:
    """`--pay reader`: take the card on the counter's reader (or `--reader`) and wait for the
    customer; a refusal, a decline or Ctrl+C cancels the order (nothing was charged)."""
    progress(_("Starting the payment on the card reader…"))
    try:
        answer = await sdk.payment.create_payment_intent(
            order.id, type="card_present", reader_id=args.reader
        )
    except APIStatusError as exc:
        await cancel_quietly(sdk, order)
        if exc.code == "reader_required":
            raise CommandError(
                _("%(message)s Pick one with: %(command)s, or sell with --reader READER_ID.")
                % {"message": exc.message, "command": READER_HINT},
                ExitCode.REFUSED,
            ) from exc
        raise
    started = answer.order or order
    if started.status == OrderStatus.PAID:  # a free order: nothing to take on the reader
        return started, answer
    amount = answer.payment.amount if answer.payment else started.amount_due
    waiting = _("Waiting for the customer to tap or insert the card… %(amount)s") % {
        "amount": i18n.money(amount, started.currency)
    }
    sys.stderr.write(waiting + "\n")
    sys.stderr.flush()
    status = await wait_on_reader(sdk, args, answer, started)
    if status.state == "succeeded":
        return status.order, answer
    await cancel_quietly(sdk, status.order)
    why = status.message or _("the payment on the card reader ended: %(state)s") % {
        "state": status.state
    }
    raise CommandError(why, ExitCode.PAYMENT_INCOMPLETE)


async def wait_on_reader(
    sdk: SDK, args: argparse.Namespace, answer: PaymentIntentResponse, order: Order
) -> ReaderPaymentStatus:
    """Tap `--test-card` (training), then ask how the payment stands until it is over; on
    Ctrl+C stop the reader (the answer is `succeeded` if the card went through first)."""
    told_offline = False
    try:
        if args.test_card is not None:
            await _tap(sdk, args, answer, order)
        while True:
            status = await sdk.reader.check_payment(order.id)
            if status.final:
                return status
            if status.state == "reader_offline" and not told_offline and status.message:
                fail(status.message)
                told_offline = True
            await asyncio.sleep(READER_POLL_SECONDS)
    except asyncio.CancelledError:  # Ctrl+C: asyncio.run cancels the command
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()  # the command goes on: stop the reader, cancel the order
        fail(_("Canceling the payment on the card reader…"))
        return await sdk.reader.cancel_payment(order.id)


async def _tap(
    sdk: SDK, args: argparse.Namespace, answer: PaymentIntentResponse, order: Order
) -> None:
    """The customer taps `--test-card` on the simulated reader (training mode only)."""
    reader_id = args.reader or (answer.payment.reader_id if answer.payment else None)
    if reader_id is None and answer.reader is not None:
        reader_id = answer.reader.id
    try:
        if reader_id is None:
            raise CommandError(_("The payment answer names no card reader."), ExitCode.REFUSED)
        await sdk.reader.present_card(reader_id, args.test_card)
    except (BoxOfficeError, CommandError):
        with contextlib.suppress(BoxOfficeError):
            await sdk.reader.cancel_payment(order.id)
        await cancel_quietly(sdk, order)
        raise


def pending_text(order: Order, answer: PaymentIntentResponse) -> str:
    return "\n".join(
        [
            _("Order %(code)s (id %(id)s) awaits a card payment of %(total)s.")
            % {
                "code": order.code,
                "id": order.id,
                "total": i18n.money(order.total, order.currency),
            },
            f"publishable_key: {answer.publishable_key}",
            f"client_secret: {answer.client_secret}",
            f"stripe_js_url: {answer.stripe_js_url}",
        ]
    )


def pending_data(order: Order, answer: PaymentIntentResponse) -> dict[str, Any]:
    return {
        "order": order.model_dump(mode="json"),
        "publishable_key": answer.publishable_key,
        "client_secret": answer.client_secret,
        "stripe_js_url": answer.stripe_js_url,
    }


def sale_text(order: Order, answer: PaymentIntentResponse, files: Sequence[Path]) -> str:
    tickets = sum(item.quantity for item in order.order_item)
    method = paid_by(answer)
    how = i18n.payment_method(method)
    total = i18n.money(order.total, order.currency)
    sold = ngettext(  # English says "ticket(s)" as it always did
        "Order %(code)s (id %(id)s): paid, %(count)d ticket(s), total %(total)s (%(how)s).",
        "Order %(code)s (id %(id)s): paid, %(count)d ticket(s), total %(total)s (%(how)s).",
        tickets,
    ) % {"code": order.code, "id": order.id, "count": tickets, "total": total, "how": how}
    lines = [sold]
    if answer.payment is not None and answer.payment.change is not None:
        lines.append(
            _("Change: %(amount)s.") % {"amount": i18n.money(answer.payment.change, order.currency)}
        )
    if order.format == "SECURE":
        if order.order_contact:
            lines.append(
                _("SECURE tickets go to the wallet of %(email)s; nothing to download.")
                % {"email": order.order_contact.email}
            )
        else:
            lines.append(
                _("SECURE tickets go to the wallet of the buyer's account; nothing to download.")
            )
    lines.extend(_("Tickets: %(file)s") % {"file": path} for path in files)
    return "\n".join(lines)


def sale_data(order: Order, answer: PaymentIntentResponse, files: Sequence[Path]) -> dict[str, Any]:
    change = answer.payment.change if answer.payment else None
    return {
        "order": order.model_dump(mode="json"),
        "paid_by": paid_by(answer),
        "change": None if change is None else str(change),
        "files": [str(path) for path in files],
    }


def paid_by(answer: PaymentIntentResponse) -> str:
    """`free`, `cash`, `card` or `card_present` (on a card reader)."""
    return answer.payment.type if answer.payment else "card"


def ticket_file_name(order: Order, file_format: str) -> str:
    """`tickets-CODE.pdf`, `tickets-CODE.pkpass` (one ticket) or `.pkpasses` (several)."""
    if file_format == "pdf":
        return f"tickets-{order.code}.pdf"
    count = sum(item.quantity for item in order.order_item)
    return f"tickets-{order.code}.{'pkpass' if count == 1 else 'pkpasses'}"


async def save_tickets(
    sdk: SDK, order: Order, *, out: Path, file_format: str | None, size: str | None
) -> Path:
    """Download the order's tickets into `out`; PKPASS orders default to passes, others PDF."""
    chosen = file_format or ("pkpass" if order.format == "PKPASS" else "pdf")
    progress(_("Downloading tickets…"))
    data = await sdk.order.download_tickets(order.id, format=chosen, size=size)
    out.mkdir(parents=True, exist_ok=True)
    path = out / ticket_file_name(order, chosen)
    path.write_bytes(data)
    return path.resolve()
