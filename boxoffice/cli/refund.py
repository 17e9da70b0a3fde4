"""`boxoffice refund ORDER_CODE`: give the money back for a paid order, whole or by ticket;
`boxoffice refund --event EVENT_ID`: refund every paid order of a canceled event.

Staff sign in as for `sell`. Cash goes back from the drawer of `--counter` (or
`$BOXOFFICE_COUNTER`), which needs an open shift; card money goes back to the card.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

from boxoffice import i18n
from boxoffice.cli import client
from boxoffice.cli.output import CommandError, ExitCode, emit, progress
from boxoffice.i18n import N_, _, ngettext
from boxoffice.sdk import SDK, APIStatusError
from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.models.refunds import EventRefundProgress, Refund, RefundResult

MAX_ROUNDS = 10_000  # event refund calls at most (a batch each); a guard, never reached


def add_commands(commands: Any) -> None:
    """Register `boxoffice refund`."""
    parser = commands.add_parser(
        "refund",
        parents=[client.common_options()],
        help=_("refund a paid order (whole or by ticket), or every paid order of an event"),
        description=_(
            "Refund a paid order by its code, whole or the tickets named, or with "
            "--event every paid order of an event. Tickets are revoked, seats and stock go back "
            "on sale, and the money goes back the way it came: card to the card, cash from the "
            "drawer of --counter (it needs an open shift)."
        ),
    )
    parser.add_argument("order_code", nargs="?", metavar="ORDER_CODE")
    parser.add_argument("--tickets", metavar="CODE,CODE", help=_("only these ticket codes"))
    parser.add_argument("--reason", required=True, help=_("why the money goes back"))
    parser.add_argument(
        "--prefer",
        choices=["card", "cash"],
        help=_("split payments: which way the money goes back first (default card, cash last)"),
    )
    parser.add_argument("--event", type=int, metavar="EVENT_ID", help=_("refund the whole event"))
    parser.add_argument(
        "--batch", type=int, default=20, metavar="N", help=_("event refund: orders per call")
    )
    parser.set_defaults(handler=run_refund)


def run_refund(args: argparse.Namespace) -> int:
    return client.guarded(args, lambda: _checked(args))


def _checked(args: argparse.Namespace) -> int:
    if (args.order_code is None) == (args.event is None):
        raise CommandError(_("Name one ORDER_CODE, or --event EVENT_ID."), ExitCode.USAGE)
    if args.event is not None and (args.tickets or args.prefer):
        raise CommandError(_("--tickets and --prefer go with an ORDER_CODE."), ExitCode.USAGE)
    if not 1 <= args.batch <= 100:
        raise CommandError(_("--batch is 1 to 100."), ExitCode.USAGE)
    return client.run_with_sdk(args, _refund_event if args.event is not None else _refund_order)


def _shift_hint(exc: APIStatusError, counter: str | None) -> CommandError:
    name = counter or "NAME"
    return CommandError(
        _("%(message)s. Open it with: boxoffice shift open --counter %(counter)s --float AMOUNT")
        % {"message": exc.message.rstrip("."), "counter": name},
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
        raise CommandError(_("No order %(code)s.") % {"code": code}, ExitCode.REFUSED)
    if len(page.data) > 1:
        ids = ", ".join(str(o.id) for o in page.data)
        raise CommandError(
            _("Order code %(code)s names several orders (%(ids)s) of different events.")
            % {"code": code, "ids": ids},
            ExitCode.REFUSED,
        )
    return page.data[0]


def _ticket_ids(order: Order, codes: str) -> list[int]:
    by_code = {
        ticket.code.upper(): ticket.id for item in order.order_item for ticket in item.ticket or []
    }
    wanted = [c.strip().upper() for c in codes.split(",") if c.strip()]
    if not wanted:
        raise CommandError(_("--tickets names no ticket code."), ExitCode.USAGE)
    unknown = [c for c in wanted if c not in by_code]
    if unknown:
        raise CommandError(
            ngettext(
                "Ticket %(codes)s is not a ticket of order %(code)s.",
                "Tickets %(codes)s are not tickets of order %(code)s.",
                len(unknown),
            )
            % {"codes": ", ".join(unknown), "code": order.code},
            ExitCode.REFUSED,
        )
    return [by_code[c] for c in wanted]


def result_text(order: Order, result: RefundResult) -> str:
    status = result.order.status.value
    if status in STATUS_SENTENCES:
        lines = [_(STATUS_SENTENCES[status]) % {"code": order.code}]
    else:
        lines = [
            _("Order %(code)s: %(status)s.")
            % {"code": order.code, "status": status.replace("_", " ")}
        ]
    for refund in result.refunds:
        lines.append("  " + _refund_line(refund))
    total = sum((r.amount for r in result.refunds), start=Decimal(0))
    lines.append(
        _("Refunded now: %(amount)s.") % {"amount": i18n.money(total, result.order.currency)}
    )
    return "\n".join(lines)


# How the order stands after a refund, as `result_text` says it.
STATUS_SENTENCES = {
    "refunded": N_("Order %(code)s: refunded."),
    "partially_refunded": N_("Order %(code)s: partially refunded."),
    "paid": N_("Order %(code)s: paid."),
    "canceled": N_("Order %(code)s: canceled."),
}


def _refund_line(refund: Refund) -> str:
    """`29.00 EUR back in cash for 1 ticket (refund 7)`: one refund, as one sentence."""
    values = {
        "amount": i18n.money(refund.amount, refund.currency),
        "count": len(refund.ticket_ids),
        "id": refund.id,
        "method": refund.method,
    }
    tickets = len(refund.ticket_ids)
    if refund.method == "cash":
        if tickets:
            return (
                ngettext(
                    "%(amount)s back in cash for %(count)d ticket (refund %(id)s)",
                    "%(amount)s back in cash for %(count)d tickets (refund %(id)s)",
                    tickets,
                )
                % values
            )
        return _("%(amount)s back in cash (refund %(id)s)") % values
    if refund.method == "card":
        if tickets:
            return (
                ngettext(
                    "%(amount)s back to the card for %(count)d ticket (refund %(id)s)",
                    "%(amount)s back to the card for %(count)d tickets (refund %(id)s)",
                    tickets,
                )
                % values
            )
        return _("%(amount)s back to the card (refund %(id)s)") % values
    if refund.method == "free":
        if tickets:
            return (
                ngettext(
                    "%(amount)s back (free tickets) for %(count)d ticket (refund %(id)s)",
                    "%(amount)s back (free tickets) for %(count)d tickets (refund %(id)s)",
                    tickets,
                )
                % values
            )
        return _("%(amount)s back (free tickets) (refund %(id)s)") % values
    if tickets:
        return (
            ngettext(
                "%(amount)s back by %(method)s for %(count)d ticket (refund %(id)s)",
                "%(amount)s back by %(method)s for %(count)d tickets (refund %(id)s)",
                tickets,
            )
            % values
        )
    return _("%(amount)s back by %(method)s (refund %(id)s)") % values


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
    values = {
        "event": step.event_id,
        "refunded": step.refunded_orders,
        "remaining": step.remaining_orders,
        "failed": len(step.failed),
    }
    if step.failed:
        return (
            _(
                "Event %(event)s: %(refunded)d orders refunded, %(remaining)d to go, "
                "%(failed)d failed this round."
            )
            % values
        )
    return _("Event %(event)s: %(refunded)d orders refunded, %(remaining)d to go.") % values


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
        text += "\n  " + _("order %(id)s: %(message)s") % {
            "id": failure.order_id,
            "message": failure.message,
        }
    if any(f.error_code == "no_open_shift" for f in step.failed):
        name = args.counter or "NAME"
        text += "\n" + _(
            "Open the shift with: boxoffice shift open --counter %(counter)s --float AMOUNT"
        ) % {"counter": name}
    emit(args, text, step.model_dump(mode="json"))
    return ExitCode.OK if step.done else ExitCode.REFUSED
