"""Receipts drawn with reportlab: a sale or a refund, on an 80 mm roll or on A4.

A receipt is pure like the ticket outputs: the caller (services/receipts.py) loads
everything into a `ReceiptView` — the organizer with its address and VAT id, the lines
(quantity, unit price, discount), the tax per rate, the payments (method, tendered, change) or
what went back, the cashier, counter and time — and `render_receipt` draws it.

Sizes:

- ``"roll"`` — 80 mm thermal receipt roll (72 mm printable, 4 mm margins); the page is as long
  as the receipt, as receipt printers cut it. Black only.
- ``"a4"`` — A4 portrait with the same content in a 120 mm column, centred, for an office
  printer or a mail attachment; a long receipt continues on the next page.

The order code is printed under a QR code of it (`draw_qr`, the one tickets use), so a
cashier scans the receipt to find the order. Fonts as on tickets: DejaVu Sans when present,
else Helvetica with characters it lacks replaced.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.lib.utils import simpleSplit  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from boxoffice.sdk.money import format_money
from boxoffice.server.ticketoutput.base import OutputFile, format_datetime, safe_filename_part
from boxoffice.server.ticketoutput.pdf import A4, INK, MUTED, FontSet, draw_qr, load_fonts

ReceiptSize = Literal["roll", "a4"]
SIZES: tuple[str, ...] = ("roll", "a4")
ROLL_WIDTH = 80 * mm


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """`quantity` × a ticket kind; amounts in major units, `unit_price` after discounts."""

    name: str
    quantity: int
    face_value: Decimal  # per unit, before discounts
    unit_price: Decimal  # per unit, paid
    total: Decimal
    tax_rate: Decimal  # percent, included
    discount_names: tuple[str, ...] = ()

    @property
    def discount(self) -> Decimal:
        """The discount per unit (face value − price), 0 if none."""
        return max(self.face_value - self.unit_price, Decimal(0))


@dataclass(frozen=True, slots=True)
class TaxLine:
    """The tax included in the lines of one rate: gross = net + tax."""

    rate: Decimal  # percent
    gross: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """One payment (or, on a refund receipt, one amount given back) by one method."""

    method: str  # cash | card | free
    amount: Decimal
    tendered: Decimal | None = None
    change: Decimal | None = None
    reference: str | None = None  # e.g. the card payment's or refund's id


@dataclass(frozen=True, slots=True)
class ReceiptView:
    """Everything a receipt shows; amounts in major units of `currency`, times aware."""

    kind: Literal["sale", "refund"]
    organizer_name: str
    organizer_address: str | None
    organizer_vat_id: str | None
    event_name: str
    event_start: datetime
    timezone_name: str
    order_code: str
    currency: str
    lines: Sequence[ReceiptLine]
    taxes: Sequence[TaxLine]
    total: Decimal
    payments: Sequence[PaymentLine]
    issued_at: datetime  # when the sale was paid or the refund made
    cashier: str | None = None
    counter: str | None = None
    receipt_number: str | None = None  # "S-42" for a sale, "R-7" for a refund
    reason: str | None = None  # a refund's reason
    notes: Sequence[str] = field(default_factory=tuple)

    def local(self, moment: datetime) -> datetime:
        """`moment` in the event's time zone."""
        return moment.astimezone(ZoneInfo(self.timezone_name))


METHOD_NAMES = {
    "cash": "Cash",
    "card": "Card",
    "card_present": "Card on reader",
    "free": "Free",
    "split": "Split",
}


@dataclass(frozen=True, slots=True)
class _Style:
    page_width: float
    column: float  # width of the text column
    left: float  # x of the column
    margin: float  # top and bottom
    title: float
    body: float
    small: float
    qr: float


_ROLL = _Style(ROLL_WIDTH, 72 * mm, 4 * mm, 5 * mm, 12, 8.5, 7, 30 * mm)
_A4 = _Style(A4[0], 120 * mm, (A4[0] - 120 * mm) / 2, 20 * mm, 16, 10, 8.5, 36 * mm)

_Draw = Callable[[Any, float], None]  # (canvas, y of the row's top) → draws the row


class _Rows:
    """The receipt as rows of known height, laid out top-down once the page length is known."""

    def __init__(self, style: _Style, fonts: FontSet) -> None:
        self.s = style
        self.f = fonts
        self.rows: list[tuple[float, _Draw]] = []

    def add(self, height: float, draw: _Draw) -> None:
        self.rows.append((height, draw))

    def gap(self, height: float) -> None:
        self.add(height, lambda c, y: None)

    def _text(
        self,
        canvas: Any,
        x: float,
        y: float,
        value: str,
        font: str,
        size: float,
        anchor: str,
        color: tuple[float, float, float] = INK,
    ) -> None:
        canvas.setFillColorRGB(*color)
        canvas.setFont(font, size)
        if anchor == "center":
            canvas.drawCentredString(x, y, value)
        elif anchor == "right":
            canvas.drawRightString(x, y, value)
        else:
            canvas.drawString(x, y, value)

    def _drawer(
        self,
        x: float,
        value: str,
        font: str,
        size: float,
        anchor: str,
        color: tuple[float, float, float],
    ) -> _Draw:
        def draw(canvas: Any, y: float) -> None:
            self._text(canvas, x, y - size, value, font, size, anchor, color)

        return draw

    def center(self, value: str, *, bold: bool = False, size: float | None = None) -> None:
        size = size or self.s.body
        font = self.f.bold if bold else self.f.regular
        mid = self.s.left + self.s.column / 2
        for line in simpleSplit(self.f.text(value), font, size, self.s.column) or [""]:
            self.add(size * 1.3, self._drawer(mid, line, font, size, "center", INK))

    def left(
        self, value: str, *, bold: bool = False, size: float | None = None, muted: bool = False
    ) -> None:
        size = size or self.s.body
        font = self.f.bold if bold else self.f.regular
        color = MUTED if muted else INK
        x = self.s.left
        for line in simpleSplit(self.f.text(value), font, size, self.s.column) or [""]:
            self.add(size * 1.3, self._drawer(x, line, font, size, "left", color))

    def pair(
        self, label: str, value: str, *, bold: bool = False, size: float | None = None
    ) -> None:
        """`label` on the left (wrapped if long), `value` on the right of its last line."""
        size = size or self.s.body
        font = self.f.bold if bold else self.f.regular
        value = self.f.text(value)
        room = self.s.column - pdfmetrics.stringWidth(value, font, size) - 3 * mm
        lines = simpleSplit(self.f.text(label), font, size, max(room, 10 * mm)) or [""]
        x, right = self.s.left, self.s.left + self.s.column
        for number, line in enumerate(lines, start=1):
            last = number == len(lines)

            def draw(c: Any, y: float, line: str = line, last: bool = last) -> None:
                self._text(c, x, y - size, line, font, size, "left")
                if last:
                    self._text(c, right, y - size, value, font, size, "right")

            self.add(size * 1.3, draw)

    def rule(self, *, dashed: bool = True) -> None:
        x, right = self.s.left, self.s.left + self.s.column

        def draw(c: Any, y: float) -> None:
            c.setStrokeColorRGB(*INK)
            c.setLineWidth(0.5)
            if dashed:
                c.setDash(1.5, 1.5)
            c.line(x, y - 3, right, y - 3)
            c.setDash()

        self.add(6, draw)

    def qr(self, payload: str) -> None:
        side = self.s.qr
        x = self.s.left + (self.s.column - side) / 2
        self.add(side, lambda c, y: draw_qr(c, payload, x, y - side, side))

    def height(self) -> float:
        return sum(h for h, _ in self.rows)


def _money(amount: Decimal, currency: str) -> str:
    """ "€58.00", and money going back "-€25.00"."""
    text = format_money(abs(amount), currency, symbol=True)
    return f"-{text}" if amount < 0 else text


def _percent(rate: Decimal) -> str:
    text = format(rate.normalize(), "f")
    return f"{text} %"


def _build(view: ReceiptView, rows: _Rows) -> None:
    s, cur = rows.s, view.currency
    # the organizer
    rows.center(view.organizer_name, bold=True, size=s.title)
    for line in (view.organizer_address or "").splitlines():
        if line.strip():
            rows.center(line.strip(), size=s.small)
    if view.organizer_vat_id:
        rows.center(f"VAT ID {view.organizer_vat_id}", size=s.small)
    rows.gap(4)
    if view.kind == "refund":
        rows.center("REFUND", bold=True, size=s.title)
    else:
        rows.center("RECEIPT", bold=True, size=s.body + 1)
    if view.receipt_number:
        rows.center(f"No. {view.receipt_number}", size=s.small)
    rows.gap(2)
    rows.left(view.event_name, bold=True)
    rows.left(format_datetime(view.local(view.event_start)), size=s.small, muted=True)
    rows.rule()
    # the lines
    sign = Decimal(-1) if view.kind == "refund" else Decimal(1)
    for item in view.lines:
        rows.pair(f"{item.quantity} × {item.name}", _money(sign * item.total, cur), bold=True)
        unit = f"  {item.quantity} × {_money(item.unit_price, cur)}"
        if item.discount:
            names = f" ({', '.join(item.discount_names)})" if item.discount_names else ""
            rows.left(
                f"  {item.quantity} × {_money(item.face_value, cur)}, "
                f"discount −{_money(item.discount, cur)} each{names}",
                size=s.small,
            )
        rows.left(
            unit + (f"  · VAT {_percent(item.tax_rate)}" if item.tax_rate else ""),
            size=s.small,
            muted=True,
        )
    rows.rule(dashed=False)
    label = "TOTAL REFUNDED" if view.kind == "refund" else "TOTAL"
    rows.pair(label, _money(sign * view.total, cur), bold=True, size=s.body + 2)
    rows.gap(3)
    # tax per rate
    for tax in view.taxes:
        rows.pair(
            f"incl. VAT {_percent(tax.rate)} on {_money(sign * tax.gross, cur)}",
            _money(sign * tax.tax, cur),
            size=s.small,
        )
        rows.pair(f"  net {_percent(tax.rate)}", _money(sign * tax.net, cur), size=s.small)
    if view.taxes:
        total_tax = sum((t.tax for t in view.taxes), Decimal(0))
        rows.pair("VAT total", _money(sign * total_tax, cur), size=s.small)
    rows.rule()
    # payments or what went back
    if view.kind == "refund":
        rows.left("Paid back", bold=True, size=s.small)
    else:
        rows.left("Paid", bold=True, size=s.small)
    for pay in view.payments:
        name = METHOD_NAMES.get(pay.method, pay.method.title())
        if view.kind == "refund":
            name = f"{name} back"
        rows.pair(name, _money(pay.amount, cur))
        if pay.tendered is not None:
            rows.pair("  Tendered", _money(pay.tendered, cur), size=s.small)
        if pay.change is not None:
            rows.pair("  Change", _money(pay.change, cur), size=s.small)
    if view.reason:
        rows.left(f"Reason: {view.reason}", size=s.small)
    rows.rule()
    # who, where, when
    when = format_datetime(view.local(view.issued_at))
    rows.pair("Date", when, size=s.small)
    if view.cashier:
        rows.pair("Cashier", view.cashier, size=s.small)
    if view.counter:
        rows.pair("Counter", view.counter, size=s.small)
    rows.gap(4)
    rows.qr(view.order_code)
    rows.center(f"Order {view.order_code}", bold=True)
    for note in view.notes:
        rows.center(note, size=s.small)


def render_receipt(view: ReceiptView, *, size: ReceiptSize = "roll") -> OutputFile:
    """The receipt as a PDF: one long page on the roll, A4 pages otherwise."""
    if size not in SIZES:
        raise ValueError(f"unknown receipt size {size!r}")
    fonts = load_fonts()
    style = _ROLL if size == "roll" else _A4
    rows = _Rows(style, fonts)
    _build(view, rows)
    buffer = io.BytesIO()
    page = (style.page_width, rows.height() + 2 * style.margin) if size == "roll" else A4
    canvas = Canvas(buffer, pagesize=page, pageCompression=1)
    title = "Refund" if view.kind == "refund" else "Receipt"
    canvas.setTitle(f"{title} {view.order_code}")
    canvas.setAuthor(view.organizer_name)
    canvas.setCreator("Box Office")
    y = page[1] - style.margin
    for height, draw in rows.rows:
        if size == "a4" and y - height < style.margin:  # the roll is as long as the receipt
            canvas.showPage()
            y = page[1] - style.margin
        draw(canvas, y)
        y -= height
    canvas.showPage()
    canvas.save()
    code = safe_filename_part(view.order_code)
    number = f"-{safe_filename_part(view.receipt_number)}" if view.receipt_number else ""
    prefix = "refund" if view.kind == "refund" else "receipt"
    return OutputFile(
        filename=f"{prefix}-{code}{number}.pdf", mimetype="application/pdf", data=buffer.getvalue()
    )
