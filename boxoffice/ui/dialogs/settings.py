"""The settings dialog: printer, auto-print, ticket size, save folder, the receipt printer
and receipts after each sale, and which API to use."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from boxoffice.desktop.settings import AppSettings
from boxoffice.ui.presenters.printing import PrintingPresenter

NO_PRINTER = "No printer (save the tickets to the save folder)"
NO_RECEIPT_PRINTER = "None (no receipts printed)"


class SettingsDialog(QDialog):
    """Edits a copy of the settings; `result_settings()` gives them back after OK."""

    def __init__(
        self, settings: AppSettings, printing: PrintingPresenter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings — Box Office")
        self._settings = settings.model_copy()
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
            }
        )
