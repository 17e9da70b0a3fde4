"""Whether a CUPS printer can print now, read from the scheduler (`lpoptions`, `lpstat`).

A kiosk prints for strangers, so it checks before it sells: a stopped queue, a paper jam
or an empty tray is a reason to say "out of order" rather than take money. The state comes
from the printer's IPP attributes as `lpoptions -p NAME` prints them (`printer-state`,
`printer-state-reasons`, `printer-is-accepting-jobs`) and the stop message from `lpstat -p`.
Without the CUPS tools (Windows) nothing is known and the printer counts as ready.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from dataclasses import dataclass

from boxoffice.i18n import N_

STOPPED = "5"  # IPP printer-state: 3 idle, 4 processing, 5 stopped
TIMEOUT = 5.0

# printer-state-reasons (without their -error/-warning/-report suffix) → the customer's words,
# in English as logged (`N_`): the kiosk's screens show them translated, `_(problem)`.
REASONS: dict[str, str] = {
    "media-empty": N_("The ticket printer is out of paper."),
    "media-needed": N_("The ticket printer is out of paper."),
    "media-jam": N_("The ticket printer is jammed."),
    "toner-empty": N_("The ticket printer is out of ink."),
    "marker-supply-empty": N_("The ticket printer is out of ink."),
    "door-open": N_("The ticket printer's cover is open."),
    "cover-open": N_("The ticket printer's cover is open."),
    "offline": N_("The ticket printer is switched off."),
    "shutdown": N_("The ticket printer is switched off."),
}
STOPPED_TEXT = N_("The ticket printer is stopped.")
MISSING_TEXT = N_("The ticket printer is missing.")


@dataclass(frozen=True)
class PrinterState:
    """`problem`: a sentence for the customer (English, marked for translation: shown as
    `_(problem)`), None when the printer can print; `detail`: what the scheduler said, for
    staff."""

    problem: str | None
    detail: str = ""

    @property
    def ready(self) -> bool:
        return self.problem is None


def read_state(name: str) -> PrinterState:
    """The state of CUPS queue `name` (the `CUPS_SERVER` of the environment is asked)."""
    if shutil.which("lpoptions") is None:
        return PrinterState(None, "no CUPS tools here: the printer's state is not known")
    options = _run("lpoptions", "-p", name)
    if options is None:
        return PrinterState(MISSING_TEXT, f"CUPS does not know a printer {name!r}")
    attributes = parse_options(options)
    reasons = [r for r in attributes.get("printer-state-reasons", "none").split(",") if r]
    message = stop_message(_run("lpstat", "-p", name) or "")
    detail = (
        f"{name}: printer-state={attributes.get('printer-state', '?')} "
        f"reasons={','.join(reasons) or 'none'}" + (f" message={message!r}" if message else "")
    )
    for reason in reasons:
        base = _base_reason(reason)
        if base in REASONS and not reason.endswith("-warning") and not reason.endswith("-report"):
            return PrinterState(REASONS[base], detail)
        if base == "offline" and reason.endswith("-report"):
            return PrinterState(REASONS[base], detail)
    stopped = attributes.get("printer-state") == STOPPED
    refusing = attributes.get("printer-is-accepting-jobs") == "false"
    if stopped or refusing:
        return PrinterState(STOPPED_TEXT, detail)
    return PrinterState(None, detail)


def parse_options(text: str) -> dict[str, str]:
    """`lpoptions`' `key=value key2='a b'` line as a dict (a bare key maps to "")."""
    pairs: dict[str, str] = {}
    for token in shlex.split(text):
        key, _, value = token.partition("=")
        pairs[key] = value
    return pairs


def stop_message(lpstat: str) -> str:
    """The reason `cupsdisable -r` gave (the indented line after "disabled since …")."""
    lines = lpstat.splitlines()
    for index, line in enumerate(lines):
        if " disabled since " in line and index + 1 < len(lines):
            return lines[index + 1].strip()
    return ""


def _base_reason(reason: str) -> str:
    for suffix in ("-error", "-warning", "-report"):
        if reason.endswith(suffix):
            return reason[: -len(suffix)]
    return reason


def _run(*command: str) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
