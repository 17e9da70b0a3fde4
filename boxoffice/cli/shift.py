"""`boxoffice shift open|cash|report|close` and `boxoffice pay`: the counter's cash drawer
and paying an order in parts (split payments).

Staff sign in as for `sell`; the counter is the global `--counter NAME` (or
`$BOXOFFICE_COUNTER`), which `shift open` also takes. `shift cash|report|close` act on the
counter's open shift. Every command prints a short text, or JSON with `--json`.
"""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from boxoffice.cli import client, training_card
from boxoffice.cli.output import CommandError, ExitCode, emit, progress
from boxoffice.sdk import SDK, APIStatusError
from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.models.shifts import CashMovement, Shift, ShiftReport
from boxoffice.sdk.money import format_money

OPEN_HINT = "boxoffice shift open --counter NAME --float AMOUNT"


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}") from exc
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}")
    return value


def _pieces(text: str) -> dict[str, int]:
    """`50=2,20=3,0.50=4` → {"50": 2, "20": 3, "0.50": 4}."""
    pieces: dict[str, int] = {}
    for part in text.split(","):
        face, sep, count = part.strip().partition("=")
        if not sep or not face.strip() or not count.strip().isdigit():
            raise argparse.ArgumentTypeError(
                f"give notes and coins as FACE=COUNT,…, e.g. 50=2,20=3 (not {part.strip()!r})"
            )
        pieces[face.strip()] = pieces.get(face.strip(), 0) + int(count)
    return pieces


def add_commands(commands: Any) -> None:
    """Register `shift` (open, cash, report, close) and `pay`."""
    common = client.common_options()
    shift = commands.add_parser(
        "shift", help="the counter's shift and cash drawer: open, cash, report, close"
    )
    actions = shift.add_subparsers(dest="shift_command", metavar="ACTION", required=True)

    opening = actions.add_parser(
        "open", parents=[common], help="open the counter's shift with a float"
    )
    opening.add_argument("--float", dest="float_amount", type=_amount, required=True)
    opening.add_argument("--currency", help="the drawer's currency (default: the venue's)")
    opening.set_defaults(handler=lambda args: client.run_with_sdk(args, _open))

    cash = actions.add_parser(
        "cash", parents=[common], help="a pay-in (+AMOUNT) or pay-out (-AMOUNT), with a reason"
    )
    cash.add_argument("--amount", type=_amount, required=True, help="+ in, - out")
    cash.add_argument("--reason", required=True)
    cash.set_defaults(handler=lambda args: client.run_with_sdk(args, _cash))

    report = actions.add_parser(
        "report", parents=[common], help="the X report of the open shift (or --shift ID)"
    )
    report.add_argument("--shift", type=int, metavar="ID", help="any shift, e.g. a closed one")
    _pdf_options(report)
    report.set_defaults(handler=lambda args: client.run_with_sdk(args, _report))

    close = actions.add_parser(
        "close", parents=[common], help="count the drawer and close the shift (Z report)"
    )
    close.add_argument("--counted", type=_amount, help="the counted cash in total")
    close.add_argument(
        "--denominations", type=_pieces, metavar="FACE=COUNT,…", help="e.g. 50=2,20=3,0.50=4"
    )
    _pdf_options(close)
    close.set_defaults(handler=lambda args: client.run_with_sdk(args, _close))

    pay = commands.add_parser(
        "pay", parents=[common], help="pay an order, or a part of it, by cash or card"
    )
    pay.add_argument("code", metavar="ORDER_CODE")
    how = pay.add_mutually_exclusive_group(required=True)
    how.add_argument("--cash", type=_amount, metavar="AMOUNT", help="this much in cash")
    how.add_argument("--card", action="store_true", help="the rest (or --amount) by card")
    pay.add_argument("--tendered", type=_amount, help="cash handed over (default: --cash)")
    pay.add_argument("--amount", type=_amount, help="--card: this much (default: all due)")
    pay.add_argument(
        "--test-card", metavar="NUMBER", help="training mode only: pay with this test card"
    )
    pay.set_defaults(handler=lambda args: client.run_with_sdk(args, _pay))


def _pdf_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pdf", type=Path, metavar="FILE", help="also save the printable PDF")
    parser.add_argument("--size", choices=["roll", "a4"], default="roll", help="(default roll)")


# --- commands --------------------------------------------------------------------------------


async def _open(sdk: SDK, args: argparse.Namespace) -> int:
    if not args.counter:
        raise CommandError(f"Name the counter: {OPEN_HINT}.", ExitCode.USAGE)
    shift = await sdk.shift.open(args.float_amount, args.counter, currency=args.currency)
    emit(
        args,
        f"Shift {shift.id} open at counter {shift.counter} with a float of "
        f"{format_money(shift.float, shift.currency)}.",
        shift.model_dump(mode="json"),
    )
    return ExitCode.OK


async def _current(sdk: SDK, args: argparse.Namespace) -> ShiftReport:
    if not args.counter:
        raise CommandError(
            "Name the counter with --counter NAME (or $BOXOFFICE_COUNTER).", ExitCode.USAGE
        )
    try:
        return await sdk.shift.current()
    except APIStatusError as exc:
        if exc.code == "no_open_shift":
            raise CommandError(
                f"No shift is open at counter {args.counter}; open one: {OPEN_HINT}.",
                ExitCode.REFUSED,
            ) from exc
        raise


async def _cash(sdk: SDK, args: argparse.Namespace) -> int:
    shift = (await _current(sdk, args)).shift
    movement = await sdk.shift.cash(shift.id, args.amount, args.reason)
    emit(args, _movement_text(movement), movement.model_dump(mode="json"))
    return ExitCode.OK


async def _report(sdk: SDK, args: argparse.Namespace) -> int:
    if args.shift is not None:
        report = await sdk.shift.report(args.shift)
    else:
        report = await _current(sdk, args)
    files = await _save_pdf(sdk, args, report.shift)
    emit(args, report_text(report, files), _report_data(report, files))
    return ExitCode.OK


async def _close(sdk: SDK, args: argparse.Namespace) -> int:
    if args.counted is None and args.denominations is None:
        raise CommandError(
            "Give the counted cash: --counted AMOUNT or --denominations 50=2,20=3,….",
            ExitCode.USAGE,
        )
    shift = (await _current(sdk, args)).shift
    report = await sdk.shift.close(shift.id, args.counted, args.denominations)
    files = await _save_pdf(sdk, args, report.shift)
    emit(args, report_text(report, files), _report_data(report, files))
    return ExitCode.OK


async def _save_pdf(sdk: SDK, args: argparse.Namespace, shift: Shift) -> list[str]:
    if args.pdf is None:
        return []
    progress("Downloading the report…")
    data = await sdk.shift.report_pdf(shift.id, args.size)
    path: Path = args.pdf
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return [str(path.resolve())]


async def find_order(sdk: SDK, code: str) -> Order:
    """The order with this code (staff see everyone's)."""
    page = await sdk.order.list_orders(code=code.strip(), include_not_owned=True, limit=2)
    matches = [order for order in page.data if order.code.upper() == code.strip().upper()]
    if not matches:
        raise CommandError(f"No order with code {code}.", ExitCode.REFUSED)
    return matches[0]


async def _pay(sdk: SDK, args: argparse.Namespace) -> int:
    order = await find_order(sdk, args.code)
    if args.cash is not None:
        try:
            answer = await sdk.payment.create_payment_intent(
                order.id,
                type="cash",
                amount=args.cash,
                tendered=args.tendered if args.tendered is not None else args.cash,
            )
        except APIStatusError as exc:
            if exc.code == "no_open_shift":
                raise CommandError(
                    f"{exc.message} Open one: {OPEN_HINT}.", ExitCode.REFUSED
                ) from exc
            raise
        paid = answer.order or order
    else:
        answer = await sdk.payment.create_payment_intent(order.id, type="card", amount=args.amount)
        paid = answer.order or order
        base = training_card.emulator_base(answer)
        if answer.payment_intent is not None:
            if args.test_card is None or base is None:
                hint = (
                    "" if args.test_card is None else " (--test-card works only in training mode)"
                )
                emit(
                    args,
                    f"Order {order.code} awaits a card payment; client_secret: "
                    f"{answer.client_secret}{hint}",
                    {"order": paid.model_dump(mode="json"), "client_secret": answer.client_secret},
                )
                return ExitCode.PAYMENT_INCOMPLETE
            refusal = await training_card.confirm_test_card(base, answer, args.test_card)
            paid = await sdk.payment.reconcile(order.id)
            if refusal is not None:
                raise CommandError(
                    f"The card payment of order {order.code} was refused: {refusal}",
                    ExitCode.PAYMENT_INCOMPLETE,
                )
    emit(
        args,
        _paid_text(paid, answer.payment.change if answer.payment else None),
        {
            "order": paid.model_dump(mode="json"),
            "payment": answer.payment.model_dump(mode="json") if answer.payment else None,
        },
    )
    return ExitCode.OK


# --- text ------------------------------------------------------------------------------------


def _paid_text(order: Order, change: Decimal | None) -> str:
    money = order.currency
    lines = []
    if change is not None:
        lines.append(f"Change: {format_money(change, money)}.")
    if order.status == OrderStatus.PAID:
        lines.insert(0, f"Order {order.code}: paid ({format_money(order.total, money)}).")
    else:
        lines.insert(
            0,
            f"Order {order.code}: {format_money(order.amount_due, money)} of "
            f"{format_money(order.total, money)} left to pay.",
        )
    return "\n".join(lines)


def _movement_text(movement: CashMovement) -> str:
    what = "Pay-in" if movement.kind == "pay_in" else "Pay-out"
    text = f"{what} of {format_money(abs(movement.amount), movement.currency)} ({movement.reason})."
    if movement.expected_cash is not None:
        text += (
            f" The drawer should hold {format_money(movement.expected_cash, movement.currency)}."
        )
    return text


def report_text(report: ShiftReport, files: list[str]) -> str:
    """The report as lines for a terminal."""
    cur = report.shift.currency

    def money(value: Decimal) -> str:
        return format_money(value, cur)

    title = "X report" if report.kind == "X" else "Z report (closed)"
    lines = [
        f"{title}: shift {report.shift.id} at counter {report.shift.counter}",
        f"  Float          {money(report.float):>16}",
        f"  Cash sales     {money(report.cash_sales):>16}",
        f"  Cash refunds   {money(-report.cash_refunds):>16}",
        f"  Pay-ins        {money(report.pay_ins):>16}",
        f"  Pay-outs       {money(-report.pay_outs):>16}",
        f"  Expected cash  {money(report.expected_cash):>16}",
    ]
    if report.counted_cash is not None and report.difference is not None:
        lines += [
            f"  Counted cash   {money(report.counted_cash):>16}",
            f"  Difference     {money(report.difference):>16}",
        ]
    for row in report.by_method:
        lines.append(
            f"  {row.method:<5} sales {row.sales_count:>3} {money(row.sales_total):>14}"
            f"   refunds {row.refunds_count:>3} {money(row.refunds_total):>14}"
        )
    for person in report.by_cashier:
        lines.append(
            f"  {person.name}: {person.sales_count} sale(s) {money(person.sales_total)}, "
            f"{person.refunds_count} refund(s) {money(person.refunds_total)}"
        )
    lines.append(f"  Ledger head {report.ledger_head}")
    lines.extend(f"Report: {path}" for path in files)
    return "\n".join(lines)


def _report_data(report: ShiftReport, files: list[str]) -> dict[str, Any]:
    return {**report.model_dump(mode="json"), "files": files}
