"""Apple Wallet passes: one signed `eventTicket` pass per ticket.

A ``.pkpass`` is a zip (entries stored, not deflated) of

- ``pass.json`` — formatVersion 1, the signer's passTypeIdentifier and teamIdentifier,
  serialNumber = the ticket code (pass type + serial is the pass's identity: re-issuing a
  ticket replaces the pass in Wallet), organizationName, description, colours, and
  ``eventTicket``: primary = event; secondary = date/time (shown in the event's timezone)
  and venue; auxiliary = section/row/seat or area, entry slot, ticket type (at most four,
  the rest go to the back); back = order, ticket code, price, holder, doors, address,
  organizer, terms. ``barcodes`` holds one QR code of `qr_payload` with the ticket code as
  altText. relevantDate is the start (of the entry slot, if any); expirationDate is one day
  after the end, after which Wallet shows the pass as expired.
- ``icon.png``, ``icon@2x.png``, ``logo.png``, ``logo@2x.png`` — drawn with Pillow in the
  pass colours at first use and cached.
- ``manifest.json`` — SHA-1 (hex) of every file above.
- ``signature`` — detached PKCS#7 (CMS) signature of manifest.json in DER, made with the
  pass certificate and key, with the WWDR certificate included and a signing time.

Several tickets (at most 10, Apple's limit) become a ``.pkpasses`` bundle, a zip of
``.pkpass`` files, which Wallet offers to add all at once. The signing material is a `PassSigner`
(see `certificates.py`, which also explains why development certificates don't install on
real iPhones).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from PIL import Image, ImageDraw
from pydantic import Field

from boxoffice import i18n
from boxoffice.i18n import N_
from boxoffice.server.errors import RuleViolation
from boxoffice.server.ticketoutput.base import (
    OutputFile,
    OutputOptions,
    TicketOutput,
    TicketView,
    format_span,
    format_time,
    order_label,
    require_tickets,
    safe_filename_part,
)
from boxoffice.server.ticketoutput.certificates import PassSigner

PKPASS_MIMETYPE = "application/vnd.apple.pkpass"
PKPASSES_MIMETYPE = "application/vnd.apple.pkpasses"
MAX_AUXILIARY_FIELDS = 4
MAX_BUNDLE_PASSES = 10  # Apple: "up to 10 passes or 150 MB for a bundle of passes"

_RGB = r"^rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)$"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so equal passes differ only in the signature
DEFAULT_TERMS = N_(
    "This ticket admits one person once. The QR code is checked at the entrance; copies "
    "are refused after the first scan. Keep the order code for any question."
)


class PkpassOptions(OutputOptions):
    """Pass colours (CSS ``rgb(r, g, b)``, as Wallet wants them) and the terms on the back."""

    background_color: str = Field("rgb(28, 28, 36)", pattern=_RGB)
    foreground_color: str = Field("rgb(255, 255, 255)", pattern=_RGB)
    label_color: str = Field("rgb(176, 176, 192)", pattern=_RGB)
    terms: str | None = DEFAULT_TERMS


class PkpassOutput(TicketOutput[PkpassOptions]):
    """Apple Wallet passes: `.pkpass` for one ticket, a `.pkpasses` bundle for several."""

    identifier: ClassVar[str] = "pkpass"
    verbose_name: ClassVar[str] = "Apple Wallet pass"
    options_model = PkpassOptions

    def __init__(self, signer: PassSigner) -> None:
        self.signer = signer

    def render(
        self, tickets: Sequence[TicketView], *, options: PkpassOptions | None = None
    ) -> OutputFile:
        require_tickets(tickets)
        if len(tickets) > MAX_BUNDLE_PASSES:
            raise RuleViolation(
                f"Apple Wallet takes at most {MAX_BUNDLE_PASSES} passes at once; "
                "download the tickets in smaller groups.",
                code="too_many_passes",
            )
        options = options or PkpassOptions()
        passes = [build_pass(ticket, self.signer, options) for ticket in tickets]
        if len(passes) == 1:
            name = f"ticket-{safe_filename_part(tickets[0].code) or 'pass'}.pkpass"
            return OutputFile(filename=name, mimetype=PKPASS_MIMETYPE, data=passes[0])
        bundle = _zip(
            (f"{n:02d}-{safe_filename_part(t.code)}.pkpass", data)
            for n, (t, data) in enumerate(zip(tickets, passes, strict=True), start=1)
        )
        order = order_label(tickets)
        name = f"tickets-{order}.pkpasses" if order else "tickets.pkpasses"
        return OutputFile(filename=name, mimetype=PKPASSES_MIMETYPE, data=bundle)


def build_pass(ticket: TicketView, signer: PassSigner, options: PkpassOptions) -> bytes:
    """One signed .pkpass file."""
    files = {
        "pass.json": json.dumps(
            pass_json(ticket, signer, options), ensure_ascii=False, indent=2
        ).encode(),
        **dict(_images(options.background_color, options.foreground_color)),
    }
    manifest = json.dumps(
        {name: hashlib.sha1(data).hexdigest() for name, data in files.items()},
        indent=2,
        sort_keys=True,
    ).encode()
    return _zip(
        [*files.items(), ("manifest.json", manifest), ("signature", sign(manifest, signer))]
    )


def sign(manifest: bytes, signer: PassSigner) -> bytes:
    """Detached PKCS#7 signature (DER) of `manifest`, with the WWDR certificate included.

    cryptography adds the signed attributes contentType, messageDigest, signingTime and
    SMIMECapabilities (unless `NoAttributes`); Wallet wants the signing time.
    """
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(manifest)
        .add_signer(signer.certificate, signer.private_key, hashes.SHA256())
        .add_certificate(signer.wwdr_certificate)
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
        )
    )


def pass_json(ticket: TicketView, signer: PassSigner, options: PkpassOptions) -> dict[str, Any]:
    """The pass.json of `ticket` as a dict."""
    t = ticket
    _ = i18n.translations(t.language).gettext
    start = t.local(t.timeslot.start if t.timeslot else t.event_start)
    end = t.local(t.timeslot.end if t.timeslot else t.event_end)
    secondary = [_date_field("when", _("Date").upper(), start)]
    if t.venue_name:
        secondary.append({"key": "venue", "label": _("Venue").upper(), "value": t.venue_name})
    auxiliary = []
    if t.seat is not None:
        section = t.seat.section or t.sector_name
        if section:
            auxiliary.append({"key": "section", "label": _("Section").upper(), "value": section})
        auxiliary.append({"key": "row", "label": _("Row").upper(), "value": t.seat.row})
        auxiliary.append({"key": "seat", "label": _("Seat").upper(), "value": t.seat.seat})
    else:
        area = t.sector_name or _("General admission")
        auxiliary.append({"key": "area", "label": _("Area").upper(), "value": area})
    if t.timeslot is not None:
        span = format_span(start, end, reference=start, language=t.language)
        auxiliary.append({"key": "entry", "label": _("Entry").upper(), "value": span})
    auxiliary.append({"key": "ticket", "label": _("Ticket").upper(), "value": t.ticket_config_name})
    price = i18n.money(t.price, t.currency, t.language, symbol=True)
    back: list[dict[str, Any]] = [
        {"key": "order", "label": _("Order"), "value": t.order_code},
        {"key": "code", "label": _("Ticket code"), "value": t.code},
        {"key": "price", "label": _("Price"), "value": price},
    ]
    if t.holder_name:
        back.append({"key": "holder", "label": _("Name"), "value": t.holder_name})
    if t.doors_open is not None:
        doors = format_time(t.local(t.doors_open), t.language)
        back.append({"key": "doors", "label": _("Doors open"), "value": doors})
    if t.venue_name or t.venue_address:
        where = "\n".join(part for part in (t.venue_name, t.venue_address) if part)
        back.append({"key": "address", "label": _("Venue"), "value": where})
    back.append({"key": "organizer", "label": _("Organizer"), "value": t.organizer_name})
    if options.terms:
        # The default terms in the order's language; terms an organizer wrote stay as written.
        terms = _(DEFAULT_TERMS) if options.terms == DEFAULT_TERMS else options.terms
        back.append({"key": "terms", "label": _("Terms"), "value": terms})
    overflow = auxiliary[MAX_AUXILIARY_FIELDS:]
    semantics: dict[str, Any] = {
        "eventName": t.event_name,
        "eventStartDate": _w3c(start),
        "eventEndDate": _w3c(end),
    }
    if t.venue_name:
        semantics["venueName"] = t.venue_name
    if t.seat is not None:
        seat = {"seatRow": t.seat.row, "seatNumber": t.seat.seat}
        if t.seat.section:
            seat["seatSection"] = t.seat.section
        semantics["seats"] = [seat]
    try:
        t.qr_payload.encode("iso-8859-1")
        encoding = "iso-8859-1"
    except UnicodeEncodeError:
        encoding = "utf-8"
    return {
        "formatVersion": 1,
        "passTypeIdentifier": signer.pass_type_identifier,
        "teamIdentifier": signer.team_identifier,
        "serialNumber": t.code,
        "organizationName": t.organizer_name,
        "description": _("Ticket for %(event)s") % {"event": t.event_name},
        "logoText": t.organizer_name,
        "foregroundColor": options.foreground_color,
        "backgroundColor": options.background_color,
        "labelColor": options.label_color,
        "relevantDate": _w3c(start),
        "expirationDate": _w3c(end + timedelta(days=1)),
        "barcodes": [
            {
                "format": "PKBarcodeFormatQR",
                "message": t.qr_payload,
                "messageEncoding": encoding,
                "altText": t.code,
            }
        ],
        "semantics": semantics,
        "eventTicket": {
            "primaryFields": [{"key": "event", "label": _("Event").upper(), "value": t.event_name}],
            "secondaryFields": secondary,
            "auxiliaryFields": auxiliary[:MAX_AUXILIARY_FIELDS],
            "backFields": overflow + back,
        },
    }


def _w3c(moment: datetime) -> str:
    """W3C date-time with seconds and offset, as Wallet requires: 2026-12-12T19:30:00+01:00."""
    return moment.isoformat(timespec="seconds")


def _date_field(key: str, label: str, moment: datetime) -> dict[str, Any]:
    """A date field Wallet formats for the reader's locale, in the event's (not their) zone."""
    return {
        "key": key,
        "label": label,
        "value": _w3c(moment),
        "dateStyle": "PKDateStyleMedium",
        "timeStyle": "PKDateStyleShort",
        "ignoresTimeZone": True,
    }


def _zip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


# --- images ------------------------------------------------------------------------------


def _rgb(css: str) -> tuple[int, int, int]:
    r, g, b = (min(int(v), 255) for v in re.findall(r"\d+", css))
    return r, g, b


@functools.lru_cache(maxsize=16)
def _images(background: str, foreground: str) -> tuple[tuple[str, bytes], ...]:
    """Icon (29/58 px, the glyph on the pass colour) and logo (50/100 px, glyph only)."""
    bg, fg = _rgb(background), _rgb(foreground)
    return (
        ("icon.png", _png(29, fg, bg)),
        ("icon@2x.png", _png(58, fg, bg)),
        ("logo.png", _png(50, fg, None)),
        ("logo@2x.png", _png(100, fg, None)),
    )


def _png(side: int, ink: tuple[int, int, int], fill: tuple[int, int, int] | None) -> bytes:
    """A ticket glyph (a card with a notch on each side), drawn 4× and scaled down."""
    scale = 4
    big = side * scale
    image = Image.new("RGBA", (big, big), (*fill, 255) if fill else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    margin = big * (0.18 if fill else 0.06)
    top, bottom = big * 0.28, big * 0.72
    draw.rounded_rectangle((margin, top, big - margin, bottom), radius=big * 0.06, fill=(*ink, 255))
    notch = big * 0.07
    hole = (*fill, 255) if fill else (0, 0, 0, 0)
    for x in (margin, big - margin):
        draw.ellipse((x - notch, big / 2 - notch, x + notch, big / 2 + notch), fill=hole)
    perforation = big * 0.64 if fill else big * 0.66
    for y in range(int(top + big * 0.05), int(bottom - big * 0.03), int(big * 0.07)):
        draw.rectangle(
            (perforation - big * 0.012, y, perforation + big * 0.012, y + big * 0.035),
            fill=hole,
        )
    out = io.BytesIO()
    image.resize((side, side), Image.Resampling.LANCZOS).save(out, format="PNG", optimize=False)
    return out.getvalue()
