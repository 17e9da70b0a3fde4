"""The `boxoffice` command line: no command opens the desktop app; `serve`, `users`, `catalog`…
run the venue server's tools; `events`, `sell`, `orders`… sell from scripts."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from boxoffice import i18n
from boxoffice.cli import client, documents, readers, refund, server, shift
from boxoffice.cli.output import CommandError, fail
from boxoffice.desktop import arguments
from boxoffice.i18n import _


def _global_defaults(parser: argparse.ArgumentParser) -> dict[str, Any]:
    """Let the options of `parser` (the global ones) be given before or after the command.

    argparse lets a subcommand's default overwrite what was given before the command, so
    `boxoffice --api URL login` used login's default URL. Every parser in the tree gets
    `SUPPRESS` as the default of those options (absent unless given; given after the command
    wins); the defaults are returned per parser, to be filled in after parsing."""
    dests = {a.dest for a in parser._actions if a.option_strings and a.dest != "help"}
    defaults: dict[str, Any] = {}
    originals: dict[int, Any] = {}  # subcommands share the actions of a parent parser
    for sub in _parsers(parser):
        for action in sub._actions:
            if action.dest in dests and action.option_strings:
                default = originals.setdefault(id(action), action.default)
                defaults[f"{id(sub)}:{action.dest}"] = default
                action.default = argparse.SUPPRESS
    return defaults


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                found += _parsers(sub)
    return found


def _chosen(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[Any]:
    """`parser` and the subcommand parsers that `args` went through, outermost first."""
    chain: list[Any] = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            name = getattr(args, action.dest, None)
            if name is not None:
                chain += _chosen(action.choices[name], args)
    return chain


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Parse `argv`; global options (`--api`, `--data-dir`, `--log-level`…) may come before
    or after the command, the later one winning."""
    parser = build_parser()
    defaults = _global_defaults(parser)
    args = parser.parse_args(argv)
    for sub in reversed(_chosen(parser, args)):  # the innermost parser's default wins
        for key, default in defaults.items():
            owner, _colon, dest = key.partition(":")
            if owner == str(id(sub)) and not hasattr(args, dest):
                setattr(args, dest, default)
    return args


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="boxoffice",
        description=_("Box Office. With no command it opens the desktop box office."),
    )
    arguments.add_arguments(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    app = commands.add_parser("app", help=_("open the desktop box office (the default)"))
    arguments.add_arguments(app)
    app.set_defaults(handler=_run_app)
    server.add_commands(commands)
    client.add_commands(commands)
    shift.add_commands(commands)
    refund.add_commands(commands)
    readers.add_commands(commands)
    documents.add_commands(commands)
    return parser


def _run_app(args: argparse.Namespace) -> int:
    # The app (and PySide6) is imported only when it runs: `serve` never loads Qt.
    from boxoffice import app

    return app.run(args)


def main(argv: Sequence[str] | None = None) -> int:
    i18n.use(i18n.system_language())  # the command line speaks the system's language
    args = parse(list(argv) if argv is not None else sys.argv[1:])
    if args.command is None:
        return _run_app(args)
    try:
        result: int = args.handler(args)
    except CommandError as exc:  # a failure the command itself found: one sentence, its code
        fail(str(exc))
        return int(exc.code)
    return result
