"""Settings → Language: the system's language or one by its own name, saved as the setting
`language` (None: the system's) and used from the next start, as the note under it says."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox

from boxoffice.desktop.settings import AppSettings
from boxoffice.ui import language
from boxoffice.ui.dialogs.settings import SettingsDialog
from boxoffice.ui.settings_store import SettingsStore

NEXT_START = "The new language is used from the next start of Box Office."


class Printing:
    def __init__(self, folder: Path) -> None:
        self.save_folder = folder

    def printer_choices(self) -> list[str]:
        return []


def settings_dialog(settings: AppSettings, folder: Path) -> SettingsDialog:
    return SettingsDialog(settings, Printing(folder))  # type: ignore[arg-type]


def press_ok(dialog: SettingsDialog) -> list[AppSettings]:
    """OK, as the dialog host takes it: the edited settings once the dialog is accepted."""
    saved: list[AppSettings] = []
    dialog.accepted.connect(lambda: saved.append(dialog.result_settings()))
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    return saved


def items(dialog: SettingsDialog) -> list[str]:
    return [dialog.language.itemText(index) for index in range(dialog.language.count())]


def test_choosing_czech_saves_it_and_says_it_comes_with_the_next_start(qapp, tmp_path):
    dialog = settings_dialog(AppSettings(), tmp_path)
    assert items(dialog) == ["System language (English)", "English", "Čeština", "Deutsch"]
    assert dialog.language.currentIndex() == 0 and dialog.language_note.isHidden()
    assert dialog.language_label.buddy() is dialog.language
    assert dialog.language.accessibleName() == "Language"

    dialog.language.setCurrentIndex(dialog.language.findData("cs"))
    assert not dialog.language_note.isHidden()
    assert dialog.language_note.text() == NEXT_START
    assert dialog.language.accessibleDescription() == NEXT_START  # read with the combo too
    saved = press_ok(dialog)

    assert [each.language for each in saved] == ["cs"]
    store = SettingsStore.in_file(tmp_path / "settings.ini")
    store.save(saved[0])
    assert store.load().language == "cs"
    dialog.deleteLater()


def test_the_system_item_saves_none_and_the_saved_choice_is_shown(qapp, tmp_path):
    dialog = settings_dialog(AppSettings(language="de"), tmp_path)
    assert dialog.language.currentText() == "Deutsch" and dialog.language_note.isHidden()

    dialog.language.setCurrentIndex(0)
    assert not dialog.language_note.isHidden()
    saved = press_ok(dialog)
    assert len(saved) == 1 and saved[0].language is None

    # Back to the saved choice: nothing changes, nothing to say.
    again = settings_dialog(AppSettings(language="de"), tmp_path)
    again.language.setCurrentIndex(again.language.findData("cs"))
    again.language.setCurrentIndex(again.language.findData("de"))
    assert again.language_note.isHidden() and again.result_settings().language == "de"
    dialog.deleteLater()
    again.deleteLater()


def test_the_settings_dialog_speaks_czech(qapp, tmp_path):
    """Needs the dialogs' Czech messages in resources/locale (after the catalogs are merged)."""
    language.apply("cs")
    dialog = settings_dialog(AppSettings(), tmp_path)
    assert dialog.language_label.text() == "&Jazyk"
    assert items(dialog) == ["Jazyk systému (English)", "English", "Čeština", "Deutsch"]
    assert dialog.windowTitle() == "Nastavení — Box Office"
    dialog.language.setCurrentIndex(dialog.language.findData("de"))
    assert dialog.language_note.text() == "Nový jazyk se použije od příštího spuštění Box Office."
    dialog.deleteLater()
