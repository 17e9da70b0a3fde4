"""Keeps `AppSettings` where Qt apps keep theirs (QSettings: ~/.config on Linux, the registry
on Windows, a plist on macOS)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from boxoffice.desktop.settings import AppSettings

ORGANIZATION = "boxoffice"
APPLICATION = "Box Office"


class SettingsStore:
    """Loads and saves the app settings; a broken value falls back to its default."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._qsettings = qsettings or QSettings(ORGANIZATION, APPLICATION)

    @classmethod
    def in_file(cls, path: Path) -> SettingsStore:
        """Settings in an INI file of their own (tests, kiosks with a fixed configuration)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    def load(self) -> AppSettings:
        values = {}
        for name in AppSettings.model_fields:
            value = self._qsettings.value(name)
            if value is not None and value != "":
                values[name] = _from_ini(value)
        try:
            return AppSettings.model_validate(values)
        except ValueError:
            good = {}
            for name, value in values.items():
                try:
                    AppSettings.model_validate({name: value})
                except ValueError:
                    continue
                good[name] = value
            return AppSettings.model_validate(good)

    def save(self, settings: AppSettings) -> None:
        for name, value in settings.model_dump().items():
            if value is None:
                self._qsettings.remove(name)
            else:
                self._qsettings.setValue(name, value)
        self._qsettings.sync()


def _from_ini(value: object) -> object:
    """INI files give booleans back as "true"/"false" strings."""
    if value in ("true", "false"):
        return value == "true"
    return value
