"""Server-side commands: `serve`, `users add`, `catalog import|export` (same data options)."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from pathlib import Path
from typing import Any

from boxoffice.logs import setup_logging
from boxoffice.server.config import ServerSettings

logger = logging.getLogger(__name__)


def _data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="data folder (default: the user data dir)")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="database URL, e.g. postgresql+psycopg://user:pw@host/db "
        "(default: SQLite in the data folder)",
    )


def _settings(args: argparse.Namespace, **extra: Any) -> ServerSettings:
    values: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
    if args.data_dir is not None:
        values["data_dir"] = args.data_dir
    if args.database is not None:
        values["database_url"] = args.database
    return ServerSettings(**values)


def add_commands(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the venue server")
    _data_options(serve)
    serve.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8765)")
    serve.add_argument(
        "--no-demo", action="store_true", help="do not load the demo venue into an empty database"
    )
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(handler=run_serve)

    users = commands.add_parser("users", help="manage accounts")
    users_cmds = users.add_subparsers(dest="users_command", required=True)
    add = users_cmds.add_parser("add", help="create an account")
    add.add_argument("name")
    add.add_argument("--role", choices=["admin", "staff", "customer"], default="staff")
    add.add_argument("--email")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (else prompt)",
    )
    _data_options(add)
    add.set_defaults(handler=run_users_add)

    catalog = commands.add_parser("catalog", help="import or export events, prices and seat maps")
    catalog_cmds = catalog.add_subparsers(dest="catalog_command", required=True)
    imp = catalog_cmds.add_parser(
        "import", help="import a boxoffice-catalog/1 JSON file (see docs/catalog.md)"
    )
    imp.add_argument("file", type=Path, help="the JSON file")
    _data_options(imp)
    imp.set_defaults(handler=run_catalog_import)
    exp = catalog_cmds.add_parser("export", help="write the whole catalog as JSON")
    exp.add_argument("--out", type=Path, metavar="FILE", help="write here (default: stdout)")
    _data_options(exp)
    exp.set_defaults(handler=run_catalog_export)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from boxoffice.server.app import create_app

    setup_logging(args.log_level)
    settings = _settings(
        args, host=args.host, port=args.port, load_demo=False if args.no_demo else None
    )
    app = create_app(settings)
    logger.info(
        "venue server on http://%s:%d (data: %s)",
        settings.host,
        settings.port,
        settings.resolved_database_url().split("@")[-1],
    )
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_level=args.log_level, access_log=False
    )
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("The passwords differ.")
    return first


def run_users_add(args: argparse.Namespace) -> int:
    from boxoffice.server.app import prepare_database, utc_now
    from boxoffice.server.db.engine import make_engine
    from boxoffice.server.errors import DomainError
    from boxoffice.server.services import users

    settings = _settings(args)
    state = prepare_database(settings, make_engine(settings.resolved_database_url()), utc_now)
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
        return 1
    sys.stdout.write(f"created {user.role} {user.username} (id {user.id})\n")
    return 0


def _error(message: str) -> int:
    sys.stderr.write(f"boxoffice: {message}\n")
    return 1


def _read_catalog_file(path: Path) -> Any:
    """The parsed JSON of `path`; ValueError with a one-line reason if that fails."""
    import json

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None


def run_catalog_import(args: argparse.Namespace) -> int:
    """Import a catalog file all or nothing; neither catalog command loads the demo venue."""
    from boxoffice.server.app import prepare_database, utc_now
    from boxoffice.server.db.engine import make_engine
    from boxoffice.server.errors import DomainError
    from boxoffice.server.services import catalog_io

    try:
        data = _read_catalog_file(args.file)
    except ValueError as exc:
        return _error(str(exc))
    settings = _settings(args, load_demo=False)
    state = prepare_database(settings, make_engine(settings.resolved_database_url()), utc_now)
    try:
        with state.write_sessions() as session, session.begin():
            summary = catalog_io.import_catalog(session, data, now=utc_now())
    except DomainError as exc:
        return _error(f"{args.file}: {exc.message}")
    finally:
        state.engine.dispose()
    sys.stdout.write(f"imported {args.file}: {summary.describe()}\n")
    for note in summary.notes:
        sys.stdout.write(f"  {note}\n")
    return 0


def run_catalog_export(args: argparse.Namespace) -> int:
    """Write the catalog as UTF-8 JSON to --out or standard output."""
    import json

    from boxoffice.server.app import prepare_database, utc_now
    from boxoffice.server.db.engine import make_engine
    from boxoffice.server.services import catalog_io

    settings = _settings(args, load_demo=False)
    state = prepare_database(settings, make_engine(settings.resolved_database_url()), utc_now)
    try:
        with state.read_sessions() as session:
            document = catalog_io.export_catalog(session)
    finally:
        state.engine.dispose()
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        return _error(f"cannot write {args.out}: {exc.strerror or exc}")
    sys.stderr.write(f"exported {len(document['events'])} events to {args.out}\n")
    return 0
