"""The `boxoffice` command line: no command opens the desktop app; `serve`, `users`, `catalog`…
run the venue server's tools; `events`, `sell`, `orders`… sell from scripts."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from boxoffice.cli import client, server
from boxoffice.desktop import arguments


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="boxoffice",
        description="Box Office. With no command it opens the desktop box office.",
    )
    arguments.add_arguments(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    app = commands.add_parser("app", help="open the desktop box office (the default)")
    arguments.add_arguments(app)
    app.set_defaults(handler=_run_app)
    server.add_commands(commands)
    client.add_commands(commands)
    return parser


def _run_app(args: argparse.Namespace) -> int:
    # The app (and PySide6) is imported only when it runs: `serve` never loads Qt.
    from boxoffice import app

    return app.run(args)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(argv) if argv is not None else sys.argv[1:])
    if args.command is None:
        return _run_app(args)
    result: int = args.handler(args)
    return result
