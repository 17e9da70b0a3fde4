"""PDF tickets drawn with reportlab: one ticket per page, on A4 paper or on ticket stock.

Page sizes (option `size`):

- ``"a4"`` — A4 portrait (210 × 297 mm) for office and home printers. The ticket is a
  180 × 88 mm card at the top of the page, above a dashed cut line, so it can be torn or
  cut off and pocketed; the rest of the page carries entry notes.
- ``"ticket"`` — 8 × 3.25 in (203.2 × 82.55 mm) landscape, the common thermal event-ticket
  stock: what Boca Systems printers usually run, and Stimare printers, which speak Boca's
  FGL printer language. Black only, no frame or fills (the stock is pre-cut and
  pre-printed, and thermal heads dislike large black areas), 5 mm from every edge.

Each page shows the event (large), its date and time in the event's timezone with the zone's
abbreviation ("Sat 12 Dec 2026, 19:30 CET"), doors / entry slot / end, the venue, the seat
(big) or area, ticket type, price, order code, holder and organizer. A stub on the right
holds the QR code of `qr_payload` with the ticket code printed under it (a copy printed
again is marked "REPRINT n" there and at the top right of the ticket): 46 mm square with
its quiet zone on A4 (the symbol itself 36–40 mm for payloads of 30–150 characters), 62 mm
on ticket stock (symbol 49–53 mm).

The QR matrix comes from the `qrcode` library (error correction M, 4-module quiet zone) and is
drawn as one vector path of dark runs, so it prints crisply at any resolution. qrcode picks
the mask by building the whole symbol eight times; `qr_mask.qr_symbol` makes the identical
choice from a single build (see there), so two tickets render in well under 30 ms.

Fonts: reportlab's built-in Helvetica only covers Latin-1/WinAnsi, so "Dvořák" would lose
its "ř". DejaVu Sans (regular, bold and mono bold) is registered once per process from
`resources/tickets/fonts/` if shipped there, else from the system (Debian/Ubuntu package
`fonts-dejavu-core`: /usr/share/fonts/truetype/dejavu). Without it the output falls back
to Helvetica, and characters it cannot show are replaced by their base letter ("ř" → "r")
or by "?". Parsing the three TTF files and importing reportlab and qrcode take ~0.1 s once per
process; `warm_up()` does it (with one throw-away render) ahead of the first real ticket.

Files are reproducible (reportlab's `invariant`: no creation time, an id made from the
content): the same tickets give the same bytes, which is what lets downloads cache them.
"""

from __future__ import annotations

import functools
import io
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Literal

from reportlab.lib.units import inch, mm  # type: ignore[import-untyped]
from reportlab.lib.utils import simpleSplit  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from boxoffice import i18n, paths
from boxoffice.server.ticketoutput.base import (
    OutputFile,
    OutputOptions,
    SeatLabel,
    TicketOutput,
    TicketView,
    format_date,
    format_datetime,
    format_span,
    format_time,
    order_label,
    require_tickets,
)
from boxoffice.server.ticketoutput.qr_mask import qr_symbol

A4 = (210 * mm, 297 * mm)
TICKET_STOCK = (8 * inch, 3.25 * inch)  # landscape

INK = (0.07, 0.07, 0.09)
MUTED = (0.38, 0.38, 0.42)
RULE = (0.62, 0.62, 0.66)

FONT_DIRS: tuple[Path, ...] = (
    paths.resource("tickets", "fonts"),
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu
    Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
    Path("/usr/share/fonts/TTF"),  # Arch
)


class PdfOptions(OutputOptions):
    """`size`: "a4" (A4 portrait, ticket at the top) or "ticket" (8 × 3.25 in stock)."""

    size: Literal["a4", "ticket"] = "a4"


class PdfOutput(TicketOutput[PdfOptions]):
    """PDF tickets, one per page; see the module docstring for the layout."""

    identifier: ClassVar[str] = "pdf"
    verbose_name: ClassVar[str] = "PDF ticket"
    printable: ClassVar[bool] = True
    options_model = PdfOptions

    def __init__(self, *, font_dirs: Sequence[Path] = FONT_DIRS) -> None:
        self.fonts = load_fonts(tuple(font_dirs))

    def render(
        self, tickets: Sequence[TicketView], *, options: PdfOptions | None = None
    ) -> OutputFile:
        require_tickets(tickets)
        options = options or PdfOptions()
        layout = _A4_LAYOUT if options.size == "a4" else _STOCK_LAYOUT
        buffer = io.BytesIO()
        # invariant: no creation time or random file id, so the same tickets give the same
        # bytes (downloads cache the file by its content; see services/downloads.py)
        canvas = Canvas(buffer, pagesize=layout.page, pageCompression=1, invariant=1)
        order = order_label(tickets)
        first = tickets[0]
        _ = i18n.translations(first.language).gettext
        title = _("Tickets")
        canvas.setTitle(f"{title} {order}".strip())
        canvas.setSubject(first.event_name)
        canvas.setAuthor(first.organizer_name)
        canvas.setCreator("Box Office")
        for number, ticket in enumerate(tickets, start=1):
            _Page(canvas, layout, self.fonts, ticket, number, len(tickets)).draw()
            canvas.showPage()
        canvas.save()
        name = f"tickets-{order}.pdf" if order else "tickets.pdf"
        return OutputFile(filename=name, mimetype="application/pdf", data=buffer.getvalue())


def warm_up() -> None:
    """Register the fonts and render one throw-away ticket, so that the first real PDF of
    the process does not pay for parsing the TTF files and reportlab's first-use work."""
    start = datetime(2000, 1, 1, 20, 0, tzinfo=UTC)
    sample = TicketView(
        ticket_id=0,
        code="WARMUP",
        qr_payload="BO1.0.WARMUP." + "A" * 86,
        event_name="Warm-up",
        event_start=start,
        event_end=start,
        timezone_name="UTC",
        venue_name="Venue",
        venue_address=None,
        ticket_config_name="Ticket",
        sector_name=None,
        seat=SeatLabel(section=None, row="1", seat="1"),
        price=Decimal("1.00"),
        currency="EUR",
        order_code="WARMUP",
        holder_name="Name",
        organizer_name="Organizer",
    )
    PdfOutput().render([sample])


# --- fonts ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FontSet:
    regular: str
    bold: str
    mono: str
    unicode: bool

    def text(self, value: str) -> str:
        """`value` as this font set can draw it (see `latin1_safe`)."""
        return value if self.unicode else latin1_safe(value)


_HELVETICA = FontSet("Helvetica", "Helvetica-Bold", "Courier-Bold", unicode=False)
_DEJAVU_FILES = {
    "DejaVuSans": "DejaVuSans.ttf",
    "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
    "DejaVuSansMono-Bold": "DejaVuSansMono-Bold.ttf",
}
_font_lock = threading.Lock()


@functools.cache
def load_fonts(font_dirs: tuple[Path, ...] = FONT_DIRS) -> FontSet:
    """Register DejaVu Sans from the first folder that has all three files, once per process."""
    for folder in font_dirs:
        files = {name: folder / file for name, file in _DEJAVU_FILES.items()}
        if all(path.is_file() for path in files.values()):
            with _font_lock:
                registered = set(pdfmetrics.getRegisteredFontNames())
                for name, path in files.items():
                    if name not in registered:
                        pdfmetrics.registerFont(_with_remembered_subsets(TTFont(name, str(path))))
            return FontSet("DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono-Bold", unicode=True)
    return _HELVETICA


@functools.lru_cache(maxsize=8192)
def _width(text: str, font: str, size: float) -> float:
    """`pdfmetrics.stringWidth`, remembered: layout measures the same strings many times,
    and a font's metrics never change once it is registered."""
    width: float = pdfmetrics.stringWidth(text, font, size)
    return width


def _with_remembered_subsets(font: Any) -> Any:
    """`font` (a reportlab TTFont) with its face's `makeSubset` memoised.

    Every PDF embeds the subset of each font it uses, and reportlab rebuilds that subset
    (a new TTF, parsed out of the whole file) for every document. Subset 0 holds ASCII at
    fixed places and other characters in order of first use, so the tickets of one event
    ask for the same few subsets again and again: remembered, they cost nothing.
    """
    face = font.face
    face.makeSubset = _remember_subsets(face.makeSubset)
    return font


def _remember_subsets(make: Any) -> Any:
    lock = threading.Lock()  # the face parses with a shared file position: one at a time

    @functools.lru_cache(maxsize=64)
    def cached(subset: tuple[int, ...]) -> bytes:
        with lock:
            data: bytes = make(list(subset))
        return data

    def make_subset(subset: Sequence[int]) -> bytes:
        return cached(tuple(subset))

    return make_subset


_UNDECOMPOSABLE = str.maketrans("ŁłĐđĦħıŦŧ", "LlDdHhiTt")


def latin1_safe(value: str) -> str:
    """Characters outside WinAnsi (what Helvetica shows) → base letter ("ř" → "r") or "?"."""
    out = []
    for char in value.translate(_UNDECOMPOSABLE):
        try:
            char.encode("cp1252")
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("cp1252", "ignore").decode("cp1252")
            char = base or "?"
        out.append(char)
    return "".join(out)


# --- QR codes ------------------------------------------------------------------------------


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR symbol for `payload` as rows of dark (True) / light modules, no quiet zone."""
    return qr_symbol(payload).matrix()


def draw_qr(canvas: Any, payload: str, x: float, y: float, side: float) -> None:
    """The QR code with its 4-module quiet zone filling the square (x, y, side).

    One filled path of the dark runs of each row, in module units under a transform: no
    hairline seams between modules, and integer operands that cost nothing to format.
    """
    rows = qr_symbol(payload).rows
    size = len(rows)
    module = side / (size + 8)
    runs = []
    for r, row in enumerate(rows):
        for run in re.finditer("1+", format(row, f"0{size}b")):
            runs.append(f"{run.start()} {r} {run.end() - run.start()} 1 re")
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    # origin at the symbol's top-left corner inside the quiet zone, y pointing down
    canvas.transform(module, 0, 0, -module, x + 4 * module, y + side - 4 * module)
    canvas.addLiteral("\n".join(runs) + "\nf")
    canvas.restoreState()


# --- layout --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Layout:
    page: tuple[float, float]
    card: tuple[float, float, float, float]  # x, y (bottom), width, height of the ticket
    stub: float  # width of the QR stub on the card's right
    qr: float  # QR side including its quiet zone
    pad: float  # inner padding of the main area
    framed: bool  # draw the card frame, perforation and the notes below (A4)
    title: tuple[float, float]  # event name: largest and smallest font size
    big: float  # seat values
    body: float
    small: float
    label: float


_A4_LAYOUT = _Layout(
    page=A4,
    card=(15 * mm, A4[1] - 15 * mm - 88 * mm, 180 * mm, 88 * mm),
    stub=58 * mm,
    qr=46 * mm,
    pad=7 * mm,
    framed=True,
    title=(22, 14),
    big=20,
    body=10,
    small=8.5,
    label=6.5,
)
_STOCK_LAYOUT = _Layout(
    page=TICKET_STOCK,
    card=(5 * mm, 5 * mm, TICKET_STOCK[0] - 10 * mm, TICKET_STOCK[1] - 10 * mm),
    stub=66 * mm,
    qr=62 * mm,
    pad=1 * mm,
    framed=False,
    title=(19, 13),
    big=17,
    body=9.5,
    small=8,
    label=6,
)


def _fit(text: str, font: str, size: float, width: float, *, words: bool = False) -> str:
    """`text`, cut with "…" if it is wider than `width` (at a word break if `words`)."""
    if _width(text, font, size) <= width:
        return text
    while text and _width(text + "…", font, size) > width:
        text = text[:-1]
    if words and " " in text.strip():
        text = text.rstrip().rsplit(" ", 1)[0]
    return text.rstrip(" ,.;:–-") + "…"


def _wrap(
    text: str, font: str, sizes: tuple[float, float], width: float
) -> tuple[float, list[str]]:
    """A font size and one or two lines for `text` (a title) within `width`.

    One line if it fits at up to 4 pt below the largest size; else two balanced lines at
    the largest size that fits; else two lines at the smallest size, cut with "…".
    """
    largest, smallest = sizes

    def fits(line: str, size: float) -> bool:
        return bool(_width(line, font, size) <= width)

    size = largest
    while size >= max(largest - 4, smallest):
        if fits(text, size):
            return size, [text]
        size -= 1
    words = text.split()
    size = largest
    while size >= smallest:
        breaks = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        candidates = [pair for pair in breaks if fits(pair[0], size) and fits(pair[1], size)]
        if candidates:
            best = min(
                candidates,
                key=lambda pair: max(_width(line, font, size) for line in pair),
            )
            return size, list(best)
        size -= 1
    lines: list[str] = simpleSplit(text, font, smallest, width)
    first = _fit(lines[0], font, smallest, width)
    if len(lines) == 1:
        return smallest, [first]
    rest = " ".join(lines[1:])
    return smallest, [first, _fit(rest, font, smallest, width, words=True)]


class _Page:
    """Draws one ticket on the current page of `canvas`."""

    def __init__(
        self,
        canvas: Any,
        layout: _Layout,
        fonts: FontSet,
        ticket: TicketView,
        number: int,
        count: int,
    ) -> None:
        self.c = canvas
        self.lay = layout
        self.fonts = fonts
        self.t = ticket
        self.number = number
        self.count = count
        self.lang = ticket.language
        self._ = i18n.translations(ticket.language).gettext

    def text(
        self,
        x: float,
        y: float,
        value: str,
        font: str,
        size: float,
        color: tuple[float, float, float] = INK,
        *,
        anchor: Literal["left", "center", "right"] = "left",
        spacing: float = 0,
    ) -> None:
        c = self.c
        c.setFillColorRGB(*color)
        c.setFont(font, size)
        width = _width(value, font, size) + spacing * max(len(value) - 1, 0)
        start = {"left": x, "center": x - width / 2, "right": x - width}[anchor]
        c.drawString(start, y, value, charSpace=spacing)

    def draw(self) -> None:
        x, y, width, height = self.lay.card
        stub_x = x + width - self.lay.stub
        if self.lay.framed:
            self.frame(x, y, width, height, stub_x)
            self.notes(y)
        self.stub(stub_x, y, height)
        pad = self.lay.pad
        self.main(x + pad, y + pad, stub_x - x - 2 * pad, y + height - pad)

    def frame(self, x: float, y: float, width: float, height: float, stub_x: float) -> None:
        c = self.c
        c.setLineWidth(0.8)
        c.setStrokeColorRGB(*RULE)
        c.roundRect(x, y, width, height, 3 * mm, stroke=1, fill=0)
        c.setDash(2, 2.5)
        c.setLineWidth(0.6)
        c.line(stub_x, y + 3 * mm, stub_x, y + height - 3 * mm)
        c.setDash()

    def notes(self, card_y: float) -> None:
        """Below the card (A4): the cut line and what the holder needs to know."""
        f, t, _ = self.fonts, self.t, self._
        cut_y = card_y - 9 * mm
        page_width = self.lay.page[0]
        c = self.c
        c.setStrokeColorRGB(*RULE)
        c.setLineWidth(0.6)
        c.setDash(4, 3)
        c.line(10 * mm, cut_y, page_width - 10 * mm, cut_y)
        c.setDash()
        label = ("✂  " if f.unicode else "") + _("Cut along this line and keep the ticket")
        self.text(15 * mm, cut_y + 2 * mm, f.text(label), f.regular, 7, MUTED)
        left = 15 * mm
        top = cut_y - 12 * mm
        self.text(left, top, f.text(_("Good to know")), f.bold, 11)
        lines = [
            _(
                "Bring the ticket above to the entrance, printed or on your phone. The QR code "
                "is scanned once: each ticket admits one person, and copies are refused after "
                "the first scan."
            ),
            _("Times are local to the venue (%(zone)s).")
            % {"zone": t.timezone_name.replace("_", " ")},
            _(
                "Order %(order)s · sold by %(organizer)s. Keep the order code for any question "
                "about this ticket."
            )
            % {"order": t.order_code, "organizer": t.organizer_name},
        ]
        cursor = top - 7 * mm
        for paragraph in lines:
            for line in simpleSplit(f.text(paragraph), f.regular, 9, 180 * mm):
                self.text(left, cursor, line, f.regular, 9, MUTED)
                cursor -= 12.5

    def stub(self, stub_x: float, y: float, height: float) -> None:
        """The QR code with the ticket code under it, centred in the stub."""
        f, lay, t = self.fonts, self.lay, self.t
        center = stub_x + lay.stub / 2
        code_size = lay.body + 1
        caption = 2 * lay.label + code_size  # code and "Ticket n of m" under the quiet zone
        qr_bottom = y + (height - lay.qr - caption) / 2 + caption
        draw_qr(self.c, t.qr_payload, center - lay.qr / 2, qr_bottom, lay.qr)
        code_y = qr_bottom - code_size * 0.5
        code = _fit(f.text(t.code), f.mono, code_size, lay.stub - 4 * mm)
        self.text(center, code_y, code, f.mono, code_size, anchor="center")
        _ = self._
        of = _("Ticket %(number)d of %(count)d") % {"number": self.number, "count": self.count}
        if t.reprint:
            of += " · " + _("REPRINT %(number)d") % {"number": t.reprint}
        size = lay.label + 0.5
        of = f.text(of)
        self.text(center, code_y - size - 5, of, f.regular, size, MUTED, anchor="center")

    def main(self, x: float, bottom: float, width: float, top: float) -> None:
        """Event, time, venue from the top; seat and details from the bottom."""
        f, lay, t = self.fonts, self.lay, self.t
        # organizer, and the copy mark of a reprint on the right ("REPRINT 2")
        room = width
        if t.reprint:
            mark = f.text(self._("REPRINT %(number)d") % {"number": t.reprint})
            self.text(x + width, top - lay.body, mark, f.bold, lay.body + 1, anchor="right")
            room -= _width(mark, f.bold, lay.body + 1) + 4 * mm
        organizer = _fit(f.text(t.organizer_name.upper()), f.bold, lay.label + 0.5, room)
        self.text(x, top - lay.label, organizer, f.bold, lay.label + 0.5, MUTED, spacing=0.6)
        cursor = top - lay.label - 5
        # event name
        size, lines = _wrap(f.text(t.event_name), f.bold, lay.title, width)
        for line in lines:
            cursor -= size
            self.text(x, cursor, line, f.bold, size)
            cursor -= size * 0.18
        # when
        moment = t.local(t.timeslot.start if t.timeslot else t.event_start)
        cursor -= lay.body + 6
        self.text(
            x,
            cursor,
            _fit(f.text(format_datetime(moment, language=self.lang)), f.bold, lay.body + 2, width),
            f.bold,
            lay.body + 2,
        )
        when = self.when_details(moment)
        if when:
            cursor -= lay.small + 4
            when = _fit(f.text(when), f.regular, lay.small, width)
            self.text(x, cursor, when, f.regular, lay.small)
        # where
        if t.venue_name:
            cursor -= lay.body + 6
            venue = _fit(f.text(t.venue_name), f.bold, lay.body, width)
            self.text(x, cursor, venue, f.bold, lay.body)
            if t.venue_address:
                cursor -= lay.small + 3
                address = _fit(f.text(t.venue_address), f.regular, lay.small, width)
                self.text(x, cursor, address, f.regular, lay.small, MUTED)
        # seat and details, anchored at the bottom
        self.details(x, bottom, width)
        rule_y = bottom + lay.small + lay.label + 9
        self.c.setStrokeColorRGB(*RULE)
        self.c.setLineWidth(0.5)
        self.c.line(x, rule_y, x + width, rule_y)
        self.place(x, rule_y + 8, width)

    def when_details(self, moment: datetime) -> str:
        """Doors, entry slot and end, on one line."""
        t, _, lang = self.t, self._, self.lang
        parts = []
        if t.doors_open is not None:
            parts.append(_("Doors %(time)s") % {"time": format_time(t.local(t.doors_open), lang)})
        if t.timeslot is not None:
            start, end = t.local(t.timeslot.start), t.local(t.timeslot.end)
            span = format_span(start, end, reference=moment, language=lang)
            parts.append(_("Entry %(span)s") % {"span": span})
        end = t.local(t.event_end)
        if t.timeslot is None and end.date() == moment.date():
            parts.append(_("Ends %(time)s") % {"time": format_time(end, lang)})
        elif t.timeslot is None:
            ends = f"{format_date(end, lang)}, {format_time(end, lang)}"
            parts.append(_("Ends %(time)s") % {"time": ends})
        return "  ·  ".join(parts)

    def place(self, x: float, y: float, width: float) -> None:
        """Seat (section, row, seat) or area, big: the first thing an usher looks for."""
        f, lay, t, _ = self.fonts, self.lay, self.t, self._
        if t.seat is not None:
            section = t.seat.section or t.sector_name
            cells = [(_("Section"), section)] if section else []
            cells += [(_("Row"), t.seat.row), (_("Seat"), t.seat.seat)]
            size = lay.big
        else:
            cells = [(_("Area"), t.sector_name or _("General admission"))]
            size = lay.big - 4
        cells = [(f.text(label.upper()), value) for label, value in cells]
        values = [f.text(value) for _, value in cells]
        gap = 7 * mm
        while size > 9 and (
            sum(_width(v, f.bold, size) for v in values) + gap * len(cells) > width
        ):
            size -= 1
        cursor = x
        for (label, _), value in zip(cells, values, strict=True):
            self.text(cursor, y + size * 0.75 + 5, label, f.bold, lay.label, MUTED, spacing=0.5)
            value = _fit(value, f.bold, size, x + width - cursor)
            self.text(cursor, y, value, f.bold, size)
            label_width = _width(label, f.bold, lay.label)
            cursor += max(_width(value, f.bold, size), label_width) + gap

    def details(self, x: float, y: float, width: float) -> None:
        """Ticket type, price, order code and holder in one row of small label/value pairs."""
        f, lay, t, _ = self.fonts, self.lay, self.t, self._
        fixed = [
            (_("Price"), i18n.money(t.price, t.currency, t.language, symbol=True)),
            (_("Order"), t.order_code),
        ]
        flexible = [(_("Ticket"), t.ticket_config_name)]
        if t.holder_name:
            flexible.append((_("Name"), t.holder_name))
        fixed = [(f.text(label.upper()), value) for label, value in fixed]
        flexible = [(f.text(label.upper()), value) for label, value in flexible]
        gap = 5 * mm
        fixed_width = sum(
            max(
                _width(f.text(v), f.bold, lay.small),
                _width(label, f.bold, lay.label),
            )
            + gap
            for label, v in fixed
        )
        share = (width - fixed_width) / len(flexible) - gap
        cells = [flexible[0], *fixed, *flexible[1:]]
        cursor = x
        for label, raw in cells:
            value = f.text(raw)
            if (label, raw) in flexible:
                value = _fit(value, f.bold, lay.small, share)
            self.text(cursor, y + lay.small + 3, label, f.bold, lay.label, MUTED, spacing=0.5)
            self.text(cursor, y, value, f.bold, lay.small)
            label_width = _width(label, f.bold, lay.label)
            cursor += max(_width(value, f.bold, lay.small), label_width) + gap
