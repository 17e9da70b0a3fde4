"""The seat picking dialog: one event's seating page; OK keeps the holds, Cancel frees them."""

from __future__ import annotations

from typing import Any

from PySide6.QtWebEngineCore import QWebEngineProfile
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from boxoffice.desktop.catalog_cache import CatalogCache
from boxoffice.i18n import _, ngettext
from boxoffice.sdk import SDK
from boxoffice.ui.presenters.seating import SeatingPresenter
from boxoffice.ui.web.disposal import dispose_web_dialog
from boxoffice.ui.web.seating_view import SeatingView


class SeatingDialog(QDialog):
    """Pick seats for one sale.

    After `accepted`: `selected_labels`, `hold_token` and `order_items()` (one item per
    ticket config, `selected_seats` filled) go into `sdk.order.create_order(…,
    hold_token=…)`. Cancel (Esc) releases every seat the dialog held. `profile` lets the
    app share one seating profile between dialogs; `hold_token` reuses a token (its seats
    become the selection).
    """

    def __init__(
        self,
        sdk: SDK,
        *,
        event_id: int,
        hold_token: str | None = None,
        title: str | None = None,
        profile: QWebEngineProfile | None = None,
        parent: QWidget | None = None,
        cache: CatalogCache | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(
            _("Seats: %(event)s") % {"event": title} if title else _("Choose seats")
        )
        self.setModal(True)
        self.presenter = SeatingPresenter(
            sdk, event_id=event_id, hold_token=hold_token, parent=self, cache=cache
        )
        self.view = SeatingView(self.presenter, profile=profile, parent=self)
        self.summary = QLabel(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Use these seats"))
        # Enter belongs to the page (it picks seats), not to a default button.
        for button in self.buttons.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(self.view, 1)
        footer = QVBoxLayout()
        footer.setContentsMargins(12, 0, 12, 0)
        footer.addWidget(self.summary)
        footer.addWidget(self.buttons)
        layout.addLayout(footer)
        self.resize(1000, 700)

        self.presenter.selection_changed.connect(self._update)
        self.presenter.pending_changed.connect(self._update)
        self._update()
        self.view.setFocus()
        self.presenter.load()

    @property
    def selected_labels(self) -> list[str]:
        return self.presenter.selected_labels

    @property
    def hold_token(self) -> str | None:
        return self.presenter.hold_token

    def order_items(self) -> list[dict[str, Any]]:
        """The held seats as order items (ticket config per seat category)."""
        return self.presenter.order_items()

    def ticket_config_ids(self) -> dict[str, int | None]:
        """Each seat category's ticket config (the first one that sells it)."""
        mapping: dict[str, int | None] = {}
        for category in self.presenter.seat_categories:
            mapping.setdefault(category.key, category.ticket_config_id)
        return mapping

    def accept(self) -> None:
        if not self.selected_labels or self.presenter.pending_labels:
            return
        super().accept()

    def reject(self) -> None:
        self.presenter.reset()
        super().reject()

    def dispose(self) -> None:
        """Close and delete the dialog: its page at once, the rest once the presenter's
        server calls are over (after Cancel, the seat release)."""
        self._disposal = dispose_web_dialog(self, self.view, self.presenter)

    def _update(self, *_args: object) -> None:
        labels = self.presenter.selected_labels
        ready = bool(labels) and not self.presenter.pending_labels
        self.ok_button.setEnabled(ready)
        if labels:
            self.summary.setText(
                ngettext("%(count)d seat: %(seats)s", "%(count)d seats: %(seats)s", len(labels))
                % {"count": len(labels), "seats": ", ".join(labels)}
            )
        else:
            self.summary.setText(_("No seats picked yet."))
