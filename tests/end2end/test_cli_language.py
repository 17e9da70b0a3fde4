"""The command line speaks the system's language: `LANG=cs_CZ.UTF-8 boxoffice events` lists the
catalog in Czech with Czech amounts, a German cash sale says so in German, and with no language
set the same command stays English."""

from __future__ import annotations

import os
import subprocess

import pytest

from boxoffice import i18n
from boxoffice.cli.output import ExitCode
from tests.end2end.test_sale_cli import (  # noqa: F401 (the `cli` fixture and its file)
    cli,
    credentials_file,
    paid_event,
    sign_in,
)
from tests.end2end.test_serve import BOXOFFICE
from tests.helpers import factories as f

pytestmark = pytest.mark.end2end

NBSP = "\N{NO-BREAK SPACE}"


def _environment(lang: str | None) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in i18n.LOCALE_VARIABLES}
    if lang is not None:
        environ["LANG"] = lang
    return environ


def _events(api: str, lang: str | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BOXOFFICE, "events", "--api", api],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_environment(lang),
        timeout=60,
    )


def test_events_speak_czech_under_a_czech_lang_and_english_without_one(live_server):
    paid_event(live_server)
    czech = _events(live_server.base_url, "cs_CZ.UTF-8")
    assert czech.returncode == 0, czech.stderr
    assert f"Standard  25,00{NBSP}€  zbývá 10" in czech.stdout, czech.stdout
    english = _events(live_server.base_url, None)
    assert english.returncode == 0, english.stderr
    assert "Standard  25.00 EUR  10 left" in english.stdout, english.stdout
    assert "zbývá" not in english.stdout


def test_a_cash_sale_reports_in_german(cli, live_server, monkeypatch, tmp_path):  # noqa: F811
    event_id, config_id = paid_event(live_server)
    sign_in(cli, live_server)  # in English: the login's words are checked there
    f.open_shift(live_server.state)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    sold = cli(
        "sell", str(event_id), str(config_id), "--qty", "2", "--pay", "cash",
        "--user", "cashier", "--counter", f.COUNTER, "--out", str(tmp_path),
    )  # fmt: skip
    assert sold.code == ExitCode.OK, sold.err
    assert f"bezahlt, 2 Tickets, Gesamt 50,00{NBSP}€ (Bargeld)." in sold.out, sold.out
    assert f"Rückgeld: 0,00{NBSP}€." in sold.out and "Tickets: " in sold.out
