"""Printable shift reports (X and Z) drawn with reportlab: an 80 mm receipt roll or A4.

The report is a column of lines — label on the left, amount on the right — the same on both
sizes: the counter, who opened and closed the shift and when, the cash drawer (float, cash
sales, cash refunds, pay-ins, pay-outs, expected; at close counted and the difference), sales
and refunds by payment method and by cashier, and the ledger head hash at the bottom, in
full, so a later edit of the records shows. On the roll the page is as long as the report
(72 mm printable width, the usual for 80 mm thermal printers); on A4 the column is 120 mm
wide, and a long report continues on the next page.

Fonts as for tickets (`pdf.load_fonts`: DejaVu Sans if present, else Helvetica).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from boxoffice import i18n
from boxoffice.server.services.money import to_major
from boxoffice.server.services.shift_reports import ShiftReport
from boxoffice.server.ticketoutput.pdf import INK, MUTED, RULE, FontSet, load_fonts
from boxoffice.server.ticketoutput.receipt import METHOD_NAMES

ROLL_WIDTH = 80 * mm
ROLL_MARGIN = 4 * mm
A4 = (210 * mm, 297 * mm)
A4_COLUMN = 120 * mm
A4_TOP = 20 * mm

LineKind = Literal["title", "heading", "pair", "strong", "text", "mono", "rule", "gap"]


@dataclass(frozen=True, slots=True)
class Line:
    kind: LineKind
    left: str = ""
    right: str = ""


def lines_of(report: ShiftReport, language: str = i18n.DEFAULT) -> list[Line]:
    """The report as lines, top to bottom (what both sizes print), in `language`."""
    cur = report.currency
    tr = i18n.translations(language)
    _ = tr.gettext

    def money(minor: int) -> str:
        return i18n.money(to_major(minor, cur), cur, language)

    def when(at: datetime) -> str:
        return _when(at, language)

    title = _("X REPORT") if report.kind == "X" else _("Z REPORT — CLOSED")
    out = [
        Line("title", title),
        Line(
            "text",
            _("Shift %(shift)s · counter %(counter)s")
            % {"shift": report.shift_id, "counter": report.counter},
        ),
        Line("pair", _("Opened"), when(report.opened_at)),
        Line("pair", _("Opened by"), report.opened_by or "—"),
    ]
    if report.closed_at is not None:
        out += [
            Line("pair", _("Closed"), when(report.closed_at)),
            Line("pair", _("Closed by"), report.closed_by or "—"),
        ]
    out += [
        Line("pair", _("Printed"), when(report.generated_at)),
        Line("rule"),
        Line("heading", _("Cash drawer")),
        Line("pair", _("Float"), money(report.float_amount)),
        Line("pair", _("Cash sales"), money(report.cash_sales)),
        Line("pair", _("Cash refunds"), money(-report.cash_refunds)),
        Line("pair", _("Pay-ins"), money(report.pay_ins)),
        Line("pair", _("Pay-outs"), money(-report.pay_outs)),
        Line("strong", _("Expected cash"), money(report.expected_cash)),
    ]
    if report.counted_cash is not None and report.difference is not None:
        out += [
            Line("strong", _("Counted cash"), money(report.counted_cash)),
            Line("strong", _("Difference"), _signed(report.difference, money)),
        ]
        for face, count in sorted(
            (report.counted_detail or {}).items(), key=lambda item: -int(item[0])
        ):
            out.append(Line("pair", f"  {count} × {money(int(face))}", money(int(face) * count)))
    out += [Line("rule"), Line("heading", _("By payment method"))]
    for row in report.by_method:
        name = _(METHOD_NAMES[row.method]) if row.method in METHOD_NAMES else row.method.title()
        out += [
            Line(
                "pair",
                _("%(method)s sales (%(count)d)") % {"method": name, "count": row.sales_count},
                money(row.sales_total),
            ),
            Line(
                "pair",
                _("%(method)s refunds (%(count)d)") % {"method": name, "count": row.refunds_count},
                money(-row.refunds_total),
            ),
        ]
    out += [
        Line("strong", _("Sales total"), money(report.sales_total)),
        Line("strong", _("Refunds total"), money(-report.refunds_total)),
        Line("rule"),
        Line("heading", _("By cashier")),
    ]
    if not report.by_cashier:
        out.append(Line("text", _("No sales or cash movements.")))
    for person in report.by_cashier:
        sales = _("Sales (%(count)d)") % {"count": person.sales_count}
        refunds = _("Refunds (%(count)d)") % {"count": person.refunds_count}
        out += [
            Line("text", person.name),
            Line("pair", f"  {sales}", money(person.sales_total)),
            Line("pair", f"  {refunds}", money(-person.refunds_total)),
            Line("pair", "  " + _("Cash moved"), _signed(person.cash, money)),
        ]
    out += [
        Line("rule"),
        Line("text", _("Ledger head")),
        Line("mono", report.ledger_head[:32]),
        Line("mono", report.ledger_head[32:]),
    ]
    return out


def render(
    report: ShiftReport, *, size: Literal["roll", "a4"] = "roll", language: str = i18n.DEFAULT
) -> bytes:
    """The report as a one-document PDF: `roll` (80 mm wide) or `a4`, in `language` (a staff
    document: English unless asked)."""
    fonts = load_fonts()
    lines = lines_of(report, language)
    buffer = io.BytesIO()
    if size == "roll":
        height = sum(_height(line, scale=1.0) for line in lines) + 2 * ROLL_MARGIN + 6 * mm
        canvas = Canvas(buffer, pagesize=(ROLL_WIDTH, height), invariant=1)
        _draw(
            canvas,
            fonts,
            lines,
            x=ROLL_MARGIN,
            width=ROLL_WIDTH - 2 * ROLL_MARGIN,
            top=height - ROLL_MARGIN,
            bottom=ROLL_MARGIN,
            scale=1.0,
            page_height=height,
        )
    else:
        canvas = Canvas(buffer, pagesize=A4, invariant=1)
        _draw(
            canvas,
            fonts,
            lines,
            x=(A4[0] - A4_COLUMN) / 2,
            width=A4_COLUMN,
            top=A4[1] - A4_TOP,
            bottom=A4_TOP,
            scale=1.25,
            page_height=A4[1],
        )
    _ = i18n.translations(language).gettext
    canvas.setTitle(
        _("Shift %(shift)s %(kind)s report") % {"shift": report.shift_id, "kind": report.kind}
    )
    canvas.save()
    return buffer.getvalue()


_SIZES: dict[str, tuple[float, float]] = {  # font size (pt), line height (mm) at scale 1
    "title": (13, 7.0),
    "heading": (9.5, 5.5),
    "pair": (8.5, 4.4),
    "strong": (8.5, 4.6),
    "text": (8.5, 4.4),
    "mono": (7.5, 4.0),
    "rule": (0, 3.0),
    "gap": (0, 2.0),
}


def _height(line: Line, *, scale: float) -> float:
    return float(_SIZES[line.kind][1] * mm * scale)


def _draw(
    canvas: Canvas,
    fonts: FontSet,
    lines: list[Line],
    *,
    x: float,
    width: float,
    top: float,
    bottom: float,
    scale: float,
    page_height: float,
) -> None:
    y = top
    for line in lines:
        size, _ = _SIZES[line.kind]
        step = _height(line, scale=scale)
        if y - step < bottom:
            canvas.showPage()
            y = page_height - (page_height - top)
        y -= step
        canvas.setFillColorRGB(*INK)
        if line.kind == "rule":
            canvas.setStrokeColorRGB(*RULE)
            canvas.setLineWidth(0.5)
            canvas.setDash(2, 2)
            canvas.line(x, y + step / 2, x + width, y + step / 2)
            canvas.setDash()
            continue
        if line.kind == "gap":
            continue
        font = {
            "title": fonts.bold,
            "heading": fonts.bold,
            "strong": fonts.bold,
            "mono": fonts.mono,
        }.get(line.kind, fonts.regular)
        canvas.setFont(font, size * scale)
        if line.kind == "title":
            canvas.drawCentredString(x + width / 2, y + 1 * mm, fonts.text(line.left))
            continue
        if line.kind == "mono":
            canvas.setFillColorRGB(*MUTED)
        canvas.drawString(x, y + 1 * mm, fonts.text(line.left))
        if line.right:
            canvas.drawRightString(x + width, y + 1 * mm, fonts.text(line.right))


def _when(at: datetime, language: str = i18n.DEFAULT) -> str:
    value = (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone(UTC)
    if language != i18n.DEFAULT:
        return f"{i18n.date_time(value, language)} UTC"
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _signed(minor: int, money: Callable[[int], str]) -> str:
    text = money(minor)
    return f"+{text}" if minor > 0 else text
