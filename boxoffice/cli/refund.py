"""`boxoffice refund ORDER_CODE`: give the money back for a paid order, whole or by ticket;
`boxoffice refund --event EVENT_ID`: refund every paid order of a canceled event.

Staff sign in as for `sell`. Cash goes back from the drawer of `--counter` (or
`$BOXOFFICE_COUNTER`), which needs an open shift; card money goes back to the card.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

from boxoffice.cli import client
from boxoffice.cli.output import CommandError, ExitCode, emit, progress
from boxoffice.sdk import SDK, APIStatusError
from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.models.refunds import EventRefundProgress, RefundResult
from boxoffice.sdk.money import format_money

MAX_ROUNDS = 10_000  # event refund calls at most (a batch each); a guard, never reached


def add_commands(commands: Any) -> None:
    """Register `boxoffice refund`."""
    parser = commands.add_parser(
        "refund",
        parents=[client.common_options()],
        help="refund a paid order (whole or by ticket), or every paid order of an event",
        description="Refund a paid order by its code, whole or the tickets named, or with "
        "--event every paid order of an event. Tickets are revoked, seats and stock go back on "
        "sale, and the money goes back the way it came: card to the card, cash from the "
        "drawer of --counter (it needs an open shift).",
    )
    parser.add_argument("order_code", nargs="?", metavar="ORDER_CODE")
    parser.add_argument("--tickets", metavar="CODE,CODE", help="only these ticket codes")
    parser.add_argument("--reason", required=True, help="why the money goes back")
    parser.add_argument(
        "--prefer",
        choices=["card", "cash"],
        help="split payments: which way the money goes back first (default card, cash last)",
    )
    parser.add_argument("--event", type=int, metavar="EVENT_ID", help="refund the whole event")
    parser.add_argument(
        "--batch", type=int, default=20, metavar="N", help="event refund: orders per call"
    )
    parser.set_defaults(handler=run_refund)


def run_refund(args: argparse.Namespace) -> int:
    return client.guarded(args, lambda: _checked(args))


def _checked(args: argparse.Namespace) -> int:
    if (args.order_code is None) == (args.event is None):
        raise CommandError("Name one ORDER_CODE, or --event EVENT_ID.", ExitCode.USAGE)
    if args.event is not None and (args.tickets or args.prefer):
        raise CommandError("--tickets and --prefer go with an ORDER_CODE.", ExitCode.USAGE)
    if not 1 <= args.batch <= 100:
        raise CommandError("--batch is 1 to 100.", ExitCode.USAGE)
    return client.run_with_sdk(args, _refund_event if args.event is not None else _refund_order)


def _shift_hint(exc: APIStatusError, counter: str | None) -> CommandError:
    name = counter or "NAME"
    return CommandError(
        f"{exc.message.rstrip('.')}. Open it with: boxoffice shift open --counter {name} "
        "--float AMOUNT",
        ExitCode.REFUSED,
    )


async def _find_order(sdk: SDK, code: str) -> Order:
    page = await sdk.order.list_orders(
        code=code.strip().upper(),
        include_not_owned=True,
        with_="[order_item.[ticket]]",
        limit=2,
    )
    if not page.data:
        raise CommandError(f"No order {code}.", ExitCode.REFUSED)
    if len(page.data) > 1:
        ids = ", ".join(str(o.id) for o in page.data)
        raise CommandError(
            f"Order code {code} names several orders ({ids}) of different events.",
            ExitCode.REFUSED,
        )
    return page.data[0]


def _ticket_ids(order: Order, codes: str) -> list[int]:
    by_code = {
        ticket.code.upper(): ticket.id for item in order.order_item for ticket in item.ticket or []
    }
    wanted = [c.strip().upper() for c in codes.split(",") if c.strip()]
    if not wanted:
        raise CommandError("--tickets names no ticket code.", ExitCode.USAGE)
    unknown = [c for c in wanted if c not in by_code]
    if unknown:
        raise CommandError(
            f"Ticket {', '.join(unknown)} is not a ticket of order {order.code}.",
            ExitCode.REFUSED,
        )
    return [by_code[c] for c in wanted]


def result_text(order: Order, result: RefundResult) -> str:
    lines = [f"Order {order.code}: {result.order.status.value.replace('_', ' ')}."]
    for refund in result.refunds:
        amount = format_money(refund.amount, refund.currency)
        tickets = len(refund.ticket_ids)
        what = f" for {tickets} ticket{'s' if tickets != 1 else ''}" if tickets else ""
        lines.append(f"  {amount} back {_by(refund.method)}{what} (refund {refund.id})")
    total = sum((r.amount for r in result.refunds), start=Decimal(0))
    lines.append(f"Refunded now: {format_money(total, result.order.currency)}.")
    return "\n".join(lines)


def _by(method: str) -> str:
    return {"cash": "in cash", "card": "to the card", "free": "(free tickets)"}.get(
        method, f"by {method}"
    )


async def _refund_order(sdk: SDK, args: argparse.Namespace) -> int:
    order = await _find_order(sdk, args.order_code)
    ticket_ids = _ticket_ids(order, args.tickets) if args.tickets else None
    try:
        result = await sdk.refund.refund_order(
            order.id, reason=args.reason, ticket_ids=ticket_ids, prefer=args.prefer
        )
    except APIStatusError as exc:
        if exc.code == "no_open_shift":
            raise _shift_hint(exc, args.counter) from exc
        raise
    emit(args, result_text(order, result), result.model_dump(mode="json"))
    return ExitCode.OK


def progress_line(step: EventRefundProgress) -> str:
    return (
        f"Event {step.event_id}: {step.refunded_orders} orders refunded, "
        f"{step.remaining_orders} to go"
        + (f", {len(step.failed)} failed this round" if step.failed else "")
        + "."
    )


async def _refund_event(sdk: SDK, args: argparse.Namespace) -> int:
    """Call until done; stop when a round refunds nothing (what is left failed: say why)."""
    step = await sdk.refund.refund_event(args.event, reason=args.reason, limit=args.batch)
    rounds = 1
    while not step.done and step.refunded_now > 0 and rounds < MAX_ROUNDS:
        progress(progress_line(step))
        step = await sdk.refund.refund_event(args.event, reason=args.reason, limit=args.batch)
        rounds += 1
    text = progress_line(step)
    for failure in step.failed:
        text += f"\n  order {failure.order_id}: {failure.message}"
    if any(f.error_code == "no_open_shift" for f in step.failed):
        name = args.counter or "NAME"
        text += f"\nOpen the shift with: boxoffice shift open --counter {name} --float AMOUNT"
    emit(args, text, step.model_dump(mode="json"))
    return ExitCode.OK if step.done else ExitCode.REFUSED
