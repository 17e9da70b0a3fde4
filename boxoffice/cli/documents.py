"""`boxoffice receipt`, `reprint`, `reissue` and `history`: an order's papers and its story.

Each finds the order by its code (staff sign in as for `sell`) and takes `--json`:

- `boxoffice receipt ORDER_CODE --out FILE [--size roll|a4] [--refund ID]` saves the sale
  receipt (or a refund's REFUND receipt) as a PDF;
- `boxoffice reprint ORDER_CODE --reason TEXT [--tickets CODE,…] --out DIR` prints the
  tickets again, marked "REPRINT n", into DIR;
- `boxoffice reissue ORDER_CODE --tickets CODE,… --reason TEXT [--out DIR]` replaces the
  tickets with new codes (the old ones fail at the door) and saves the new ones with `--out`;
- `boxoffice history ORDER_CODE` shows what happened to the order, oldest first.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from boxoffice import i18n
from boxoffice.cli import client
from boxoffice.cli.output import CommandError, ExitCode, emit
from boxoffice.i18n import _, ngettext
from boxoffice.sdk import SDK
from boxoffice.sdk.models.documents import HistoryEntry
from boxoffice.sdk.models.orders import Order


def add_commands(commands: Any) -> None:
    """Register `boxoffice receipt`, `reprint`, `reissue` and `history`."""
    common = client.common_options()
    receipt = commands.add_parser(
        "receipt",
        parents=[common],
        help=_("save an order's receipt (or a refund's) as a PDF"),
        description=_(
            "Save the receipt of a paid order as a PDF: an 80 mm receipt roll (the "
            "default) or A4. With --refund ID, the REFUND receipt of that refund."
        ),
    )
    receipt.add_argument("order_code", metavar="ORDER_CODE")
    receipt.add_argument("--out", type=Path, required=True, metavar="FILE")
    receipt.add_argument("--size", choices=["roll", "a4"], default="roll")
    receipt.add_argument("--refund", type=int, metavar="ID", help=_("a refund's receipt"))
    receipt.set_defaults(handler=lambda args: client.run_with_sdk(args, _receipt))

    reprint = commands.add_parser(
        "reprint",
        parents=[common],
        help=_("print an order's tickets again, marked REPRINT n (recorded with the reason)"),
    )
    reprint.add_argument("order_code", metavar="ORDER_CODE")
    reprint.add_argument("--reason", required=True, help=_("why the tickets are printed again"))
    reprint.add_argument("--tickets", metavar="CODE,CODE", help=_("only these ticket codes"))
    reprint.add_argument("--out", type=Path, default=Path(), metavar="DIR", help=_("(default: .)"))
    reprint.add_argument("--size", choices=["a4", "ticket"], help=_("PDF page size (default a4)"))
    reprint.set_defaults(handler=lambda args: client.run_with_sdk(args, _reprint))

    reissue = commands.add_parser(
        "reissue",
        parents=[common],
        help=_("replace tickets with new codes; the old ones fail at the door"),
    )
    reissue.add_argument("order_code", metavar="ORDER_CODE")
    reissue.add_argument("--tickets", required=True, metavar="CODE,CODE")
    reissue.add_argument("--reason", required=True, help=_("why (lost, stolen…)"))
    reissue.add_argument("--out", type=Path, metavar="DIR", help=_("save the new tickets' PDF"))
    reissue.set_defaults(handler=lambda args: client.run_with_sdk(args, _reissue))

    history = commands.add_parser(
        "history", parents=[common], help=_("what happened to an order, oldest first")
    )
    history.add_argument("order_code", metavar="ORDER_CODE")
    history.set_defaults(handler=lambda args: client.run_with_sdk(args, _history))


async def find_order(sdk: SDK, code: str) -> Order:
    """The order with this code (any owner: staff), with its tickets."""
    page = await sdk.order.list_orders(
        code=code.strip().upper(), include_not_owned=True, with_="[order_item.[ticket]]", limit=2
    )
    if not page.data:
        raise CommandError(_("No order %(code)s.") % {"code": code}, ExitCode.REFUSED)
    if len(page.data) > 1:
        ids = ", ".join(str(o.id) for o in page.data)
        raise CommandError(
            _("Order code %(code)s names several orders (%(ids)s); use the order id.")
            % {"code": code, "ids": ids},
            ExitCode.REFUSED,
        )
    return page.data[0]


def ticket_ids(order: Order, codes: str) -> list[int]:
    """The ids of the order's tickets named by code in `codes` ("A1B2,C3D4")."""
    by_code = {t.code.upper(): t.id for item in order.order_item for t in item.ticket or []}
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


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


async def _receipt(sdk: SDK, args: argparse.Namespace) -> int:
    order = await find_order(sdk, args.order_code)
    pdf = await sdk.order.receipt(order.id, size=args.size, refund_id=args.refund)
    path = _write(args.out, pdf)
    emit(
        args,
        _("Receipt of order %(code)s saved to %(file)s.") % {"code": order.code, "file": path},
        {"order_id": order.id, "code": order.code, "refund_id": args.refund, "file": str(path)},
    )
    return ExitCode.OK


async def _reprint(sdk: SDK, args: argparse.Namespace) -> int:
    order = await find_order(sdk, args.order_code)
    ids = ticket_ids(order, args.tickets) if args.tickets else None
    pdf = await sdk.order.reprint(order.id, reason=args.reason, ticket_ids=ids, size=args.size)
    history = await sdk.order.history(order.id)
    copies: dict[str, int] = next(
        (e.details.get("copies", {}) for e in reversed(history) if e.action == "order.reprinted"),
        {},
    )
    number = max(copies.values(), default=1)
    path = _write(args.out / f"tickets-{order.code}-reprint-{number}.pdf", pdf)
    marks = ", ".join(f"{code} REPRINT {n}" for code, n in copies.items())
    emit(
        args,
        _("Reprinted (%(marks)s) to %(file)s.") % {"marks": marks, "file": path},
        {"order_id": order.id, "code": order.code, "copies": copies, "file": str(path)},
    )
    return ExitCode.OK


async def _reissue(sdk: SDK, args: argparse.Namespace) -> int:
    order = await find_order(sdk, args.order_code)
    ids = ticket_ids(order, args.tickets)
    updated = await sdk.order.reissue(order.id, reason=args.reason, ticket_ids=ids)
    tickets = [t for item in updated.order_item for t in item.ticket or []]
    old = [t for t in tickets if t.id in ids]
    known = {t.id for item in order.order_item for t in item.ticket or []}
    new = [t for t in tickets if t.id not in known]
    files: list[str] = []
    if args.out is not None:
        for ticket in new:
            pdf = await sdk.order.download_ticket(updated.id, ticket.id, format="pdf")
            files.append(str(_write(args.out / f"ticket-{ticket.code}.pdf", pdf)))
    lines = [
        ngettext(  # English says "ticket(s)" as it always did
            "Order %(code)s: %(count)d new ticket(s).",
            "Order %(code)s: %(count)d new ticket(s).",
            len(new),
        )
        % {"code": updated.code, "count": len(new)}
    ]
    lines += [
        "  " + _("%(old)s revoked → %(new)s") % {"old": o.code, "new": n.code}
        for o, n in zip(old, new, strict=False)
    ]
    lines += ["  " + _("saved %(file)s") % {"file": f} for f in files]
    emit(
        args,
        "\n".join(lines),
        {
            "order": updated.model_dump(mode="json"),
            "revoked": [t.code for t in old],
            "new": [t.code for t in new],
            "files": files,
        },
    )
    return ExitCode.OK


def history_line(entry: HistoryEntry, zone: ZoneInfo) -> str:
    when = i18n.moment(entry.at.astimezone(zone), "%Y-%m-%d %H:%M:%S %Z", seconds=True, zone=True)
    who = entry.who or _("system")
    details = ", ".join(f"{k}={v}" for k, v in entry.details.items())
    return f"{when}  {entry.action:<20}  {who}" + (f"  ({details})" if details else "")


async def _history(sdk: SDK, args: argparse.Namespace) -> int:
    order = await find_order(sdk, args.order_code)
    entries = await sdk.order.history(order.id)
    event = await sdk.event.get_event(order.event_id)
    zone = ZoneInfo(event.timezone_name)
    text = "\n".join(history_line(e, zone) for e in entries) or _("Nothing recorded.")
    emit(
        args,
        _("Order %(code)s") % {"code": order.code} + "\n" + text,
        {
            "order_id": order.id,
            "code": order.code,
            "history": [e.model_dump(mode="json") for e in entries],
        },
    )
    return ExitCode.OK
