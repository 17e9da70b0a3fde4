"""The environment Qt and QtWebEngine read at start-up, set in one place (Qt-free).

The app, the test suite, the desktop benchmark and the screenshot scripts call
`prepare_qt_environment` before PySide6 is imported; the bundle test and the benchmark pass a
copy of the environment for the child process they start.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping


def prepare_qt_environment(
    env: MutableMapping[str, str] = os.environ,
    *,
    offscreen: bool = False,
    chromium_flags: str | None = None,
) -> None:
    """Set what Qt needs in `env`; a variable already set there is left as it is.

    - QTWEBENGINE_DISABLE_SANDBOX=1 when running as root: Chromium's sandbox cannot run as
      root, and QtWebEngine is told so only then;
    - with `offscreen`, QT_QPA_PLATFORM=offscreen (no display needed; a platform asked for,
      e.g. `QT_QPA_PLATFORM=xcb` to watch the tests, wins);
    - with `chromium_flags`, QTWEBENGINE_CHROMIUM_FLAGS (e.g. "--disable-gpu --no-sandbox").
    """
    if offscreen:
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    if chromium_flags is not None:
        env.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", chromium_flags)
