"""Server-side commands: `serve`, `users add|list|disable|enable|set-password`,
`catalog import|export`, `mail list|send`, `tickets verify` and `ledger verify`, all with the
same data options."""

from __future__ import annotations

import argparse
import contextlib
import gc
import getpass
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from boxoffice import i18n
from boxoffice.cli.output import CommandError, ExitCode, fail
from boxoffice.i18n import _, ngettext
from boxoffice.logs import setup_logging
from boxoffice.sdk.models.auth import COUNTER_USERNAME
from boxoffice.server.config import ServerSettings

if TYPE_CHECKING:  # the server's modules load only when a command runs
    from sqlalchemy.exc import DBAPIError

    from boxoffice.server.api.state import ServerState

logger = logging.getLogger(__name__)
WARM_UP_DELAY = 1.0  # seconds from listening to starting the card gateway


def _data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help=_("data folder (default: the user data dir)"))
    parser.add_argument(
        "--database",
        metavar="URL",
        help=_(
            "database URL, e.g. postgresql+psycopg://user:pw@host/db "
            "(default: SQLite in the data folder)"
        ),
    )


def _settings(args: argparse.Namespace, **extra: Any) -> ServerSettings:
    values: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
    if args.data_dir is not None:
        values["data_dir"] = args.data_dir
    if args.database is not None:
        values["database_url"] = args.database
    return ServerSettings(**values)


@contextlib.contextmanager
def _database(args: argparse.Namespace) -> Iterator[ServerState]:
    """The server's database for one command (migrated, no demo venue), closed afterwards."""
    state = _prepared(_settings(args, load_demo=False))
    try:
        yield state
    finally:
        state.engine.dispose()


def _prepared(settings: ServerSettings) -> ServerState:
    """The database of `settings`, migrated; `CommandError` if it cannot be reached or
    prepared."""
    from sqlalchemy.exc import DBAPIError

    from boxoffice.server.app import prepare_database, utc_now
    from boxoffice.server.db.engine import make_engine

    url = settings.resolved_database_url()
    try:
        return prepare_database(settings, make_engine(url), utc_now)
    except DBAPIError as exc:
        raise database_failure(exc, url) from exc


def database_failure(exc: DBAPIError, url: str) -> CommandError:
    """One sentence for a database that cannot be reached or prepared, with what to do."""
    from sqlalchemy import make_url

    from boxoffice.server.db.migrate import POSTGRES_EXTENSIONS

    where = make_url(url)
    reason = (str(exc.orig) or type(exc.orig).__name__).strip().splitlines()[0]
    if where.get_backend_name() == "sqlite":
        message = _("Cannot open the database %(file)s: %(reason)s.")
        return CommandError(message % {"file": where.database, "reason": reason}, ExitCode.REFUSED)
    name = f"{where.host}:{where.port or 5432}/{where.database}"
    if exc.statement is None:  # no statement ran: the connection itself failed
        message = _("Cannot connect to the PostgreSQL database %(database)s: %(reason)s.")
        return CommandError(message % {"database": name, "reason": reason}, ExitCode.UNREACHABLE)
    if getattr(exc.orig, "sqlstate", None) == "42501" and "EXTENSION" in exc.statement:
        sql = " ".join(f"CREATE EXTENSION {extension};" for extension in POSTGRES_EXTENSIONS)
        message = _(
            "The PostgreSQL user %(user)s may not create the extensions that order search "
            "needs in %(database)s. Ask the database's owner or a superuser to run "
            "`%(sql)s` in it, then try again."
        )
        values = {"user": where.username, "database": name, "sql": sql}
        return CommandError(message % values, ExitCode.NOT_AUTHORIZED)
    message = _("Preparing the PostgreSQL database %(database)s failed: %(reason)s.")
    return CommandError(message % {"database": name, "reason": reason}, ExitCode.REFUSED)


def add_commands(commands: Any) -> None:
    serve = commands.add_parser("serve", help=_("run the venue server"))
    _data_options(serve)
    serve.add_argument("--host", default=None, help=_("address to listen on (default 127.0.0.1)"))
    serve.add_argument("--port", type=int, default=None, help=_("port (default 8765)"))
    serve.add_argument(
        "--no-demo",
        action="store_true",
        help=_("do not load the demo venue into an empty database"),
    )
    serve.add_argument(
        "--tenant-domain",
        metavar="DOMAIN",
        help=_(
            "also answer as Tickethead's tenant host {organizer}.DOMAIN, and tell clients so "
            "(see docs/api.md, 'The vendor SDK')"
        ),
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help=_("worker processes (default 1, or BOXOFFICE_WORKERS)"),
    )
    serve.add_argument("--log-level", default="info")
    tls = serve.add_argument_group(
        "TLS", _("needed to serve on a non-loopback address: staff passwords and tokens cross it")
    )
    tls.add_argument("--tls-cert", type=Path, metavar="FILE", help=_("certificate chain (PEM)"))
    tls.add_argument("--tls-key", type=Path, metavar="FILE", help=_("its private key (PEM)"))
    tls.add_argument(
        "--tls-self-signed",
        action="store_true",
        help=_(
            "a certificate made once in the data folder (tls/); its SHA-256 fingerprint is "
            "printed at start and by `boxoffice tls fingerprint`, for clients to pin"
        ),
    )
    tls.add_argument(
        "--insecure-http",
        action="store_true",
        help=_("serve plain HTTP on a non-loopback address anyway (passwords in clear text)"),
    )
    serve.set_defaults(handler=run_serve)

    tls_command = commands.add_parser("tls", help=_("the venue server's TLS certificate"))
    tls_commands = tls_command.add_subparsers(dest="tls_command", metavar="COMMAND", required=True)
    show = tls_commands.add_parser(
        "fingerprint", help=_("print the SHA-256 fingerprint clients pin (--tls-fingerprint)")
    )
    show.add_argument("--data-dir", type=Path, help=_("data folder (default: the user data dir)"))
    show.add_argument(
        "--tls-cert",
        type=Path,
        metavar="FILE",
        help=_("this certificate instead of the self-signed one"),
    )
    show.set_defaults(handler=run_tls_fingerprint)

    users = commands.add_parser("users", help=_("manage accounts"))
    users_cmds = users.add_subparsers(dest="users_command", required=True)
    add = users_cmds.add_parser("add", help=_("create an account"))
    add.add_argument("name")
    add.add_argument("--role", choices=["admin", "staff", "customer", "kiosk"], default="staff")
    add.add_argument("--email")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("read the password from standard input (else prompt)"),
    )
    _data_options(add)
    add.set_defaults(handler=run_users_add)
    listing = users_cmds.add_parser("list", help=_("list the accounts (not guests)"))
    listing.add_argument("--role", choices=["admin", "staff", "customer", "kiosk"])
    _data_options(listing)
    listing.set_defaults(handler=run_users_list)
    for verb, what in (
        ("disable", _("disable an account: no sign-in, its tokens refused at once")),
        ("enable", _("enable a disabled account again")),
    ):
        toggle = users_cmds.add_parser(verb, help=what)
        toggle.add_argument("name", help=_("username or email"))
        _data_options(toggle)
        toggle.set_defaults(handler=run_users_toggle, disable=verb == "disable")
    set_password = users_cmds.add_parser(
        "set-password", help=_("set an account's password (its refresh tokens are revoked)")
    )
    set_password.add_argument("name", help=_("username or email"))
    set_password.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("read the password from standard input (else prompt)"),
    )
    _data_options(set_password)
    set_password.set_defaults(handler=run_users_set_password)

    catalog = commands.add_parser(
        "catalog", help=_("import or export events, prices and seat maps")
    )
    catalog_cmds = catalog.add_subparsers(dest="catalog_command", required=True)
    imp = catalog_cmds.add_parser(
        "import", help=_("import a boxoffice-catalog/1 JSON file (see docs/catalog.md)")
    )
    imp.add_argument("file", type=Path, help=_("the JSON file"))
    _data_options(imp)
    imp.set_defaults(handler=run_catalog_import)
    exp = catalog_cmds.add_parser("export", help=_("write the whole catalog as JSON"))
    exp.add_argument("--out", type=Path, metavar="FILE", help=_("write here (default: stdout)"))
    _data_options(exp)
    exp.set_defaults(handler=run_catalog_export)

    mail_cmd = commands.add_parser("mail", help=_("the confirmation-mail queue"))
    mail_cmds = mail_cmd.add_subparsers(dest="mail_command", required=True)
    mail_list = mail_cmds.add_parser("list", help=_("show the queued, sent and failed mail"))
    mail_list.add_argument("--status", choices=["queued", "sent", "failed"])
    mail_list.add_argument(
        "--limit", type=int, default=50, help=_("at most this many (default 50)")
    )
    _data_options(mail_list)
    mail_list.set_defaults(handler=run_mail_list)
    mail_send = mail_cmds.add_parser(
        "send", help=_("deliver the due mail once (SMTP settings from BOXOFFICE_SMTP_*)")
    )
    _data_options(mail_send)
    mail_send.set_defaults(handler=run_mail_send)

    tickets = commands.add_parser("tickets", help=_("check issued tickets"))
    tickets_cmds = tickets.add_subparsers(dest="tickets_command", required=True)
    verify_ticket = tickets_cmds.add_parser(
        "verify", help=_("verify a scanned QR payload and show what the ledger says of it")
    )
    verify_ticket.add_argument("payload", help=_("the QR code's text, BO1.<event>.<code>.<sig>"))
    _data_options(verify_ticket)
    verify_ticket.set_defaults(handler=run_tickets_verify)

    ledger_cmd = commands.add_parser("ledger", help=_("check the ticket ownership ledger"))
    ledger_cmds = ledger_cmd.add_subparsers(dest="ledger_command", required=True)
    verify_ledger = ledger_cmds.add_parser("verify", help=_("verify the whole hash chain"))
    verify_ledger.add_argument(
        "--expect-head",
        metavar="HASH",
        help=_("a head hash recorded earlier; the chain must still contain it"),
    )
    _data_options(verify_ledger)
    verify_ledger.set_defaults(handler=run_ledger_verify)


def _tls_files(args: argparse.Namespace, settings: ServerSettings) -> tuple[Path, Path] | None:
    """The certificate and key to serve with, None for plain HTTP, or `CommandError`."""
    from boxoffice.server import tls

    given = args.tls_cert is not None or args.tls_key is not None
    if given and (args.tls_cert is None or args.tls_key is None):
        raise CommandError(_("--tls-cert and --tls-key go together."), ExitCode.USAGE)
    if sum([given, args.tls_self_signed, args.insecure_http]) > 1:
        raise CommandError(
            _("Choose one of --tls-cert/--tls-key, --tls-self-signed and --insecure-http."),
            ExitCode.USAGE,
        )
    if given:
        for path in (args.tls_cert, args.tls_key):
            if not path.is_file():
                raise CommandError(_("No such file: %(file)s.") % {"file": path}, ExitCode.USAGE)
        return args.tls_cert, args.tls_key
    if args.tls_self_signed:
        return tls.ensure_self_signed(settings.data_dir, settings.host)
    if not tls.is_loopback(settings.host) and not args.insecure_http:
        raise CommandError(
            _(
                "Refusing to serve plain HTTP on %(host)s: staff passwords and tokens "
                "would cross the network in clear text. Give --tls-self-signed (a certificate "
                "made for this server), or --tls-cert FILE --tls-key FILE, or --insecure-http "
                "if the network is yours alone."
            )
            % {"host": settings.host},
            ExitCode.USAGE,
        )
    return None


def run_serve(args: argparse.Namespace) -> ExitCode:
    setup_logging(args.log_level)
    settings = _settings(
        args,
        host=args.host,
        port=args.port,
        load_demo=False if args.no_demo else None,
        tenant_domain=args.tenant_domain,
        workers=args.workers,
    )
    counter_password = settings.counter_password
    if counter_password is not None:  # hashed while the modules load (`server.passwords`)
        from boxoffice.server import passwords

        passwords.hash_ahead(counter_password.get_secret_value())
    # No garbage collection while the server's modules load and the app is built: ~150 ms
    # of passes over objects that all stay alive. On again before it serves.
    gc.disable()
    from sqlalchemy.exc import DBAPIError

    try:
        from boxoffice.server import serving, tls

        tls_files = _tls_files(args, settings)
        from boxoffice.server.data_folder import secure_data_folder, sqlite_file
        from boxoffice.server.db.engine import make_engine
        from boxoffice.server.services import users

        engine = make_engine(settings.resolved_database_url())
        if counter_password is not None:  # checked while the rest loads (FastAPI, the routes)
            secure_data_folder(settings.data_dir, sqlite_file(engine))  # before it is opened
            users.check_password_ahead(
                engine, COUNTER_USERNAME, counter_password.get_secret_value()
            )
        from boxoffice.server.app import create_app

        app = create_app(settings, engine=engine)
    except CommandError as exc:
        fail(str(exc))
        return exc.code
    except DBAPIError as exc:
        failure = database_failure(exc, settings.resolved_database_url())
        fail(str(failure))
        return failure.code
    finally:
        gc.enable()
    cards = app.state.server.cards
    if tls_files is not None:
        logger.info(
            "TLS certificate %s, SHA-256 fingerprint %s (clients: --tls-fingerprint or --ca-file)",
            tls_files[0],
            tls.fingerprint(tls_files[0]),
        )
    elif not tls.is_loopback(settings.host):
        logger.warning(
            "serving plain HTTP on %s (--insecure-http): passwords and tokens cross the "
            "network in clear text",
            settings.host,
        )
    logger.info(
        "venue server on %s://%s:%d (data: %s; cards: %s)",
        "http" if tls_files is None else "https",
        settings.host,
        settings.port,
        settings.resolved_database_url().split("@")[-1],
        "TRAINING MODE, Stripe emulated, no real money" if cards.training_mode else "Stripe",
    )
    if settings.workers > 1:
        return _serve_workers(args, app, settings, tls_files)
    # Start the card gateway (in training mode the Stripe emulator child process) beside the
    # server, so the first card payment does not wait for it; but only a moment after the
    # server listens, so that neither its start nor the first requests share the CPU with it.
    warm_up = threading.Timer(WARM_UP_DELAY, cards.warm_up)
    warm_up.name, warm_up.daemon = "card-gateway", True
    # What the app built lives as long as the server: the collector's full passes (one every
    # hundred requests or so) no longer walk its 200,000 objects, a pause of some 70 ms each.
    gc.freeze()
    # SIGTERM: up to 10 s for the requests in flight, then stuck ones are abandoned.
    serving.serve(
        app,
        host=settings.host,
        port=settings.port,
        log_level=args.log_level,
        cleanup=cards.close,
        on_started=warm_up.start,
        **_ssl_options(tls_files),
    )
    return ExitCode.OK


def _ssl_options(tls_files: tuple[Path, Path] | None) -> dict[str, str | None]:
    """The certificate and key files of `tls_files` as uvicorn's `ssl_*` options."""
    if tls_files is None:
        return {"ssl_certfile": None, "ssl_keyfile": None}
    certificate, key = tls_files
    return {"ssl_certfile": str(certificate), "ssl_keyfile": str(key)}


def _serve_workers(
    args: argparse.Namespace,
    app: Any,
    settings: ServerSettings,
    tls_files: tuple[Path, Path] | None,
) -> ExitCode:
    """`serve --workers N`: the app built here, served by N forked worker processes."""
    import os

    from boxoffice.server import workers

    if not hasattr(os, "fork"):
        fail(_("--workers needs a system with fork() (Linux, macOS)"))
        return ExitCode.USAGE

    state = app.state.server
    # One card gateway (in training mode one emulator, whose payments all workers must see),
    # started before the workers are forked from this process.
    state.cards.warm_up()
    workers.serve_workers(
        app,
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
        log_level=args.log_level,
        before_fork=state.engine.dispose,
        cleanup=state.cards.close,
        **_ssl_options(tls_files),
    )
    return ExitCode.OK


def run_tls_fingerprint(args: argparse.Namespace) -> ExitCode:
    """Print the SHA-256 fingerprint of `--tls-cert`, else of the self-signed certificate."""
    from boxoffice.server import tls

    cert = args.tls_cert
    if cert is None:
        data_dir = args.data_dir if args.data_dir is not None else ServerSettings().data_dir
        cert = tls.self_signed_paths(data_dir)[0]
    if not cert.is_file():
        return _error(
            _("No certificate at %(file)s (run `boxoffice serve --tls-self-signed`).")
            % {"file": cert}
        )
    try:
        shown = tls.fingerprint(cert)
    except ValueError:
        return _error(_("%(file)s is not a PEM certificate.") % {"file": cert})
    sys.stdout.write(shown + "\n")
    return ExitCode.OK


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(_("Password: "))
    if getpass.getpass(_("Again: ")) != first:
        raise SystemExit(_("The passwords differ."))
    return first


def run_users_add(args: argparse.Namespace) -> ExitCode:
    from boxoffice.server.app import utc_now
    from boxoffice.server.errors import DomainError
    from boxoffice.server.services import users

    state = _prepared(_settings(args))
    password = _read_password(args.password_stdin)
    try:
        with state.write_sessions() as session, session.begin():
            user = users.create_user(
                session,
                username=args.name,
                password=password,
                role=args.role,
                email=args.email,
                now=utc_now(),
            )
    except DomainError as exc:
        sys.stderr.write(f"boxoffice: {exc.message}\n")
        return ExitCode.REFUSED
    created = _("created %(role)s %(name)s (id %(id)s)")
    sys.stdout.write(created % {"role": user.role, "name": user.username, "id": user.id} + "\n")
    return ExitCode.OK


def run_users_list(args: argparse.Namespace) -> ExitCode:
    """A table of the registered accounts: id, role, active or disabled, username, email."""
    from boxoffice.server.services import users

    with _database(args) as state, state.read_sessions() as session:
        rows, _total = users.list_users(session, role=args.role, limit=1_000_000)
    lines = [(_("ID"), _("ROLE"), _("STATUS"), _("USERNAME"), _("EMAIL"))]
    lines += [
        (
            str(row.id),
            row.role,
            _("disabled") if row.disabled else _("active"),
            row.username or "-",
            row.email or "-",
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]) - 1)]
    for line in lines:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        sys.stdout.write("  ".join([*cells, line[-1]]) + "\n")
    return ExitCode.OK


def _change_user(args: argparse.Namespace, change: Any) -> ExitCode:
    """Run `change(session, user, now)` on the account `args.name` in one transaction."""
    from boxoffice.server.app import utc_now
    from boxoffice.server.errors import DomainError
    from boxoffice.server.services import users

    try:
        with _database(args) as state, state.write_sessions() as session, session.begin():
            user = users.user_by_name(session, args.name)
            change(session, user, utc_now())
            described = f"{user.role} {user.username} (id {user.id})"
    except DomainError as exc:
        return _error(exc.message)
    sys.stdout.write(args.done % {"account": described} + "\n")
    return ExitCode.OK


def run_users_toggle(args: argparse.Namespace) -> ExitCode:
    """`users disable NAME` / `users enable NAME`; a running server refuses the account's
    tokens from its next request on."""
    from boxoffice.server.services import users

    args.done = _("disabled %(account)s") if args.disable else _("enabled %(account)s")
    return _change_user(
        args,
        lambda session, user, now: users.set_disabled(
            session, user, args.disable, actor=None, now=now
        ),
    )


def run_users_set_password(args: argparse.Namespace) -> ExitCode:
    """`users set-password NAME`: a new password; the account's refresh tokens are revoked."""
    from boxoffice.server.services import users

    password = _read_password(args.password_stdin)
    args.done = _("new password for %(account)s")
    return _change_user(
        args,
        lambda session, user, now: users.set_password(session, user, password, actor=None, now=now),
    )


def _error(message: str) -> ExitCode:
    sys.stderr.write(f"boxoffice: {message}\n")
    return ExitCode.REFUSED


def _read_catalog_file(path: Path) -> Any:
    """The parsed JSON of `path`; ValueError with a one-line reason if that fails."""
    import json

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(
            _("cannot read %(file)s: %(reason)s") % {"file": path, "reason": exc.strerror or exc}
        ) from None
    except UnicodeDecodeError:
        raise ValueError(_("%(file)s is not UTF-8 text") % {"file": path}) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            _("%(file)s is not valid JSON: %(problem)s (line %(line)s, column %(column)s)")
            % {"file": path, "problem": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from None


def run_catalog_import(args: argparse.Namespace) -> ExitCode:
    """Import a catalog file all or nothing; neither catalog command loads the demo venue."""
    from boxoffice.server.app import utc_now
    from boxoffice.server.errors import DomainError
    from boxoffice.server.services import catalog_io

    try:
        data = _read_catalog_file(args.file)
    except ValueError as exc:
        return _error(str(exc))
    try:
        with _database(args) as state, state.write_sessions() as session, session.begin():
            summary = catalog_io.import_catalog(session, data, now=utc_now())
    except DomainError as exc:
        return _error(f"{args.file}: {exc.message}")
    imported = _("imported %(file)s: %(summary)s")
    sys.stdout.write(
        imported % {"file": args.file, "summary": summary.describe(i18n.current())} + "\n"
    )
    for note in summary.notes:
        sys.stdout.write(f"  {note}\n")
    return ExitCode.OK


def run_catalog_export(args: argparse.Namespace) -> ExitCode:
    """Write the catalog as UTF-8 JSON to --out or standard output."""
    import json

    from boxoffice.server.services import catalog_io

    with _database(args) as state, state.read_sessions() as session:
        document = catalog_io.export_catalog(session)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return ExitCode.OK
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        return _error(
            _("cannot write %(file)s: %(reason)s")
            % {"file": args.out, "reason": exc.strerror or exc}
        )
    count = len(document["events"])
    exported = ngettext(  # English says "events" as it always did
        "exported %(count)d events to %(file)s", "exported %(count)d events to %(file)s", count
    )
    sys.stderr.write(exported % {"count": count, "file": args.out} + "\n")
    return ExitCode.OK


def run_tickets_verify(args: argparse.Namespace) -> ExitCode:
    """Exit 0 and `valid: ticket CODE, event ID …, owner …` for a good ticket; else exit 1
    and `invalid: REASON: …` (malformed, unknown_event, bad_signature, invalidated, …)."""
    from boxoffice.server.services import wallet

    with _database(args) as state, state.read_sessions() as session:
        check = wallet.check_payload(session, args.payload)
    if not check.ok:
        invalid = _("invalid: %(reason)s: %(message)s")
        sys.stdout.write(invalid % {"reason": check.reason, "message": check.message} + "\n")
        return ExitCode.REFUSED
    if check.event_name:
        event = _("event %(id)s (%(name)s)") % {"id": check.event_id, "name": check.event_name}
    else:
        event = _("event %(id)s") % {"id": check.event_id}
    if check.owner_id is not None:
        owner = _("owner %(id)s") % {"id": check.owner_id}
    else:
        owner = _("owner none")
    if check.owner_name:
        owner += f" ({check.owner_name})"
    valid = _("valid: ticket %(code)s, %(event)s, %(owner)s")
    sys.stdout.write(valid % {"code": check.code, "event": event, "owner": owner} + "\n")
    return ExitCode.OK


def run_ledger_verify(args: argparse.Namespace) -> ExitCode:
    """Exit 0 and `ledger OK: N entries, head HASH`, or 1 and `ledger BROKEN at seq N: …`."""

    from boxoffice.server.services import ledger
    from boxoffice.server.services.ledger_store import SqlLedgerStore

    head = ledger.GENESIS_HASH
    with _database(args) as state, state.read_sessions() as session:

        def walked() -> Iterator[ledger.LedgerEntry]:
            nonlocal head
            for entry in SqlLedgerStore(session).iterate():
                head = entry.hash
                yield entry

        result = ledger.verify(walked(), expected_head=args.expect_head)
    if not result.ok:
        broken = _("ledger BROKEN at seq %(seq)s: %(problem)s")
        sys.stdout.write(broken % {"seq": result.first_bad_seq, "problem": result.problem} + "\n")
        return ExitCode.REFUSED
    good = ngettext(  # English says "entries" as it always did
        "ledger OK: %(count)d entries, head %(hash)s",
        "ledger OK: %(count)d entries, head %(hash)s",
        result.checked,
    )
    sys.stdout.write(good % {"count": result.checked, "hash": head} + "\n")
    return ExitCode.OK


def _when(when: Any) -> str:
    return "-" if when is None else i18n.moment(when, "%Y-%m-%d %H:%M:%S", seconds=True)


def run_mail_list(args: argparse.Namespace) -> ExitCode:
    """A table of the mail jobs, newest first; times in UTC."""
    from boxoffice.server.services import mail_queue

    with _database(args) as state, state.read_sessions() as session:
        rows, total = mail_queue.list_jobs(session, args.status, limit=args.limit)
    lines = [
        (
            _("ID"),
            _("STATUS"),
            _("TRIES"),
            _("CREATED (UTC)"),
            _("NEXT TRY (UTC)"),
            _("TO"),
            _("SUBJECT"),
        )
    ]
    lines += [
        (
            str(row.id),
            row.status,
            str(row.attempts),
            _when(row.created_at),
            _when(row.next_attempt_at if row.status == "queued" else None),
            row.recipient,
            row.subject,
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]) - 1)]
    for index, line in enumerate(lines):
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        sys.stdout.write("  ".join([*cells, line[-1]]) + "\n")
        row = rows[index - 1] if index else None
        if row is not None and row.last_error and row.status != "sent":
            sys.stdout.write("    " + _("last error: %(error)s") % {"error": row.last_error} + "\n")
    shown = ngettext(  # English says "mails" as it always did
        "%(shown)d of %(count)d mails", "%(shown)d of %(count)d mails", total
    )
    sys.stdout.write(shown % {"shown": len(rows), "count": total} + "\n")
    return ExitCode.OK


def run_mail_send(args: argparse.Namespace) -> ExitCode:
    """Deliver the due mail once, e.g. from cron; prints how many left and what is still due."""
    import anyio

    from boxoffice.server.app import utc_now
    from boxoffice.server.services import mail_queue

    setup_logging("warning")
    with _database(args) as state:
        sent = anyio.run(mail_queue.deliver_due, mail_queue.MailQueue.of(state), utc_now())
        with state.read_sessions() as session:
            queued = mail_queue.list_jobs(session, "queued", limit=1)[1]
            failed = mail_queue.list_jobs(session, "failed", limit=1)[1]
    counts = {
        "sent": sent,
        "queued": queued,
        "failed": failed,
        "folder": state.settings.outbox_dir,
    }
    if state.settings.smtp_host:
        done = _("sent %(sent)d via SMTP; %(queued)d queued, %(failed)d failed")
    else:
        done = _("sent %(sent)d via the outbox %(folder)s; %(queued)d queued, %(failed)d failed")
    sys.stdout.write(done % counts + "\n")
    return ExitCode.OK
