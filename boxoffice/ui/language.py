"""The window's language: gettext for Box Office's own words (`boxoffice.i18n`), Qt's own
catalogs for the words Qt writes (OK, Cancel, Yes, No, the date picker's months), and the
default `QLocale` so spin boxes and date fields read and write numbers as the language does."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from boxoffice import i18n

# The Qt catalogs each language needs, by Qt's file prefix.
QT_CATALOGS = ("qtbase",)
_installed: list[QTranslator] = []


def apply(language: str | None) -> str:
    """Speak `language` (None: the system's) from now on, in Box Office's words and in Qt's;
    answers the language in use."""
    chosen = i18n.use(language or i18n.system_language())
    QLocale.setDefault(QLocale(chosen))
    app = QCoreApplication.instance()
    if app is None:
        return chosen
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if chosen != i18n.DEFAULT:
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        for prefix in QT_CATALOGS:
            translator = QTranslator(app)
            if translator.load(f"{prefix}_{chosen}", folder):
                app.installTranslator(translator)
                _installed.append(translator)
    return chosen
