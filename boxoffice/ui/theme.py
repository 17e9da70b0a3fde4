"""The look: two themes of named colours and sizes (light, high contrast), the style sheet
template they fill (`resources/qss/*.qss`, `@token` for each name), and WCAG contrast.

`apply(app, theme_name, text_scale)` sets the palette, the font, the style sheet and the
focus ring; the counter calls it at start and again when Settings change.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Literal

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from boxoffice import paths
from boxoffice.ui import focus_ring

ThemeName = Literal["light", "high-contrast"]
_TOKEN = re.compile(r"@([a-z][a-z0-9-]*)")
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_BASE_POINT_SIZE = "boxofficeBasePointSize"  # the app property keeping the unscaled font size


@dataclass(frozen=True)
class Theme:
    """Named colours (hex) and sizes (px) one style sheet is filled with."""

    name: str
    surface: str  # the window
    surface_alt: str  # headers, alternate rows, the status bar
    field: str  # text fields, lists
    text: str
    text_muted: str  # secondary text (dates, hints, placeholders)
    border: str  # the edge of fields and lists (3:1 against the surface)
    accent: str  # the main action (Complete sale) and selection
    on_accent: str  # text on the accent
    accent_pressed: str
    focus: str  # the keyboard focus ring
    error: str
    success_bg: str  # the sale's outcome
    success_text: str
    success_border: str
    info_bg: str  # waiting on the card reader
    info_border: str
    warning_bg: str  # Offline
    warning_text: str
    training_bg: str  # the training banner: unmistakable
    training_text: str
    disabled_text: str
    # The self-service kiosk (kiosk.qss): its big title, the dimmed screen behind "Are you
    # still there?" (a colour with alpha: never read as text) and its sizes, readable from a
    # step away (scaled with the text like the rest).
    kiosk_hero: str = "#0b3d91"
    kiosk_overlay: str = "rgba(10, 14, 30, 170)"
    kiosk_small_size: int = 22
    kiosk_text_size: int = 24
    kiosk_notice_size: int = 26
    kiosk_field_size: int = 28
    kiosk_button_size: int = 30
    kiosk_lead_size: int = 32
    kiosk_reason_size: int = 36
    kiosk_quantity_size: int = 40
    kiosk_step_size: int = 44
    kiosk_title_size: int = 48
    kiosk_hero_size: int = 96
    font_size: int = 13
    total_size: int = 16
    action_size: int = 16
    outcome_size: int = 15
    heading_size: int = 15
    focus_width: int = 3
    border_width: int = 1
    radius: int = 4

    def tokens(self, text_scale: float = 1.0) -> dict[str, str]:
        """`@token` → value: colours as they are, sizes in px scaled by `text_scale` (the
        focus ring and borders are not scaled)."""
        fixed = {"focus_width", "border_width", "radius"}
        values: dict[str, str] = {}
        for key, value in asdict(self).items():
            if key == "name":
                continue
            if isinstance(value, int):
                value = f"{value if key in fixed else round(value * text_scale)}px"
            values[key.replace("_", "-")] = str(value)
        return values

    def text_pairs(self) -> dict[str, tuple[str, str]]:
        """The text colours and what they are read on: each must reach 4.5:1 (WCAG AA)."""
        return {
            "text on surface": (self.text, self.surface),
            "text on field": (self.text, self.field),
            "text on header": (self.text, self.surface_alt),
            "muted text on surface": (self.text_muted, self.surface),
            "muted text on field": (self.text_muted, self.field),
            "Complete sale label": (self.on_accent, self.accent),
            "selected row": (self.on_accent, self.accent),
            "error on surface": (self.error, self.surface),
            "sale outcome": (self.success_text, self.success_bg),
            "reader waiting": (self.text, self.info_bg),
            "offline notice": (self.warning_text, self.warning_bg),
            "training banner": (self.training_text, self.training_bg),
            "kiosk title": (self.kiosk_hero, self.surface),
            "kiosk button and language": (self.accent, self.field),
            "kiosk button pressed": (self.accent, self.info_bg),
            "kiosk text on tile or card": (self.text, self.field),
            "kiosk venue on tile": (self.text_muted, self.field),
            "kiosk tickets left on tile": (self.success_text, self.field),
            "kiosk staff detail": (self.text_muted, self.surface_alt),
            "kiosk training card": (self.text, self.warning_bg),
            "kiosk unavailable button": (self.disabled_text, self.field),
        }

    def ui_pairs(self) -> dict[str, tuple[str, str]]:
        """Non-text colours that must reach 3:1 (WCAG 1.4.11): the ring, field edges."""
        return {
            "focus ring on surface": (self.focus, self.surface),
            "focus ring on field": (self.focus, self.field),
            "field border on surface": (self.border, self.surface),
            "kiosk button edge on surface": (self.accent, self.surface),
            "kiosk tile edge on surface": (self.border, self.surface),
        }


LIGHT = Theme(
    name="light",
    surface="#f5f6f8",
    surface_alt="#e7eaee",
    field="#ffffff",
    text="#1b1f24",
    text_muted="#4b5563",
    border="#7b8490",
    accent="#0b57d0",
    on_accent="#ffffff",
    accent_pressed="#0842a0",
    focus="#0b57d0",
    error="#b3261e",
    success_bg="#e6f4ea",
    success_text="#0d5223",
    success_border="#1e8e3e",
    info_bg="#e8f0fe",
    info_border="#4a78c2",
    warning_bg="#fff4e5",
    warning_text="#6b3e00",
    training_bg="#ffb300",
    training_text="#1d1d1d",
    disabled_text="#767676",
)

HIGH_CONTRAST = Theme(
    name="high-contrast",
    surface="#ffffff",
    surface_alt="#ffffff",
    field="#ffffff",
    text="#000000",
    text_muted="#474747",
    border="#000000",
    accent="#00007a",
    on_accent="#ffffff",
    accent_pressed="#000000",
    focus="#c8006e",
    error="#8c0000",
    success_bg="#ffffff",
    success_text="#003d12",
    success_border="#000000",
    info_bg="#ffffff",
    info_border="#000000",
    warning_bg="#ffffff",
    warning_text="#000000",
    training_bg="#ffd500",
    training_text="#000000",
    disabled_text="#595959",
    kiosk_hero="#00007a",
    kiosk_overlay="rgba(0, 0, 0, 210)",
    font_size=14,
    focus_width=4,
    border_width=2,
    radius=2,
)

THEMES: dict[str, Theme] = {LIGHT.name: LIGHT, HIGH_CONTRAST.name: HIGH_CONTRAST}


def theme_named(name: str) -> Theme:
    """The theme called `name`; the light one for a name not known."""
    return THEMES.get(name, LIGHT)


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of `#rrggbb`."""
    value = colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio of two `#rrggbb` colours, 1.0 … 21.0."""
    a, b = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def fill(template: str, theme: Theme, text_scale: float = 1.0) -> str:
    """`template` with each `@token` replaced by the theme's value; an unknown token fails."""
    tokens = theme.tokens(text_scale)

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in tokens:
            raise KeyError(f"the style sheet names @{name}, which no theme defines")
        return tokens[name]

    return _TOKEN.sub(value, _COMMENT.sub("", template))


def style_sheet(theme: Theme, text_scale: float = 1.0, *, kiosk: bool = False) -> str:
    """The counter's style sheet (with the kiosk's on top when `kiosk`) filled from `theme`."""
    files = ["boxoffice.qss", "kiosk.qss"] if kiosk else ["boxoffice.qss"]
    template = "\n".join(paths.resource("qss", name).read_text(encoding="utf-8") for name in files)
    return fill(template, theme, text_scale)


def palette(theme: Theme) -> QPalette:
    """The Qt palette of `theme`: what the widgets the style sheet leaves alone are drawn in."""
    pal = QPalette()
    role = QPalette.ColorRole
    for each, colour in (
        (role.Window, theme.surface),
        (role.WindowText, theme.text),
        (role.Base, theme.field),
        (role.AlternateBase, theme.surface_alt),
        (role.Text, theme.text),
        (role.Button, theme.surface_alt),
        (role.ButtonText, theme.text),
        (role.Highlight, theme.accent),
        (role.HighlightedText, theme.on_accent),
        (role.PlaceholderText, theme.text_muted),
        (role.ToolTipBase, theme.field),
        (role.ToolTipText, theme.text),
        (role.Link, theme.accent),
        (role.BrightText, theme.error),
    ):
        pal.setColor(each, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for each in (role.Text, role.WindowText, role.ButtonText):
        pal.setColor(disabled, each, QColor(theme.disabled_text))
    return pal


_active: Theme = LIGHT


def active() -> Theme:
    """The theme last applied (colours drawn in code, such as a list's state column)."""
    return _active


def apply(
    app: QApplication, name: str = "light", text_scale: float = 1.0, *, kiosk: bool = False
) -> Theme:
    """Give `app` the theme called `name` at `text_scale`: palette, font, style sheet, ring."""
    global _active
    theme = theme_named(name)
    _active = theme
    app.setPalette(palette(theme))
    base = app.property(_BASE_POINT_SIZE)
    if not isinstance(base, float):
        base = app.font().pointSizeF()
        app.setProperty(_BASE_POINT_SIZE, base)
    font = QFont(app.font())
    font.setPointSizeF(base * text_scale * theme.font_size / LIGHT.font_size)
    app.setFont(font)
    app.setStyleSheet(style_sheet(theme, text_scale, kiosk=kiosk))
    focus_ring.set_look(theme.focus, theme.focus_width)
    return theme
