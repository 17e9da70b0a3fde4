"""Issue 17, accessibility: every focusable control has a name a screen reader reads, Tab
follows the reading order, the theme's colours have the contrast WCAG asks for."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable
from decimal import Decimal

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QFocusFrame,
    QStackedWidget,
    QWidget,
)

from boxoffice.ui import focus_ring, theme
from tests.helpers.counter import clerk_counter, config_id, named, open_event, wait_until
from tests.helpers.kiosk import running_kiosk


def _shown(widget: QWidget, root: QWidget) -> bool:
    """Shown in `root`, counting every page of a stacked or tabbed widget as shown."""
    each: QWidget | None = widget
    while each is not None and each is not root:
        parent = each.parentWidget()
        if each.isHidden() and not isinstance(parent, QStackedWidget):
            return False
        each = parent
    return True


def focusable(root: QWidget) -> list[QWidget]:
    """The widgets in `root` that take the keyboard focus and are shown (or on a page)."""
    found = []
    for widget in root.findChildren(QWidget):
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or isinstance(widget, QFocusFrame):
            continue
        if widget.focusProxy() is not None or not _shown(widget, root):
            continue
        parent = widget.parentWidget()
        if isinstance(parent, QAbstractScrollArea) and parent.viewport() is widget:
            continue  # a list's viewport: the list is the control
        if parent is not None and parent.metaObject().className() in _INNER_OF:
            continue  # a spin box's or combo box's own line edit
        found.append(widget)
    return found


_INNER_OF = {"QSpinBox", "QDoubleSpinBox", "QComboBox", "QDateEdit", "QTabBar", "QTabWidget"}


def unnamed(roots: Iterable[QWidget]) -> list[str]:
    """Each focusable widget of `roots` whose accessible name is empty, described."""
    offenders = []
    for root in roots:
        for widget in focusable(root):
            iface = QAccessible.queryAccessibleInterface(widget)
            name = iface.text(QAccessible.Text.Name) if iface is not None else ""
            if not name.strip():
                offenders.append(
                    f"{type(root).__name__}: {type(widget).__name__} "
                    f"{widget.objectName()!r} in {type(widget.parentWidget()).__name__}"
                )
    return offenders


def test_every_focusable_control_of_the_counter_has_a_name(qloop, demo_server, tmp_path):
    from boxoffice.ui.dialogs.login import LoginDialog
    from boxoffice.ui.dialogs.refund import RefundDialog
    from boxoffice.ui.dialogs.settings import SettingsDialog
    from boxoffice.ui.dialogs.shift import CashMovementDialog, CloseShiftDialog, OpenShiftDialog
    from boxoffice.ui.presenters.order_actions import WITH_TICKETS

    async def scenario() -> list[str]:
        async with clerk_counter(demo_server.base_url, tmp_path / "app") as counter:
            window = counter.window
            window.show()
            await counter.events.load_list()
            # A paid order of two tickets, for the refund dialog.
            pop = await open_event(counter, named("Pop"))
            counter.cart.add(config_id(pop, "Standard"), 2)
            counter.checkout.complete_sale(method="cash", tendered=Decimal(58))
            await counter.checkout.tasks.wait("sale")
            sale = counter.checkout.last_result
            assert sale is not None
            paid = await counter.sdk.order.get_order(sale.order.id, with_=WITH_TICKETS)
            await asyncio.sleep(0.05)
            dialogs: list[QWidget] = [
                RefundDialog(counter.history.actions, paid, parent=window),
                SettingsDialog(counter.settings, counter.printing, window, staff=True),
                LoginDialog(counter.session, last_user="clerk", parent=window),
                OpenShiftDialog(counter.shift, parent=window),
                CashMovementDialog(counter.shift, parent=window),
                CloseShiftDialog(counter.shift, parent=window),
            ]
            return unnamed([window, *dialogs])

    offenders = qloop.run(scenario())
    assert not offenders, "no accessible name:\n" + "\n".join(offenders)


def test_every_focusable_control_of_the_kiosk_has_a_name(qloop, demo_server, tmp_path):
    async def scenario() -> list[str]:
        async with running_kiosk(
            demo_server.base_url, tmp_path / "kiosk", printer=None, size=(1280, 800)
        ) as kiosk:
            return unnamed([kiosk.window])

    offenders = qloop.run(scenario())
    assert not offenders, "no accessible name:\n" + "\n".join(offenders)


def _box(widget: QWidget) -> QRect:
    return QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())


def out_of_reading_order(visited: list[QWidget]) -> list[str]:
    """Each step of `visited` that goes back up, or left on the same row."""
    wrong = []
    for before, after in itertools.pairwise(visited):
        a, b = _box(before), _box(after)
        same_row = b.top() < a.bottom() and a.top() < b.bottom()
        if (same_row and b.left() < a.left()) or (not same_row and b.top() < a.top()):
            wrong.append(
                f"{type(before).__name__} {_name(before)!r} at {a.topLeft().toTuple()} → "
                f"{type(after).__name__} {_name(after)!r} at {b.topLeft().toTuple()}"
            )
    return wrong


def _name(widget: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name) if iface is not None else ""


async def tab_through(pane: QWidget) -> list[QWidget]:
    """Focus the pane's first control (reading order) and press Tab until the focus leaves."""
    tabbable = [
        w
        for w in focusable(pane)
        if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
    ]
    first = min(tabbable, key=lambda w: (_box(w).top(), _box(w).left()))
    first.setFocus(Qt.FocusReason.TabFocusReason)
    await asyncio.sleep(0)
    visited: list[QWidget] = []
    while (now := QApplication.focusWidget()) is not None and pane.isAncestorOf(now):
        if now in visited:
            break
        visited.append(now)
        QTest.keyClick(now, Qt.Key.Key_Tab)
        await asyncio.sleep(0)
    return visited


def test_tab_follows_the_reading_order_in_each_pane(qloop, demo_server, tmp_path):
    async def scenario() -> dict[str, tuple[int, list[str]]]:
        async with clerk_counter(demo_server.base_url, tmp_path / "app") as counter:
            window = counter.window
            window.show()
            window.activateWindow()
            await wait_until(window.isActiveWindow, timeout=5)
            await open_event(counter, named("Pop"))
            await asyncio.sleep(0.05)
            panes = window.panes
            found = {}
            for name, pane in (
                ("events", panes.events),
                ("cart", panes.cart),
                ("checkout", panes.checkout),
            ):
                visited = await tab_through(pane)
                found[name] = (len(visited), out_of_reading_order(visited))
            return found

    found = qloop.run(scenario())
    for name, (count, wrong) in found.items():
        assert count >= 3, f"the {name} pane: Tab visits {count} controls"
        assert not wrong, f"the {name} pane: Tab goes against the reading order:\n" + "\n".join(
            wrong
        )


@pytest.mark.parametrize("look", list(theme.THEMES.values()), ids=lambda t: t.name)
def test_text_has_4_5_to_1_and_the_focus_ring_3_to_1(look: theme.Theme) -> None:
    low = {
        what: round(theme.contrast_ratio(fg, bg), 2)
        for what, (fg, bg) in look.text_pairs().items()
        if theme.contrast_ratio(fg, bg) < 4.5
    }
    low |= {
        what: round(theme.contrast_ratio(fg, bg), 2)
        for what, (fg, bg) in look.ui_pairs().items()
        if theme.contrast_ratio(fg, bg) < 3
    }
    assert not low, f"{look.name}: too little contrast {low}"


def test_contrast_ratio_matches_wcag() -> None:
    assert theme.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert theme.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    assert theme.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("look", list(theme.THEMES.values()), ids=lambda t: t.name)
def test_the_focus_ring_is_at_least_2_px_and_every_token_is_defined(qapp, look) -> None:
    assert look.focus_width >= 2
    sheet = theme.style_sheet(look, 1.25, kiosk=True)  # an unknown @token raises
    assert "@" not in sheet
    theme.apply(qapp, look.name)
    try:
        assert focus_ring.RING_WIDTH == look.focus_width >= 2
        assert look.focus == focus_ring.RING_COLOUR
    finally:
        theme.apply(qapp, "light")
