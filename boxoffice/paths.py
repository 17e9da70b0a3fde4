"""Where bundled resources and the per-user data directory live; nothing else builds these paths."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

APP_NAME = "boxoffice"


def resources_dir() -> Path:
    """The `resources/` folder: beside the package, or inside the PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    """A file under `resources/`."""
    return resources_dir().joinpath(*parts)


def default_data_dir() -> Path:
    """The platform's per-user data directory for Box Office."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
