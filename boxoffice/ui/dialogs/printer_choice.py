"""The first start's question: which printer prints the tickets after a sale, or none ("save
only": the tickets are saved to the save folder). Asked once; Settings changes it later."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boxoffice.i18n import _
from boxoffice.ui.presenters.printing import PRINT_TO_FILE, PrintingPresenter, shown_name


class PrinterChoiceDialog(QDialog):
    """Asks for the printer; any way it closes is the answer (closing it means save only),
    handed to `PrintingPresenter.answer_printer_question`. Deletes itself when closed."""

    def __init__(self, printing: PrintingPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Printer — Box Office"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._printing = printing
        self._answer: str | None = None
        choices = printing.printer_choices()
        found = [name for name in choices if name != PRINT_TO_FILE]
        self.question = QLabel(_question(found, str(printing.save_folder)))
        self.question.setWordWrap(True)
        self.printer = QComboBox()
        for name in choices:
            self.printer.addItem(shown_name(name), name)
        suggested = self.printer.findData(printing.suggested_printer())
        self.printer.setCurrentIndex(max(suggested, 0))
        self.use_printer = QPushButton(_("&Use this printer"))
        self.save_only = QPushButton(_("&Save only, no printer"))
        (self.use_printer if found else self.save_only).setDefault(True)
        form = QFormLayout()
        form.addRow(_("&Printer"), self.printer)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_only)
        buttons.addWidget(self.use_printer)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.use_printer.clicked.connect(self._use_printer)
        self.save_only.clicked.connect(self.accept)
        self.finished.connect(lambda _result: printing.answer_printer_question(self._answer))

    def _use_printer(self) -> None:
        self._answer = self.printer.currentData()
        self.accept()


def _question(found: list[str], save_folder: str) -> str:
    intro = (
        _("Which printer prints the tickets after each sale?")
        if found
        else _("No printer was found on this computer.")
    )
    rest = _(
        "With no printer the tickets are saved to %(folder)s and the screen says where. You "
        "can change this later in Settings (Ctrl+,)."
    ) % {"folder": save_folder}
    return f"{intro} {rest}"
