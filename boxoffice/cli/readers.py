"""`boxoffice readers register|list|use`: the venue's card readers (Stripe Terminal).

Staff sign in as for `sell`. A reader is registered once by the code it shows (in training
mode `simulated-wpe` or `simulated-s700`) and picked for a counter (the global `--counter
NAME` or `$BOXOFFICE_COUNTER`); `sell --pay reader` at that counter then takes the card on it.
"""

from __future__ import annotations

import argparse
from typing import Any

from boxoffice.cli import client
from boxoffice.cli.output import CommandError, ExitCode, emit
from boxoffice.i18n import _
from boxoffice.sdk import SDK
from boxoffice.sdk.models.readers import Reader


def add_commands(commands: Any) -> None:
    """Register `readers` (register, list, use)."""
    common = client.common_options()
    readers = commands.add_parser(
        "readers", help=_("card readers (Stripe Terminal): register, list, use")
    )
    actions = readers.add_subparsers(dest="readers_command", metavar="ACTION", required=True)

    register = actions.add_parser(
        "register",
        parents=[common],
        help=_("pair a reader by the code it shows; with --counter, pick it for that counter"),
    )
    register.add_argument(
        "code",
        metavar="CODE",
        help=_("the reader's registration code (training: simulated-wpe)"),
    )
    register.add_argument("--label", required=True, metavar="NAME", help=_("e.g. Front desk"))
    register.set_defaults(handler=lambda args: client.run_with_sdk(args, _register))

    listing = actions.add_parser(
        "list",
        parents=[common],
        help=_("every reader: status and the counter it is picked for"),
    )
    listing.set_defaults(handler=lambda args: client.run_with_sdk(args, _list))

    use = actions.add_parser(
        "use", parents=[common], help=_("pick a reader for --counter (or --none: no reader)")
    )
    which = use.add_mutually_exclusive_group(required=True)
    which.add_argument("reader_id", nargs="?", metavar="READER_ID")
    which.add_argument(
        "--none",
        action="store_true",
        help=_("the counter takes no card on a reader any more"),
    )
    use.set_defaults(handler=lambda args: client.run_with_sdk(args, _use))


# --- commands --------------------------------------------------------------------------------


async def _register(sdk: SDK, args: argparse.Namespace) -> int:
    reader = await sdk.reader.register(args.code, args.label, counter=args.counter or None)
    emit(
        args,
        _("Registered %(reader)s") % {"reader": reader_line(reader)},
        reader.model_dump(mode="json"),
    )
    return ExitCode.OK


async def _list(sdk: SDK, args: argparse.Namespace) -> int:
    readers = (await sdk.reader.list()).data
    text = "\n".join(reader_line(reader) for reader in readers) or _("No card readers.")
    emit(args, text, [reader.model_dump(mode="json") for reader in readers])
    return ExitCode.OK


async def _use(sdk: SDK, args: argparse.Namespace) -> int:
    if not args.counter:
        raise CommandError(
            _("Name the counter with --counter NAME (or $BOXOFFICE_COUNTER)."), ExitCode.USAGE
        )
    if not args.none:
        reader = await sdk.reader.update(args.reader_id, counter=args.counter)
        emit(
            args,
            _("Counter %(counter)s takes cards on reader %(reader)s (%(label)s).")
            % {"counter": args.counter, "reader": reader.id, "label": reader.label},
            reader.model_dump(mode="json"),
        )
        return ExitCode.OK
    picked = [r for r in (await sdk.reader.list()).data if r.counter == args.counter]
    freed = [await sdk.reader.update(reader.id, counter=None) for reader in picked]
    if freed:
        text = _("Counter %(counter)s takes no card on a reader now (reader %(reader)s is free).")
        text %= {"counter": args.counter, "reader": freed[0].id}
    else:
        text = _("Counter %(counter)s takes no card on a reader now; it had none.")
        text %= {"counter": args.counter}
    emit(args, text, [reader.model_dump(mode="json") for reader in freed])
    return ExitCode.OK


# --- text ------------------------------------------------------------------------------------


def reader_line(reader: Reader) -> str:
    """A reader in one line: id, label, type, status, counter."""
    if reader.counter:
        counter = _("counter %(counter)s") % {"counter": reader.counter}
    else:
        counter = _("no counter")
    status = reader.status or _("unknown")
    line = f"{reader.id}  {reader.label}  {reader.device_type}  {status}  {counter}"
    if not reader.registered:
        line += "  " + _("(not taken on yet: pick it for a counter)")
    return line
