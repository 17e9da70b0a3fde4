"""A kiosk printer's state from CUPS' own words: stopped, out of paper, jammed, missing."""

from __future__ import annotations

from typing import Any

import pytest

from boxoffice.desktop import printer_state
from boxoffice.desktop.printer_state import parse_options, read_state, stop_message

IDLE = "copies=1 printer-info=Hall printer-is-accepting-jobs=true printer-state=3 " + (
    "printer-state-reasons=none printer-make-and-model='Generic CUPS-PDF Printer'"
)


def fake_cups(monkeypatch: pytest.MonkeyPatch, options: str | None, lpstat: str = "") -> None:
    def run(*command: str) -> str | None:
        return options if command[0] == "lpoptions" else lpstat

    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(printer_state, "_run", run)


def test_options_are_read_with_quotes():
    options = parse_options(IDLE)
    assert options["printer-state"] == "3"
    assert options["printer-make-and-model"] == "Generic CUPS-PDF Printer"


def test_the_stop_message_is_the_line_after_disabled_since():
    text = "printer Hall disabled since Fri 04 Dec 2026 -\n\tPaper jam in tray 1\n"
    assert stop_message(text) == "Paper jam in tray 1"
    assert stop_message("printer Hall is idle.  enabled since Fri\n") == ""


@pytest.mark.parametrize(
    ("state", "reasons", "accepting", "problem"),
    [
        ("3", "none", "true", None),
        ("4", "none", "true", None),
        ("5", "paused", "true", "The ticket printer is stopped."),
        ("3", "none", "false", "The ticket printer is stopped."),
        ("5", "media-empty-error", "true", "The ticket printer is out of paper."),
        ("3", "media-needed-warning", "true", None),  # a warning: it still prints
        ("5", "media-jam-error", "true", "The ticket printer is jammed."),
        ("5", "offline-report", "true", "The ticket printer is switched off."),
    ],
)
def test_states_and_reasons_in_the_customers_words(
    monkeypatch: Any, state: str, reasons: str, accepting: str, problem: str | None
):
    options = (
        f"printer-is-accepting-jobs={accepting} printer-state={state} "
        f"printer-state-reasons={reasons}"
    )
    fake_cups(monkeypatch, options)
    found = read_state("Hall")
    assert found.problem == problem
    assert f"printer-state={state}" in found.detail and reasons in found.detail


def test_an_unknown_printer_is_missing(monkeypatch: Any):
    fake_cups(monkeypatch, None)
    assert read_state("Gone").problem == "The ticket printer is missing."


def test_without_cups_tools_nothing_is_known(monkeypatch: Any):
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert read_state("Hall").ready
