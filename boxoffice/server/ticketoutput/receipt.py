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

from boxoffice import i18n
from boxoffice.i18n import N_
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
    language: str = i18n.DEFAULT  # the order's: the receipt's words, money and dates

    def local(self, moment: datetime) -> datetime:
        """`moment` in the event's time zone."""
        return moment.astimezone(ZoneInfo(self.timezone_name))


METHOD_NAMES = {
    "cash": N_("Cash"),
    "card": N_("Card"),
    "card_present": N_("Card on reader"),
    "free": N_("Free"),
    "split": N_("Split"),
}
# A payment method given back on a refund receipt ("Cash back").
METHOD_BACK_NAMES = {
    "cash": N_("Cash back"),
    "card": N_("Card back"),
    "card_present": N_("Card on reader back"),
    "free": N_("Free back"),
    "split": N_("Split back"),
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


def _money(amount: Decimal, currency: str, language: str = i18n.DEFAULT) -> str:
    """ "€58.00", and money going back "-€25.00" (cs "58,00 €", "-25,00 €")."""
    text = i18n.money(abs(amount), currency, language, symbol=True)
    return f"-{text}" if amount < 0 else text


def _percent(rate: Decimal, language: str = i18n.DEFAULT) -> str:
    return f"{i18n.decimal(rate.normalize(), language)} %"


def _build(view: ReceiptView, rows: _Rows) -> None:
    s, cur, lang = rows.s, view.currency, view.language
    tr = i18n.translations(lang)
    _ = tr.gettext

    def money(amount: Decimal) -> str:
        return _money(amount, cur, lang)

    def percent(rate: Decimal) -> str:
        return _percent(rate, lang)

    # the organizer
    rows.center(view.organizer_name, bold=True, size=s.title)
    for line in (view.organizer_address or "").splitlines():
        if line.strip():
            rows.center(line.strip(), size=s.small)
    if view.organizer_vat_id:
        rows.center(_("VAT ID %(id)s") % {"id": view.organizer_vat_id}, size=s.small)
    rows.gap(4)
    if view.kind == "refund":
        rows.center(_("REFUND"), bold=True, size=s.title)
    else:
        rows.center(_("RECEIPT"), bold=True, size=s.body + 1)
    if view.receipt_number:
        rows.center(_("No. %(number)s") % {"number": view.receipt_number}, size=s.small)
    rows.gap(2)
    rows.left(view.event_name, bold=True)
    event_start = format_datetime(view.local(view.event_start), language=lang)
    rows.left(event_start, size=s.small, muted=True)
    rows.rule()
    # the lines
    sign = Decimal(-1) if view.kind == "refund" else Decimal(1)
    for item in view.lines:
        rows.pair(f"{item.quantity} × {item.name}", money(sign * item.total), bold=True)
        unit = f"  {item.quantity} × {money(item.unit_price)}"
        if item.discount:
            names = f" ({', '.join(item.discount_names)})" if item.discount_names else ""
            each = _("discount −%(amount)s each") % {"amount": money(item.discount)}
            rows.left(
                f"  {item.quantity} × {money(item.face_value)}, {each}{names}",
                size=s.small,
            )
        vat = _("VAT %(rate)s") % {"rate": percent(item.tax_rate)}
        rows.left(unit + (f"  · {vat}" if item.tax_rate else ""), size=s.small, muted=True)
    rows.rule(dashed=False)
    label = _("TOTAL REFUNDED") if view.kind == "refund" else _("TOTAL")
    rows.pair(label, money(sign * view.total), bold=True, size=s.body + 2)
    rows.gap(3)
    # tax per rate
    for tax in view.taxes:
        rows.pair(
            _("incl. VAT %(rate)s on %(gross)s")
            % {"rate": percent(tax.rate), "gross": money(sign * tax.gross)},
            money(sign * tax.tax),
            size=s.small,
        )
        net = _("net %(rate)s") % {"rate": percent(tax.rate)}
        rows.pair(f"  {net}", money(sign * tax.net), size=s.small)
    if view.taxes:
        total_tax = sum((t.tax for t in view.taxes), Decimal(0))
        rows.pair(_("VAT total"), money(sign * total_tax), size=s.small)
    rows.rule()
    # payments or what went back
    if view.kind == "refund":
        rows.left(_("Paid back"), bold=True, size=s.small)
    else:
        rows.left(_("Paid"), bold=True, size=s.small)
    methods = METHOD_BACK_NAMES if view.kind == "refund" else METHOD_NAMES
    for pay in view.payments:
        if pay.method in methods:
            name = _(methods[pay.method])
        else:
            name = pay.method.title() + (" back" if view.kind == "refund" else "")
        rows.pair(name, money(pay.amount))
        if pay.tendered is not None:
            rows.pair("  " + _("Tendered"), money(pay.tendered), size=s.small)
        if pay.change is not None:
            rows.pair("  " + _("Change"), money(pay.change), size=s.small)
    if view.reason:
        rows.left(_("Reason: %(reason)s") % {"reason": view.reason}, size=s.small)
    rows.rule()
    # who, where, when
    when = format_datetime(view.local(view.issued_at), language=lang)
    rows.pair(_("Date"), when, size=s.small)
    if view.cashier:
        rows.pair(_("Cashier"), view.cashier, size=s.small)
    if view.counter:
        rows.pair(_("Counter"), view.counter, size=s.small)
    rows.gap(4)
    rows.qr(view.order_code)
    rows.center(_("Order %(order)s") % {"order": view.order_code}, bold=True)
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
    _ = i18n.translations(view.language).gettext
    title = _("Refund") if view.kind == "refund" else _("Receipt")
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
