"""Every text the desktop app and the kiosk put on screen goes through gettext: a literal (or an
f-string with words in it) handed straight to a Qt text setter or widget constructor is a
string a Czech or German cashier would see in English. The catalogs' completeness check
(test_translations_complete.py) then makes sure each marked string is translated."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((ROOT / "boxoffice" / "ui").rglob("*.py")),
    ROOT / "boxoffice" / "app.py",
    ROOT / "boxoffice" / "kiosk_app.py",
]
# Methods whose string arguments people read (the positions that hold the text).
SETTERS: dict[str, tuple[int, ...]] = {
    "setText": (0,),
    "setWindowTitle": (0,),
    "setToolTip": (0,),
    "setAccessibleName": (0,),
    "setAccessibleDescription": (0,),
    "setPlaceholderText": (0,),
    "setStatusTip": (0,),
    "setWhatsThis": (0,),
    "setTitle": (0,),
    "setLabelText": (0,),
    "setInformativeText": (0,),
    "setDetailedText": (0,),
    "setSpecialValueText": (0,),
    "setSuffix": (0,),
    "setPrefix": (0,),
    "showMessage": (0,),
    "addRow": (0,),
    "addTab": (1,),
    "setTabText": (1,),
    "addAction": (0,),
    "addMenu": (0,),
    "addButton": (0,),
    "addItem": (0,),
    "information": (1, 2),
    "warning": (1, 2),
    "critical": (1, 2),
    "question": (1, 2),
}
WIDGETS = {"QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction",
           "QToolButton", "QMenu"}  # fmt: skip
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: a word, not "F7" or "…"
MARKUP = re.compile(r"<[^>]*>|&\w+;")  # rich-text tags and entities are not words
# Words that are the same in every language (the languages' own names, names, abbreviations).
SAME_IN_EVERY_LANGUAGE = {"English", "Čeština", "Deutsch", "Box", "Office", "PDF", "QR", "SHA"}


def _shows_words(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        words = WORD.findall(MARKUP.sub("", node.value))
        return any(word not in SAME_IN_EVERY_LANGUAGE for word in words)
    if isinstance(node, ast.JoinedStr):
        return any(_shows_words(part) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _shows_words(node.left) or _shows_words(node.right)
    return False


def _unmarked(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        positions = SETTERS.get(name, (0,) if name in WIDGETS else ())
        for position in positions:
            if position < len(node.args) and _shows_words(node.args[position]):
                text = ast.unparse(node.args[position])
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}({text[:60]})")
    return found


def test_on_screen_texts_are_marked_for_translation():
    unmarked = [line for path in SOURCES for line in _unmarked(path)]
    assert unmarked == [], "wrap in _() (boxoffice.i18n):\n" + "\n".join(unmarked)
