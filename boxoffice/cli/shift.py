"""`boxoffice shift open|cash|report|close` and `boxoffice pay`: the counter's cash drawer
and paying an order in parts (split payments).

Staff sign in as for `sell`; the counter is the global `--counter NAME` (or
`$BOXOFFICE_COUNTER`), which `shift open` also takes. `shift cash|report|close` act on the
counter's open shift. Every command prints a short text, or JSON with `--json`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from boxoffice import i18n
from boxoffice.cli import client, training_card
from boxoffice.cli.output import CommandError, ExitCode, emit, progress
from boxoffice.i18n import _, ngettext
from boxoffice.sdk import SDK, APIStatusError
from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.models.shifts import CashierTotals, CashMovement, Shift, ShiftReport

OPEN_HINT = "boxoffice shift open --counter NAME --float AMOUNT"


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise argparse.ArgumentTypeError(
            _("not an amount: %(text)s") % {"text": repr(text)}
        ) from exc
    if not value.is_finite():
        raise argparse.ArgumentTypeError(_("not an amount: %(text)s") % {"text": repr(text)})
    return value


def _pieces(text: str) -> dict[str, int]:
    """`50=2,20=3,0.50=4` → {"50": 2, "20": 3, "0.50": 4}."""
    pieces: dict[str, int] = {}
    for part in text.split(","):
        face, sep, count = part.strip().partition("=")
        if not sep or not face.strip() or not count.strip().isdigit():
            raise argparse.ArgumentTypeError(
                _("give notes and coins as FACE=COUNT,…, e.g. 50=2,20=3 (not %(text)s)")
                % {"text": repr(part.strip())}
            )
        pieces[face.strip()] = pieces.get(face.strip(), 0) + int(count)
    return pieces


def add_commands(commands: Any) -> None:
    """Register `shift` (open, cash, report, close) and `pay`."""
    common = client.common_options()
    shift = commands.add_parser(
        "shift", help=_("the counter's shift and cash drawer: open, cash, report, close")
    )
    actions = shift.add_subparsers(dest="shift_command", metavar="ACTION", required=True)

    opening = actions.add_parser(
        "open", parents=[common], help=_("open the counter's shift with a float")
    )
    opening.add_argument("--float", dest="float_amount", type=_amount, required=True)
    opening.add_argument("--currency", help=_("the drawer's currency (default: the venue's)"))
    opening.set_defaults(handler=lambda args: client.run_with_sdk(args, _open))

    cash = actions.add_parser(
        "cash",
        parents=[common],
        help=_("a pay-in (+AMOUNT) or pay-out (-AMOUNT), with a reason"),
    )
    cash.add_argument("--amount", type=_amount, required=True, help=_("+ in, - out"))
    cash.add_argument("--reason", required=True)
    cash.set_defaults(handler=lambda args: client.run_with_sdk(args, _cash))

    report = actions.add_parser(
        "report", parents=[common], help=_("the X report of the open shift (or --shift ID)")
    )
    report.add_argument("--shift", type=int, metavar="ID", help=_("any shift, e.g. a closed one"))
    _pdf_options(report)
    report.set_defaults(handler=lambda args: client.run_with_sdk(args, _report))

    close = actions.add_parser(
        "close", parents=[common], help=_("count the drawer and close the shift (Z report)")
    )
    close.add_argument("--counted", type=_amount, help=_("the counted cash in total"))
    close.add_argument(
        "--denominations", type=_pieces, metavar="FACE=COUNT,…", help=_("e.g. 50=2,20=3,0.50=4")
    )
    _pdf_options(close)
    close.set_defaults(handler=lambda args: client.run_with_sdk(args, _close))

    pay = commands.add_parser(
        "pay", parents=[common], help=_("pay an order, or a part of it, by cash or card")
    )
    pay.add_argument("code", metavar="ORDER_CODE")
    how = pay.add_mutually_exclusive_group(required=True)
    how.add_argument("--cash", type=_amount, metavar="AMOUNT", help=_("this much in cash"))
    how.add_argument("--card", action="store_true", help=_("the rest (or --amount) by card"))
    pay.add_argument("--tendered", type=_amount, help=_("cash handed over (default: --cash)"))
    pay.add_argument("--amount", type=_amount, help=_("--card: this much (default: all due)"))
    pay.add_argument(
        "--test-card", metavar="NUMBER", help=_("training mode only: pay with this test card")
    )
    pay.set_defaults(handler=lambda args: client.run_with_sdk(args, _pay))


def _pdf_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pdf", type=Path, metavar="FILE", help=_("also save the printable PDF"))
    parser.add_argument("--size", choices=["roll", "a4"], default="roll", help=_("(default roll)"))


# --- commands --------------------------------------------------------------------------------


async def _open(sdk: SDK, args: argparse.Namespace) -> int:
    if not args.counter:
        raise CommandError(
            _("Name the counter: %(command)s.") % {"command": OPEN_HINT}, ExitCode.USAGE
        )
    shift = await sdk.shift.open(args.float_amount, args.counter, currency=args.currency)
    emit(
        args,
        _("Shift %(id)s open at counter %(counter)s with a float of %(amount)s.")
        % {
            "id": shift.id,
            "counter": shift.counter,
            "amount": i18n.money(shift.float, shift.currency),
        },
        shift.model_dump(mode="json"),
    )
    return ExitCode.OK


async def _current(sdk: SDK, args: argparse.Namespace) -> ShiftReport:
    if not args.counter:
        raise CommandError(
            _("Name the counter with --counter NAME (or $BOXOFFICE_COUNTER)."), ExitCode.USAGE
        )
    try:
        return await sdk.shift.current()
    except APIStatusError as exc:
        if exc.code == "no_open_shift":
            raise CommandError(
                _("No shift is open at counter %(counter)s; open one: %(command)s.")
                % {"counter": args.counter, "command": OPEN_HINT},
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
            _("Give the counted cash: --counted AMOUNT or --denominations 50=2,20=3,…."),
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
    progress(_("Downloading the report…"))
    data = await sdk.shift.report_pdf(shift.id, args.size, language=i18n.current())
    path: Path = args.pdf
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return [str(path.resolve())]


async def find_order(sdk: SDK, code: str) -> Order:
    """The order with this code (staff see everyone's)."""
    page = await sdk.order.list_orders(code=code.strip(), include_not_owned=True, limit=2)
    matches = [order for order in page.data if order.code.upper() == code.strip().upper()]
    if not matches:
        raise CommandError(_("No order with code %(code)s.") % {"code": code}, ExitCode.REFUSED)
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
                    _("%(message)s Open one: %(command)s.")
                    % {"message": exc.message, "command": OPEN_HINT},
                    ExitCode.REFUSED,
                ) from exc
            raise
        paid = answer.order or order
    else:
        answer = await sdk.payment.create_payment_intent(order.id, type="card", amount=args.amount)
        paid = answer.order or order
        base = training_card.emulator_base(answer)
        if answer.payment_intent is not None:
            if args.test_card is None or base is None:
                if args.test_card is None:
                    waiting = _("Order %(code)s awaits a card payment; client_secret: %(secret)s")
                else:
                    waiting = _(
                        "Order %(code)s awaits a card payment; client_secret: %(secret)s "
                        "(--test-card works only in training mode)"
                    )
                emit(
                    args,
                    waiting % {"code": order.code, "secret": answer.client_secret},
                    {"order": paid.model_dump(mode="json"), "client_secret": answer.client_secret},
                )
                return ExitCode.PAYMENT_INCOMPLETE
            refusal = await training_card.confirm_test_card(base, answer, args.test_card)
            paid = await sdk.payment.reconcile(order.id)
            if refusal is not None:
                raise CommandError(
                    _("The card payment of order %(code)s was refused: %(reason)s")
                    % {"code": order.code, "reason": refusal},
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
    if order.status == OrderStatus.PAID:
        lines = [
            _("Order %(code)s: paid (%(total)s).")
            % {"code": order.code, "total": i18n.money(order.total, money)}
        ]
    else:
        lines = [
            _("Order %(code)s: %(due)s of %(total)s left to pay.")
            % {
                "code": order.code,
                "due": i18n.money(order.amount_due, money),
                "total": i18n.money(order.total, money),
            }
        ]
    if change is not None:
        lines.append(_("Change: %(amount)s.") % {"amount": i18n.money(change, money)})
    return "\n".join(lines)


def _movement_text(movement: CashMovement) -> str:
    values = {
        "amount": i18n.money(abs(movement.amount), movement.currency),
        "reason": movement.reason,
    }
    if movement.kind == "pay_in":
        text = _("Pay-in of %(amount)s (%(reason)s).") % values
    else:
        text = _("Pay-out of %(amount)s (%(reason)s).") % values
    if movement.expected_cash is not None:
        text += " " + _("The drawer should hold %(amount)s.") % {
            "amount": i18n.money(movement.expected_cash, movement.currency)
        }
    return text


def report_text(report: ShiftReport, files: list[str]) -> str:
    """The report as lines for a terminal."""
    cur = report.shift.currency

    def money(value: Decimal) -> str:
        return i18n.money(value, cur)

    where = {"id": report.shift.id, "counter": report.shift.counter}
    if report.kind == "X":
        title = _("X report: shift %(id)s at counter %(counter)s") % where
    else:
        title = _("Z report (closed): shift %(id)s at counter %(counter)s") % where
    rows = [
        (_("Float"), report.float),
        (_("Cash sales"), report.cash_sales),
        (_("Cash refunds"), -report.cash_refunds),
        (_("Pay-ins"), report.pay_ins),
        (_("Pay-outs"), -report.pay_outs),
        (_("Expected cash"), report.expected_cash),
    ]
    if report.counted_cash is not None and report.difference is not None:
        rows += [(_("Counted cash"), report.counted_cash), (_("Difference"), report.difference)]
    width = max(15, *(len(label) + 2 for label, _value in rows))
    lines = [title, *(f"  {label:<{width}}{money(value):>16}" for label, value in rows)]
    methods: dict[str, str] = {}  # English keeps the codes: cash, card, card_present
    if i18n.current() != i18n.DEFAULT:
        methods = {code: i18n.payment_method(code) for code in i18n.PAYMENT_METHODS}
    shown = [methods.get(row.method, row.method) for row in report.by_method]
    method_width = max([5] + [len(word) for word in shown]) if methods else 5
    for row in report.by_method:
        method = methods.get(row.method, row.method)
        lines.append(
            "  "
            + _(
                "%(method)s sales %(sales)s %(sales_total)s   refunds %(refunds)s %(refunds_total)s"
            )
            % {
                "method": f"{method:<{method_width}}",
                "sales": f"{row.sales_count:>3}",
                "sales_total": f"{money(row.sales_total):>14}",
                "refunds": f"{row.refunds_count:>3}",
                "refunds_total": f"{money(row.refunds_total):>14}",
            }
        )
    for person in report.by_cashier:
        lines.append("  " + _cashier_line(person.name, person, money))
    lines.append("  " + _("Ledger head %(hash)s") % {"hash": report.ledger_head})
    lines.extend(_("Report: %(file)s") % {"file": path} for path in files)
    return "\n".join(lines)


def _cashier_line(name: str, person: CashierTotals, money: Callable[[Decimal], str]) -> str:
    """`Anna: 3 sale(s) 75.00 EUR, 0 refund(s) 0.00 EUR` (English as it always was)."""
    sales, refunds = person.sales_count, person.refunds_count
    sold, gave = money(person.sales_total), money(person.refunds_total)
    if i18n.current() == i18n.DEFAULT:
        return f"{name}: {sales} sale(s) {sold}, {refunds} refund(s) {gave}"
    sales_text = ngettext("%(count)d sale %(amount)s", "%(count)d sales %(amount)s", sales) % {
        "count": sales,
        "amount": sold,
    }
    refunds_text = ngettext(
        "%(count)d refund %(amount)s", "%(count)d refunds %(amount)s", refunds
    ) % {"count": refunds, "amount": gave}
    return _("%(name)s: %(sales)s, %(refunds)s") % {
        "name": name,
        "sales": sales_text,
        "refunds": refunds_text,
    }


def _report_data(report: ShiftReport, files: list[str]) -> dict[str, Any]:
    return {**report.model_dump(mode="json"), "files": files}
