"""Seating page benchmark: a stadium-size seat map in the real page, offscreen.

    .venv/bin/python benchmarks/seatmap_page.py [--seats 10000,50000] [--clicks 15]

For each size it builds a synthetic map (sections × rows × seats, 1 in 7 seats sold, 1 in
23 held, every 40th accessible) and shows it in the real `SeatingView` (QWebEngineView,
QT_QPA_PLATFORM=offscreen, 1280×800). No server: a stand-in presenter gives the view the map
and answers a toggle at once (the selection changes as the server's answer would make it),
so the figures are the page's own: building the map and reflecting a click.

- load: from creating the view until the page shows every seat and has painted a frame
  after it (`requestAnimationFrame` then a task): the page is interactive.
- click: a click on a free seat (zoomed in to it first, untimed) dispatched in the page
  until the page shows the seat as picked (`seatingPage.state`) and a frame is painted,
  timed in the page with `performance.now()` (the round trip through the bridge and Python
  included); the seats are picked one after another, then some are released again.
- page draws the map: the page's own time from the map's message to the map shown
  (`seatingPage.stats().drawMs`; -1 on pages before it had it).
- memory: the page's renderer process, resident (VmRSS from /proc), once the page is
  interactive, after the clicks, and after a garbage collection (`gc()`, exposed with
  `--js-flags=--expose-gc`): what the page keeps. One renderer serves the sizes in turn:
  run one size alone for its own figure.

`--web-root DIR` serves the pages from a copy of resources/web (an older page, to compare).
Prints median and p95 per size, in a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from boxoffice.desktop.qt_env import prepare_qt_environment

prepare_qt_environment(offscreen=True)
# `gc()` in the page: the memory after a garbage collection is what the page keeps.
os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (
    os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "") + " --js-flags=--expose-gc"
).strip()

from PySide6 import QtWebEngineWidgets  # noqa: E402, F401
from PySide6.QtCore import QCoreApplication, QObject, Signal  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from boxoffice.sdk.models.seating import SeatCategory, SeatMap, SeatObject  # noqa: E402
from boxoffice.ui.web.scheme import register_scheme  # noqa: E402

ROW_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def synthetic_map(seats: int, per_row: int = 40, rows: int = 25) -> SeatMap:
    """About `seats` seats in sections of `rows` × `per_row`, side by side in bands."""
    per_section = rows * per_row
    sections = max(1, round(seats / per_section))
    across = max(1, round(sections**0.5 * 1.6))
    categories = [
        SeatCategory(key="premium", name="Premium", price="80", currency="EUR"),
        SeatCategory(key="stalls", name="Stalls", price="40", currency="EUR"),
        SeatCategory(key="upper", name="Upper", price="25", currency="EUR"),
    ]
    made: list[SeatObject] = []
    for s in range(sections):
        sx, sy = (s % across) * (per_row + 4), (s // across) * (rows + 4)
        name = f"S{s + 1}"
        category = categories[min(2, s // max(1, sections // 3))].key
        for r in range(rows):
            row = ROW_LETTERS[r % len(ROW_LETTERS)] + ("" if r < len(ROW_LETTERS) else str(r))
            for n in range(1, per_row + 1):
                i = len(made)
                status = "booked" if i % 7 == 3 else "reservedByToken" if i % 23 == 5 else "free"
                made.append(
                    SeatObject(
                        label=f"{name}-{row}-{n}",
                        section=name,
                        row=row,
                        number=str(n),
                        category=category,
                        accessible=i % 40 == 0,
                        x=float(sx + n),
                        y=float(sy + r),
                        status=status,
                    )
                )
    return SeatMap(event_id=1, categories=categories, seats=made)


class StandInPresenter(QObject):
    """What `SeatingView` uses of a `SeatingPresenter`, answering at once, no server."""

    selection_changed = Signal(list, str)
    pending_changed = Signal()
    seat_map_changed = Signal()
    busy_changed = Signal(bool)
    error = Signal(str)

    def __init__(self, seat_map: SeatMap) -> None:
        super().__init__()
        self.seat_map = seat_map
        self.selected_labels: list[str] = []
        self.pending_labels: list[str] = []
        self._categories = {c.key: c for c in seat_map.categories}
        self._seats = {s.label: s for s in seat_map.seats}

    def seconds_left(self) -> int | None:
        return 600 if self.selected_labels else None

    def category_of(self, label: str) -> SeatCategory | None:
        seat = self._seats.get(label)
        return self._categories.get(seat.category) if seat else None

    def toggle(self, label: str) -> None:
        if label in self.selected_labels:
            self.selected_labels.remove(label)
        else:
            self.selected_labels.append(label)
        self.selection_changed.emit(self.selected_labels, "token")

    def clear(self) -> None:
        self.selected_labels = []
        self.selection_changed.emit([], "")

    def best_available(self, number: int, **_options: Any) -> None:
        pass


def wait(check: Any, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        QCoreApplication.processEvents()
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not get there")
        time.sleep(0.002)


def js(view: Any, script: str) -> Any:
    box: list[Any] = []
    view.page().runJavaScript(script, 0, box.append)
    wait(lambda: bool(box))
    return box[0]


def wait_js(view: Any, script: str) -> Any:
    while True:
        value = js(view, script)
        if value:
            return value
        time.sleep(0.01)


# Zoomed out, seats have no nodes (sections are blocks): zoom in to the seat first, untimed.
REVEAL = """(function (label) {
  if (!document.querySelector('[data-label="' + label + '"]')) seatingPage.reveal(label);
  return true;
})(%r)"""

CLICK = """(function (label) {
  window.__click = false;
  var want = seatingPage.state(label) === 'selected' ? 'free' : 'selected';
  var node = document.querySelector('[data-label="' + label + '"]');
  var start = performance.now();
  node.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window}));
  (function check() {
    if (seatingPage.state(label) === want) {
      requestAnimationFrame(function () { window.__click = performance.now() - start; });
    } else {
      setTimeout(check, 0);
    }
  })();
  return true;
})(%r)"""

PAINTED = """window.__painted = false;
requestAnimationFrame(function () { setTimeout(function () { window.__painted = true; }); });
true"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(size: int, clicks: int) -> dict[str, Any]:
    from boxoffice.ui.web.seating_view import SeatingView

    seat_map = synthetic_map(size)
    total = len(seat_map.seats)
    presenter = StandInPresenter(seat_map)
    start = time.perf_counter()
    view = SeatingView(presenter)  # type: ignore[arg-type]  # a stand-in
    view.resize(1280, 800)
    view.show()
    wait_js(view, f"!!window.seatingPage && seatingPage.labels().length === {total}")
    js(view, PAINTED)
    wait_js(view, "window.__painted")
    load = time.perf_counter() - start
    loaded = rss_mb(view.page().renderProcessPid())
    draw = js(view, "seatingPage.stats ? seatingPage.stats().drawMs : -1")
    free = [s.label for s in seat_map.seats if s.status == "free"]
    step = max(1, len(free) // (clicks + 1))
    picks = free[step::step][:clicks]
    times: list[float] = []
    for label in picks + picks[: max(1, clicks // 3)]:
        js(view, REVEAL % label)
        js(view, CLICK % label)
        times.append(float(wait_js(view, "window.__click")))
    memory = rss_mb(view.page().renderProcessPid())
    js(view, "window.gc && gc(); true")
    settle = time.monotonic() + 0.5
    wait(lambda: time.monotonic() > settle)
    kept = rss_mb(view.page().renderProcessPid())
    view.dispose()
    wait(lambda: True)
    return {
        "seats": total,
        "load": load,
        "draw": draw,
        "clicks": times,
        "memory": memory,
        "loaded": loaded,
        "kept": kept,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", default="10000,50000", help="map sizes, comma-separated")
    parser.add_argument("--clicks", type=int, default=15, help="seats picked per size")
    parser.add_argument(
        "--web-root", type=Path, help="serve the pages from this copy of resources/web (to compare)"
    )
    args = parser.parse_args()
    if args.web_root:
        from boxoffice.ui.web import scheme

        root = args.web_root.resolve()
        scheme.web_root = lambda: root  # a benchmark's switch
    register_scheme()
    app = QApplication(sys.argv[:1])
    print(f"# seating page, offscreen, {os.cpu_count()} CPUs, Qt {app.applicationVersion()}")
    print(
        "| seats | load → interactive (s) | page draws the map (ms) | click median (ms)"
        " | click p95 (ms) | RSS loaded (MB) | after clicks (MB) | after a GC (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in (int(part) for part in args.seats.split(",")):
        result = measure(size, args.clicks)
        clicks = result["clicks"]
        print(
            f"| {result['seats']} | {result['load']:.2f} | {result['draw']:.0f}"
            f" | {statistics.median(clicks):.1f}"
            f" | {percentile(clicks, 0.95):.1f} | {result['loaded']:.0f} | {result['memory']:.0f}"
            f" | {result['kept']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
