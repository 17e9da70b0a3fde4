"""Live regions: tell screen readers that a label's text changed (the sale's result, an
error, "Offline"), as ARIA's `role="alert"` / `aria-live` does on a web page."""

from __future__ import annotations

from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QWidget


def announce(widget: QWidget, *, urgent: bool = False) -> None:
    """Say `widget`'s new text: NameChanged always (its name is its text), and an Alert
    when `urgent` (errors, going offline) so it is read out at once."""
    events = [QAccessible.Event.NameChanged]
    if urgent:
        events.append(QAccessible.Event.Alert)
    for kind in events:
        QAccessible.updateAccessibility(QAccessibleEvent(widget, kind))
