"""The desktop app's command-line options (kept apart so `boxoffice serve` never loads Qt)."""

from __future__ import annotations

import argparse
from pathlib import Path

from boxoffice.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api", metavar="URL", help=_("sell through this API (default: built-in)"))
    parser.add_argument("--organizer", help=_("the organizer to sell for (default: settings)"))
    parser.add_argument("--data-dir", type=Path, help=_("data folder of the built-in server"))
    parser.add_argument(
        "--settings-file", type=Path, help=_("keep settings in this INI file instead of Qt's place")
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help=_("open the window, wait until the events are shown, print the time and quit"),
    )
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument(
        "--kiosk",
        action="store_true",
        help=_("run the self-service kiosk (full screen, card only) instead of the counter"),
    )
    parser.add_argument(
        "--kiosk-idle",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help=_("kiosk: start over after this long without input (default 60; 10 s to answer)"),
    )
    parser.add_argument(
        "--kiosk-printer",
        metavar="NAME",
        help=_("kiosk: print the tickets on this printer (default: the printer in the settings)"),
    )
    parser.add_argument(
        "--kiosk-screen-only",
        action="store_true",
        help=_("kiosk: show the tickets as QR codes on screen only (no printer needed)"),
    )
