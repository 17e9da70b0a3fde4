"""Kiosk mode as a setting of the computer: only staff switch it on in the counter's
Settings, and a computer with it on starts as the kiosk."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from boxoffice import app, kiosk_app
from boxoffice.desktop.arguments import add_arguments
from boxoffice.desktop.settings import AppSettings
from boxoffice.ui.dialogs.settings import SettingsDialog
from boxoffice.ui.settings_store import SettingsStore


class Printing:
    def __init__(self, folder: Path) -> None:
        self.save_folder = folder

    def printer_choices(self) -> list[str]:
        return []


@pytest.mark.parametrize("staff", [False, True])
def test_only_staff_switch_kiosk_mode_on(qapp, tmp_path: Path, staff: bool) -> None:
    dialog = SettingsDialog(AppSettings(), Printing(tmp_path), staff=staff)  # type: ignore[arg-type]
    assert dialog.kiosk.isEnabled() is staff and not dialog.kiosk.isChecked()
    if staff:
        dialog.kiosk.setChecked(True)
        assert dialog.result_settings().kiosk
    dialog.deleteLater()


def test_a_computer_with_kiosk_mode_on_starts_as_the_kiosk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_file = tmp_path / "settings.ini"
    SettingsStore.in_file(settings_file).save(AppSettings(kiosk=True))
    started: list[argparse.Namespace] = []

    def run_kiosk(args: argparse.Namespace) -> int:
        started.append(args)
        return 7

    monkeypatch.setattr(kiosk_app, "run", run_kiosk)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert app.run(parser.parse_args(["--settings-file", str(settings_file)])) == 7
    assert started and not started[0].kiosk  # from the setting, not the flag
