"""The settings dialog: printer, auto-print, ticket size, save folder, the receipt printer
and receipts after each sale, which API to use, this counter's card reader (its own
dialog, `dialogs.readers`), larger text and the high-contrast theme."""

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

from boxoffice.desktop.settings import AppSettings
from boxoffice.ui.dialogs.readers import ReadersDialog, reader_summary
from boxoffice.ui.presenters.printing import PrintingPresenter
from boxoffice.ui.presenters.reader import ReaderPresenter

NO_PRINTER = "No printer (save the tickets to the save folder)"
NO_RECEIPT_PRINTER = "None (no receipts printed)"
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
        self.setWindowTitle("Settings — Box Office")
        self._settings = settings.model_copy()
        self._readers = readers
        self._training = training
        self.readers_dialog: ReadersDialog | None = None
        self.card_reader = QLabel()
        self.card_reader.setWordWrap(True)
        self.card_reader_button = QPushButton("Card rea&der…")
        self.card_reader_button.setEnabled(readers is not None)
        self.card_reader_button.clicked.connect(self.open_readers)
        if readers is not None:
            readers.changed.connect(self._show_reader)
        self._show_reader()
        self.printer = QComboBox()
        self.printer.addItem(NO_PRINTER, None)
        for name in printing.printer_choices():
            self.printer.addItem(name, name)
        index = self.printer.findData(settings.printer)
        self.printer.setCurrentIndex(max(index, 0))
        self.auto_print = QCheckBox("Print the tickets as soon as a sale is paid")
        self.auto_print.setChecked(settings.auto_print)
        self.receipt_printer = QComboBox()
        self.receipt_printer.addItem(NO_RECEIPT_PRINTER, None)
        for name in printing.printer_choices():
            self.receipt_printer.addItem(name, name)
        self.receipt_printer.setCurrentIndex(
            max(self.receipt_printer.findData(settings.receipt_printer), 0)
        )
        self.kiosk = QCheckBox("Start this computer as a self-service &kiosk (from the next start)")
        self.kiosk.setChecked(settings.kiosk)
        self.kiosk.setEnabled(staff)  # only staff turn a counter into a kiosk
        self.kiosk.setToolTip(
            "Only staff can change this. Staff leave the kiosk with Ctrl+Alt+Shift+E and "
            "their password."
        )
        self.print_receipts = QCheckBox("Print a receipt after each sale")
        self.print_receipts.setChecked(settings.print_receipts)
        self.ticket_size = QComboBox()
        self.ticket_size.addItem("A4 sheet", "a4")
        self.ticket_size.addItem("Ticket stock (8 × 3.25 in)", "ticket")
        self.ticket_size.setCurrentIndex(max(self.ticket_size.findData(settings.ticket_size), 0))
        self.save_folder = QLineEdit(settings.save_folder or str(printing.save_folder))
        self.api_url = QLineEdit(settings.api_url or "")
        self.api_url.setPlaceholderText("empty: the built-in training server")
        self.organizer = QLineEdit(settings.organizer)
        self.counter_name = QLineEdit(settings.counter_name)
        self.counter_name.setMaxLength(64)
        self.counter_name.setToolTip("This till's name: cash goes to its shift and drawer")
        self.tls_ca_file = QLineEdit(settings.tls_ca_file or "")
        self.tls_ca_file.setPlaceholderText(
            "empty: the system's, or a venue certificate trusted on first use"
        )
        pinned = settings.tls_fingerprint or "none"
        if settings.tls_fingerprint and settings.tls_pinned_for:
            pinned = f"{settings.tls_pinned_for}\nSHA-256 {settings.tls_fingerprint}"
        self.tls_pinned = QLabel(pinned)
        self.tls_pinned.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.larger_text = QCheckBox(f"&Larger text ({round(LARGER_TEXT * 100)} %)")
        self.larger_text.setChecked(settings.text_scale > 1.0)
        self.high_contrast = QCheckBox("&High-contrast theme (black on white, thicker focus)")
        self.high_contrast.setChecked(settings.theme == "high-contrast")
        form = QFormLayout()
        form.addRow("&Printer", self.printer)
        form.addRow("", self.auto_print)
        form.addRow("Ticket &size", self.ticket_size)
        form.addRow("&Receipt printer", self.receipt_printer)
        form.addRow("", self.print_receipts)
        form.addRow("Save &folder", self.save_folder)
        form.addRow("&API URL", self.api_url)
        form.addRow("&Organizer", self.organizer)
        form.addRow("Cou&nter name", self.counter_name)
        form.addRow("TLS &CA file", self.tls_ca_file)
        form.addRow("Trusted certificate", self.tls_pinned)
        reader_row = QHBoxLayout()
        reader_row.addWidget(self.card_reader, 1)
        reader_row.addWidget(self.card_reader_button)
        form.addRow("Card reader", reader_row)
        form.addRow("", self.kiosk)
        form.addRow("Look", self.larger_text)
        form.addRow("", self.high_contrast)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            QLabel("A new API URL or organizer takes effect when Box Office restarts.")
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
            self.card_reader.setText("Not available")
        elif not readers.loaded:
            self.card_reader.setText("Not known yet")
        else:
            self.card_reader.setText(reader_summary(readers.counter_reader, readers.counter))

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
            }
        )
