"""Client commands over the SDK: `events`, `sell`, `orders`, `download`, `login`, `logout`.

Every command talks to a venue server or Tickethead through `boxoffice.sdk` only, in one
`asyncio.run`, signed in as `--user` or as a new guest. Failures become one sentence on stderr
and an `ExitCode` (`boxoffice.cli.output`; docs/sdk.md has the same table). The sale itself
is `boxoffice.cli.sale`.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pydantic

from boxoffice import i18n
from boxoffice.cli import sale
from boxoffice.cli.output import (
    CommandError,
    ExitCode,
    describe,
    emit,
    exit_code_for,
    fail,
)
from boxoffice.credentials import CredentialStore, open_store
from boxoffice.i18n import _, ngettext
from boxoffice.sdk import (
    API_URL_ENV,
    SDK,
    AuthenticationError,
    Credentials,
    PasswordCredentials,
    RefreshTokenCredentials,
    TLSVerificationError,
    fetch_fingerprint,
    normalize_fingerprint,
)
from boxoffice.sdk.models.account import STAFF_ROLES
from boxoffice.sdk.models.events import Event
from boxoffice.sdk.models.orders import Order, OrderContactRequest

DEFAULT_API = "http://127.0.0.1:8765"
ORGANIZER_ENV = "BOXOFFICE_ORGANIZER"
USER_ENV = "BOXOFFICE_USER"
PASSWORD_ENV = "BOXOFFICE_PASSWORD"
CA_FILE_ENV = "BOXOFFICE_CA_FILE"
FINGERPRINT_ENV = "BOXOFFICE_TLS_FINGERPRINT"
COUNTER_ENV = "BOXOFFICE_COUNTER"
CONTACT_RE = re.compile(r"^\s*(?P<first_name>.+?)\s+(?P<last_name>\S+)\s*<(?P<email>[^<>]+)>\s*$")


# --- options --------------------------------------------------------------------------------


def _contact(text: str) -> OrderContactRequest:
    match = CONTACT_RE.match(text)
    if match is None:
        raise argparse.ArgumentTypeError(_('expected "First Last <email>"'))
    try:
        return OrderContactRequest.model_validate(match.groupdict())
    except pydantic.ValidationError as exc:
        raise argparse.ArgumentTypeError(exc.errors()[0]["msg"]) from exc


def _fingerprint(text: str) -> str:
    shown = normalize_fingerprint(text)
    if shown is None:
        raise argparse.ArgumentTypeError(_("expected a SHA-256 fingerprint (64 hex digits)"))
    return shown


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(_("must be 1 or more"))
    return value


def common_options() -> argparse.ArgumentParser:
    """The options every client command takes: the server, the sign-in, the counter."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group(_("server and sign-in"))
    group.add_argument(
        "--api",
        default=os.environ.get(API_URL_ENV) or DEFAULT_API,
        metavar="URL",
        help=_("venue server or Tickethead base URL (default $%(variable)s or %(url)s)")
        % {"variable": API_URL_ENV, "url": DEFAULT_API},
    )
    group.add_argument(
        "--organizer",
        default=os.environ.get(ORGANIZER_ENV) or "demo",
        help=_("organizer (tenant) name (default $%(variable)s or demo)")
        % {"variable": ORGANIZER_ENV},
    )
    group.add_argument(
        "--user",
        default=os.environ.get(USER_ENV) or None,
        metavar="NAME",
        help=_("act as this account (default $%(variable)s; none: a new guest)")
        % {"variable": USER_ENV},
    )
    group.add_argument(
        "--password-stdin",
        action="store_true",
        help=_(
            "read the password from standard input (else $%(variable)s, else the "
            "sign-in kept by `boxoffice login`)"
        )
        % {"variable": PASSWORD_ENV},
    )
    group.add_argument(
        "--credentials-file",
        type=Path,
        metavar="PATH",
        help=_(
            "keep sign-ins in this PLAIN-TEXT file (mode 0600) instead of the system "
            "keyring (also $BOXOFFICE_CREDENTIALS_FILE)"
        ),
    )
    group.add_argument(
        "--ca-file",
        type=Path,
        default=os.environ.get(CA_FILE_ENV) or None,
        metavar="FILE",
        help=_("trust an https server whose certificate this CA file vouches for ($%(variable)s)")
        % {"variable": CA_FILE_ENV},
    )
    group.add_argument(
        "--tls-fingerprint",
        type=_fingerprint,
        default=os.environ.get(FINGERPRINT_ENV) or None,
        metavar="SHA256",
        help=_(
            "trust exactly the https certificate with this SHA-256 fingerprint, as "
            "`boxoffice serve --tls-self-signed` prints it ($%(variable)s)"
        )
        % {"variable": FINGERPRINT_ENV},
    )
    group.add_argument(
        "--counter",
        default=os.environ.get(COUNTER_ENV) or None,
        metavar="NAME",
        help=_("the counter (till) this runs at: cash goes to its open shift ($%(variable)s)")
        % {"variable": COUNTER_ENV},
    )
    group.add_argument("--timeout", type=float, default=30.0, help=_("seconds per request"))
    group.add_argument("--json", action="store_true", help=_("print JSON for scripts"))
    return common


def add_commands(commands: Any) -> None:
    common = common_options()
    events = commands.add_parser("events", parents=[common], help=_("list events and prices"))
    events.set_defaults(handler=run_events)

    sell = commands.add_parser(
        "sell", parents=[common], help=_("sell tickets: order, pay, download the tickets")
    )
    sell.add_argument("event_id", type=int, metavar="EVENT_ID")
    sell.add_argument("config_id", type=int, metavar="CONFIG_ID", help=_("ticket config id"))
    sell.add_argument("--qty", type=_positive, help=_("tickets (default: 1, or one per seat)"))
    sell.add_argument("--seats", help=_("seat labels, e.g. A-1,A-2"))
    sell.add_argument("--timeslot", type=int, metavar="ID")
    sell.add_argument("--sector", type=int, metavar="ID")
    sell.add_argument("--discount", type=int, action="append", metavar="ID", help=_("repeatable"))
    sell.add_argument(
        "--pay",
        choices=["card", "cash", "free", "reader"],
        default="card",
        help=_(
            "cash: staff, the exact total; free: only free orders; card (default): a "
            "payment intent for a payment page (free orders are paid at once); reader: staff, "
            "the card on the counter's card reader (or --reader)"
        ),
    )
    sell.add_argument(
        "--reader",
        metavar="READER_ID",
        help=_("--pay reader: take the card on this reader (default: the counter's)"),
    )
    sell.add_argument(
        "--test-card",
        metavar="NUMBER",
        help=_(
            "training mode only: pay the card intent with this Stripe test card (--pay "
            "reader: the customer taps it on the simulated reader)"
        ),
    )
    sell.add_argument("--contact", type=_contact, metavar='"First Last <email>"')
    sell.add_argument(
        "--format", type=str.upper, choices=["PDF", "PKPASS", "SECURE"], default="PDF"
    )
    _file_options(sell)
    sell.set_defaults(handler=run_sell)

    orders = commands.add_parser("orders", parents=[common], help=_("list orders, newest first"))
    orders.add_argument("--event", type=int, metavar="EVENT_ID")
    orders.add_argument("--status")
    orders.add_argument("--limit", type=_positive, default=20, help=_("at most this many (20)"))
    orders.add_argument(
        "--mine", action="store_true", help=_("staff: only the orders this account made")
    )
    orders.set_defaults(handler=run_orders)

    download = commands.add_parser("download", parents=[common], help=_("save an order's tickets"))
    download.add_argument("order_id", type=int, metavar="ORDER_ID")
    download.add_argument("--format", type=str.lower, choices=["pdf", "pkpass"])
    _file_options(download)
    download.set_defaults(handler=run_download)

    login = commands.add_parser(
        "login", parents=[common], help=_("sign in and keep the sign-in in the system keyring")
    )
    login.set_defaults(handler=run_login)
    logout = commands.add_parser("logout", parents=[common], help=_("forget a kept sign-in"))
    logout.set_defaults(handler=run_logout)


def _file_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path(), metavar="DIR", help=_("(default: .)"))
    parser.add_argument("--size", choices=["a4", "ticket"], help=_("PDF page size (default a4)"))


# --- running ---------------------------------------------------------------------------------

Command = Callable[[SDK, argparse.Namespace], Awaitable[int]]


def guarded(args: argparse.Namespace, body: Callable[[], int]) -> int:
    """Run `body`; an expected failure becomes its sentence on stderr and its exit code."""
    try:
        return body()
    except Exception as exc:
        code = exit_code_for(exc)
        if code is None:
            raise
        fail(describe(exc, args.api))
        if isinstance(exc, TLSVerificationError):
            fail(_how_to_trust(args.api, exc))
        return int(code)


def _how_to_trust(api: str, exc: TLSVerificationError) -> str:
    """The next step after a refused certificate: the fingerprint it has, to compare."""
    if exc.fingerprint is not None:  # a pin that does not match: changed on purpose, or not
        return _(
            "If the server's certificate was replaced on purpose, compare the new fingerprint "
            "with the one `boxoffice tls fingerprint` shows on the server before pinning it; "
            "otherwise someone may be between you and the server."
        )
    try:
        presented = asyncio.run(fetch_fingerprint(api, timeout=5))
    except OSError:
        return _("Give --ca-file FILE or --tls-fingerprint SHA256 for this server.")
    return _(
        "The server presents the certificate with SHA-256 fingerprint %(fingerprint)s. If it "
        "is the one `boxoffice serve` printed (or `boxoffice tls fingerprint` shows on the "
        "server), trust it with --tls-fingerprint %(fingerprint)s (or $%(variable)s)."
    ) % {"fingerprint": presented, "variable": FINGERPRINT_ENV}


def verify_option(args: argparse.Namespace) -> str | Path | None:
    """What the server's certificate is verified with: `--tls-fingerprint`, `--ca-file`, or
    (neither) the system's CAs."""
    fingerprint: str | None = getattr(args, "tls_fingerprint", None)
    ca_file: Path | None = getattr(args, "ca_file", None)
    if fingerprint is not None and ca_file is not None:
        raise CommandError(_("Give --ca-file or --tls-fingerprint, not both."), ExitCode.USAGE)
    if ca_file is not None:
        ca_file = Path(ca_file)
        if not ca_file.is_file():
            raise CommandError(_("No CA file at %(file)s.") % {"file": ca_file}, ExitCode.USAGE)
        return ca_file
    return fingerprint


def run_with_sdk(args: argparse.Namespace, command: Command, *, sign_in: bool = True) -> int:
    """One `asyncio.run`: build the SDK, sign in (unless told not to), run `command`."""

    async def session() -> int:
        async with await SDK.build(
            args.api,
            organizer=args.organizer,
            timeout=args.timeout,
            verify=verify_option(args),
            counter=args.counter,
        ) as sdk:
            if not sign_in:
                return await command(sdk, args)
            login = await authorize(sdk, args)
            try:
                return await command(sdk, args)
            finally:
                login.keep_rotated_token(sdk)

    return guarded(args, lambda: asyncio.run(session()))


# --- signing in ------------------------------------------------------------------------------


@dataclass
class SignIn:
    """The credentials a command runs with, and the store a rotated refresh token goes back to."""

    user: str | None
    api: str
    store: CredentialStore | None = None
    kept_token: str | None = None

    def keep_rotated_token(self, sdk: SDK) -> None:
        """Refresh tokens are single-use: store the current one if it changed."""
        token = sdk.refresh_token
        if self.store is None or self.user is None or not token or token == self.kept_token:
            return
        self.store.save(self.api, self.user, token)
        self.kept_token = token


def read_password(args: argparse.Namespace) -> str | None:
    """The password from `--password-stdin` or `$BOXOFFICE_PASSWORD`, else None."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError(_("No password on standard input."), ExitCode.USAGE)
        return password
    return os.environ.get(PASSWORD_ENV) or None


async def authorize(sdk: SDK, args: argparse.Namespace) -> SignIn:
    """Sign in as `--user` (password, else the kept refresh token) or as a new guest."""
    sign_in = SignIn(user=args.user, api=args.api)
    credentials: Credentials | None = None
    if args.user is not None:
        password = read_password(args)
        if password is not None:
            credentials = PasswordCredentials(args.user, password)
        else:
            sign_in.store = open_store(args.credentials_file)
            credentials = _kept_credentials(sign_in.store, args)
    try:
        await sdk.authorize(credentials)
    except AuthenticationError as exc:
        if isinstance(credentials, RefreshTokenCredentials):
            raise CommandError(
                _(
                    "The kept sign-in of %(user)s has expired or was used elsewhere; "
                    "run `boxoffice login --user %(user)s` again."
                )
                % {"user": args.user},
                ExitCode.NOT_AUTHORIZED,
            ) from exc
        raise
    sign_in.keep_rotated_token(sdk)
    return sign_in


def _kept_credentials(store: CredentialStore, args: argparse.Namespace) -> Credentials:
    token = store.load(args.api, args.user)
    if token is None:
        raise CommandError(
            _(
                "%(user)s is not signed in at %(api)s: run `boxoffice login --user "
                "%(user)s`, or pass the password with --password-stdin or $%(variable)s."
            )
            % {"user": args.user, "api": args.api, "variable": PASSWORD_ENV},
            ExitCode.NOT_AUTHORIZED,
        )
    return RefreshTokenCredentials(token)


def run_login(args: argparse.Namespace) -> int:
    """`boxoffice login --user NAME`: sign in and keep the refresh token."""
    if args.user is None:
        return guarded(args, _needs_user)
    return run_with_sdk(args, _login, sign_in=False)


def _needs_user() -> int:
    raise CommandError(
        _("Name the account with --user NAME (or $%(variable)s).") % {"variable": USER_ENV},
        ExitCode.USAGE,
    )


async def _login(sdk: SDK, args: argparse.Namespace) -> int:
    store = open_store(args.credentials_file)  # before the password: fail early if none
    password = read_password(args) or _prompt_password(args.user)
    await sdk.authorize(PasswordCredentials(args.user, password))
    SignIn(user=args.user, api=args.api, store=store).keep_rotated_token(sdk)
    emit(
        args,
        _(
            "Signed in as %(user)s at %(api)s; the sign-in is kept in %(store)s. "
            "Use --user %(user)s (or %(variable)s=%(user)s) to act as %(user)s."
        )
        % {
            "user": args.user,
            "api": args.api,
            "store": store.description,
            "variable": USER_ENV,
        },
        {"user": args.user, "api": args.api, "store": store.description},
    )
    return ExitCode.OK


def _prompt_password(user: str) -> str:
    if sys.stdin.isatty():
        password = getpass.getpass(_("Password for %(user)s: ") % {"user": user})
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CommandError(_("No password given."), ExitCode.USAGE)
    return password


def run_logout(args: argparse.Namespace) -> int:
    """`boxoffice logout [--user NAME]`: forget the kept sign-in (default: the last user)."""
    return guarded(args, lambda: _logout(args))


def _logout(args: argparse.Namespace) -> int:
    store = open_store(args.credentials_file)
    user = args.user or store.last_user(args.api)
    if user is None:
        emit(
            args,
            _("Nobody is signed in at %(api)s.") % {"api": args.api},
            {"user": None, "api": args.api},
        )
        return ExitCode.OK
    store.forget(args.api, user)
    emit(
        args,
        _("Signed out %(user)s at %(api)s.") % {"user": user, "api": args.api},
        {"user": user, "api": args.api},
    )
    return ExitCode.OK


# --- events and orders -----------------------------------------------------------------------


def _local_start(event: Event) -> str:
    try:
        zone = ZoneInfo(event.timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return i18n.moment(event.start_at.astimezone(zone), "%Y-%m-%d %H:%M %Z", zone=True)


def event_lines(event: Event) -> list[str]:
    """An event and its ticket configs, for people."""
    lines = [f"{event.id:>5}  {event.name}  {_local_start(event)}  {event.status}"]
    for config in event.ticket_config or []:
        left = ""
        if config.available is not None:
            count = config.available
            left = "  " + ngettext("%(count)d left", "%(count)d left", count) % {"count": count}
        price = i18n.money(config.face_value, config.currency)
        lines.append(f"       {config.id:>5}  {config.name}  {price}{left}")
    return lines


def run_events(args: argparse.Namespace) -> int:
    """`boxoffice events`: the organizer's events with their ticket configs."""
    return run_with_sdk(args, _events)


async def _events(sdk: SDK, args: argparse.Namespace) -> int:
    events = [event async for event in sdk.event.iter_events(with_=["ticket_config"])]
    text = "\n".join(line for event in events for line in event_lines(event)) or _("No events.")
    emit(args, text, [event.model_dump(mode="json") for event in events])
    return ExitCode.OK


def order_line(order: Order) -> str:
    created = i18n.moment(order.created_at, "%Y-%m-%d %H:%M")
    total = i18n.money(order.total, order.currency)
    where = _("event %(event)s  %(created)s UTC") % {"event": order.event_id, "created": created}
    return f"{order.id:>6}  {order.code}  {order.status:<18}  {total}  {where}"


def run_orders(args: argparse.Namespace) -> int:
    """`boxoffice orders`: the caller's orders (staff: everyone's), newest first."""
    return run_with_sdk(args, _orders)


async def _orders(sdk: SDK, args: argparse.Namespace) -> int:
    everyone = False  # a guest or a customer lists its own orders; staff everyone's
    if args.user is not None and not args.mine:
        everyone = (await sdk.account.me()).role in STAFF_ROLES
    page = await sdk.order.list_orders(
        limit=args.limit, event_id=args.event, status=args.status, include_not_owned=everyone
    )
    text = "\n".join(order_line(order) for order in page.data) or _("No orders.")
    emit(args, text, [order.model_dump(mode="json") for order in page.data])
    return ExitCode.OK


def run_download(args: argparse.Namespace) -> int:
    """`boxoffice download ORDER_ID --out DIR`: save a paid order's tickets."""
    return run_with_sdk(args, _download)


async def _download(sdk: SDK, args: argparse.Namespace) -> int:
    order = await sdk.order.get_order(args.order_id)
    path = await sale.save_tickets(
        sdk, order, out=args.out, file_format=args.format, size=args.size
    )
    emit(args, str(path), {"order_id": order.id, "code": order.code, "files": [str(path)]})
    return ExitCode.OK


def run_sell(args: argparse.Namespace) -> int:
    """`boxoffice sell EVENT_ID CONFIG_ID …`: create the order, pay it, save the tickets."""
    return run_with_sdk(args, sale.sell)
