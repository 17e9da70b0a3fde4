"""The settings dialog: printer, auto-print, ticket size, save folder, the receipt printer
and receipts after each sale, which API to use, this counter's card reader (its own
dialog, `dialogs.readers`), larger text, the high-contrast theme and the window's language
(used from the next start: the window is not rebuilt)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boxoffice import i18n
from boxoffice.desktop.settings import AppSettings
from boxoffice.i18n import N_, _
from boxoffice.ui.announce import announce
from boxoffice.ui.dialogs.readers import ReadersDialog, reader_summary
from boxoffice.ui.presenters.printing import PrintingPresenter, shown_name
from boxoffice.ui.presenters.reader import ReaderPresenter

NO_PRINTER = N_("No printer (save the tickets to the save folder)")
NO_RECEIPT_PRINTER = N_("None (no receipts printed)")
NEXT_START = N_("The new language is used from the next start of Box Office.")
LARGER_TEXT = 1.25  # Settings → Larger text


class SettingsDialog(QDialog):
    """Edits a copy of the settings; `result_settings()` gives them back after OK."""

    def __init__(
        self,
        settings: AppSettings,
        printing: PrintingPresenter,
        parent: QWidget | None = None,
        *,
        readers: ReaderPresenter | None = None,
        training: bool = False,
        staff: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Settings — Box Office"))
        self._settings = settings.model_copy()
        self._readers = readers
        self._training = training
        self.readers_dialog: ReadersDialog | None = None
        self.card_reader = QLabel()
        self.card_reader.setWordWrap(True)
        self.card_reader_button = QPushButton(_("Card rea&der…"))
        self.card_reader_button.setEnabled(readers is not None)
        self.card_reader_button.clicked.connect(self.open_readers)
        if readers is not None:
            readers.changed.connect(self._show_reader)
        self._show_reader()
        self.printer = QComboBox()
        self.printer.addItem(_(NO_PRINTER), None)
        for name in printing.printer_choices():
            self.printer.addItem(shown_name(name), name)
        index = self.printer.findData(settings.printer)
        self.printer.setCurrentIndex(max(index, 0))
        self.auto_print = QCheckBox(_("Print the tickets as soon as a sale is paid"))
        self.auto_print.setChecked(settings.auto_print)
        self.receipt_printer = QComboBox()
        self.receipt_printer.addItem(_(NO_RECEIPT_PRINTER), None)
        for name in printing.printer_choices():
            self.receipt_printer.addItem(shown_name(name), name)
        self.receipt_printer.setCurrentIndex(
            max(self.receipt_printer.findData(settings.receipt_printer), 0)
        )
        self.kiosk = QCheckBox(
            _("Start this computer as a self-service &kiosk (from the next start)")
        )
        self.kiosk.setChecked(settings.kiosk)
        self.kiosk.setEnabled(staff)  # only staff turn a counter into a kiosk
        self.kiosk.setToolTip(
            _(
                "Only staff can change this. Staff leave the kiosk with Ctrl+Alt+Shift+E and "
                "their password."
            )
        )
        self.print_receipts = QCheckBox(_("Print a receipt after each sale"))
        self.print_receipts.setChecked(settings.print_receipts)
        self.ticket_size = QComboBox()
        self.ticket_size.addItem(_("A4 sheet"), "a4")
        self.ticket_size.addItem(_("Ticket stock (8 × 3.25 in)"), "ticket")
        self.ticket_size.setCurrentIndex(max(self.ticket_size.findData(settings.ticket_size), 0))
        self.save_folder = QLineEdit(settings.save_folder or str(printing.save_folder))
        self.api_url = QLineEdit(settings.api_url or "")
        self.api_url.setPlaceholderText(_("empty: the built-in training server"))
        self.organizer = QLineEdit(settings.organizer)
        self.counter_name = QLineEdit(settings.counter_name)
        self.counter_name.setMaxLength(64)
        self.counter_name.setToolTip(_("This till's name: cash goes to its shift and drawer"))
        self.tls_ca_file = QLineEdit(settings.tls_ca_file or "")
        self.tls_ca_file.setPlaceholderText(
            _("empty: the system's, or a venue certificate trusted on first use")
        )
        pinned = settings.tls_fingerprint or _("none")
        if settings.tls_fingerprint and settings.tls_pinned_for:
            pinned = f"{settings.tls_pinned_for}\nSHA-256 {settings.tls_fingerprint}"
        self.tls_pinned = QLabel(pinned)
        self.tls_pinned.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.larger_text = QCheckBox(
            _("&Larger text (%(percent)d %%)") % {"percent": round(LARGER_TEXT * 100)}
        )
        self.larger_text.setChecked(settings.text_scale > 1.0)
        self.high_contrast = QCheckBox(_("&High-contrast theme (black on white, thicker focus)"))
        self.high_contrast.setChecked(settings.theme == "high-contrast")
        # Each language by its own name (a cashier who cannot read the one in use finds theirs).
        self.language = QComboBox()
        self.language.setAccessibleName(_("Language"))
        system = i18n.LANGUAGES[i18n.system_language()]
        self.language.addItem(_("System language (%(language)s)") % {"language": system}, None)
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(self.language.findData(settings.language), 0))
        self.language_label = QLabel(_("Lan&guage"))
        self.language_label.setBuddy(self.language)
        self.language_note = QLabel(_(NEXT_START))
        self.language_note.setWordWrap(True)
        self.language_note.setProperty("tone", "muted")
        self.language_note.hide()
        self.language.currentIndexChanged.connect(self._language_changed)
        language_box = QVBoxLayout()
        language_box.setContentsMargins(0, 0, 0, 0)
        language_box.addWidget(self.language)
        language_box.addWidget(self.language_note)
        form = QFormLayout()
        form.addRow(_("&Printer"), self.printer)
        form.addRow("", self.auto_print)
        form.addRow(_("Ticket &size"), self.ticket_size)
        form.addRow(_("&Receipt printer"), self.receipt_printer)
        form.addRow("", self.print_receipts)
        form.addRow(_("Save &folder"), self.save_folder)
        form.addRow(_("&API URL"), self.api_url)
        form.addRow(_("&Organizer"), self.organizer)
        form.addRow(_("Cou&nter name"), self.counter_name)
        form.addRow(_("TLS &CA file"), self.tls_ca_file)
        form.addRow(_("Trusted certificate"), self.tls_pinned)
        reader_row = QHBoxLayout()
        reader_row.addWidget(self.card_reader, 1)
        reader_row.addWidget(self.card_reader_button)
        form.addRow(_("Card reader"), reader_row)
        form.addRow("", self.kiosk)
        form.addRow(_("Look"), self.larger_text)
        form.addRow("", self.high_contrast)
        form.addRow(self.language_label, language_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            QLabel(_("A new API URL or organizer takes effect when Box Office restarts."))
        )
        layout.addWidget(buttons)

    def open_readers(self) -> ReadersDialog | None:
        """Settings → Card reader…: the readers, this counter's pick, register, test."""
        if self._readers is None:
            return None
        self.readers_dialog = ReadersDialog(self._readers, training=self._training, parent=self)
        self.readers_dialog.open()
        return self.readers_dialog

    def _show_reader(self) -> None:
        readers = self._readers
        if readers is None:
            self.card_reader.setText(_("Not available"))
        elif not readers.loaded:
            self.card_reader.setText(_("Not known yet"))
        else:
            self.card_reader.setText(reader_summary(readers.counter_reader, readers.counter))

    @property
    def language_changed(self) -> bool:
        """Whether OK changes the language (which the next start uses)."""
        return bool(self.language.currentData() != self._settings.language)

    def _language_changed(self) -> None:
        """Say under the combo, once it differs from the saved choice, that the new language
        comes with the next start (the window is not rebuilt)."""
        changed, shown = self.language_changed, not self.language_note.isHidden()
        self.language_note.setVisible(changed)
        # Read with the combo too: a screen reader's user stays on it.
        self.language.setAccessibleDescription(self.language_note.text() if changed else "")
        if changed and not shown:
            announce(self.language_note)

    def result_settings(self) -> AppSettings:
        return self._settings.model_copy(
            update={
                "printer": self.printer.currentData(),
                "auto_print": self.auto_print.isChecked(),
                "receipt_printer": self.receipt_printer.currentData(),
                "print_receipts": self.print_receipts.isChecked(),
                "ticket_size": self.ticket_size.currentData(),
                "save_folder": self.save_folder.text().strip() or None,
                "api_url": self.api_url.text().strip() or None,
                "organizer": self.organizer.text().strip() or "demo",
                "counter_name": self.counter_name.text().strip() or self._settings.counter_name,
                "tls_ca_file": self.tls_ca_file.text().strip() or None,
                "kiosk": self.kiosk.isChecked(),
                "text_scale": (
                    (self._settings.text_scale if self._settings.text_scale > 1 else LARGER_TEXT)
                    if self.larger_text.isChecked()
                    else 1.0
                ),
                "theme": "high-contrast" if self.high_contrast.isChecked() else "light",
                "language": self.language.currentData(),
            }
        )
