"""The `boxoffice` command line; today the server-side commands of `boxoffice.server.cli`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from boxoffice.server import cli as server_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="boxoffice", description="Box Office")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    server_cli.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(argv) if argv is not None else sys.argv[1:])
    if args.command is None:
        # Until the desktop app lands, `boxoffice` alone runs the venue server.
        args = build_parser().parse_args(["serve"])
    result: int = args.handler(args)
    return result
