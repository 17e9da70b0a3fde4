"""Issue 12 item 14: options of `boxoffice` itself work before or after the command."""

from __future__ import annotations

import argparse

import pytest

from boxoffice.cli.client import DEFAULT_API
from boxoffice.cli.main import parse

CLIENT_COMMANDS = [
    ["events"],
    ["sell", "1", "2"],
    ["orders"],
    ["download", "3"],
    ["login"],
    ["logout"],
]


@pytest.mark.parametrize("command", CLIENT_COMMANDS, ids=lambda c: c[0])
def test_api_before_after_or_not_at_all(command, monkeypatch):
    monkeypatch.delenv("BOXOFFICE_API_URL", raising=False)
    assert parse(command).api == DEFAULT_API
    assert parse(["--api", "http://a", *command]).api == "http://a"
    assert parse([*command, "--api", "http://b"]).api == "http://b"
    assert parse(["--api", "http://a", *command, "--api", "http://b"]).api == "http://b"
    organizer = parse(["--organizer", "venue", *command]).organizer
    assert organizer == "venue"


@pytest.mark.parametrize(
    "command", [["serve"], ["users", "list"], ["mail", "list"], ["ledger", "verify"]]
)
def test_data_dir_and_log_level_before_a_server_command(command):
    args = parse(["--data-dir", "/srv/venue", *command])
    assert str(args.data_dir) == "/srv/venue"
    assert parse(command).data_dir is None
    assert argparse.SUPPRESS not in vars(parse(command)).values()


def test_no_command_opens_the_app_with_its_defaults():
    args = parse([])
    assert args.command is None and args.api is None and args.log_level == "INFO"
    assert parse(["--log-level", "debug", "serve"]).log_level == "debug"
    assert parse(["serve"]).log_level == "info"
